/**
 * The one duration format of Quayside's rules and policies: a number and a unit, the unit short or
 * spelled out — `250ms`, `90s`, `15m`, `4h`, `7d`, `2w`, `90 seconds`, `30 days`, `1.5 hours`.
 * Order rules and alert routing were written in the short form, return and customer policies in
 * the long one; both stay valid, and both are strings Temporal's timers read as they are. Its
 * validating schema is DurationText in domain/schemas/formats.ts.
 */
export const DURATION =
  /^(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)$/i;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export type DurationText = string;

/** Milliseconds in a duration (rules and policies are validated, so their text always parses). */
export function durationMs(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = (m[2] ?? '').toLowerCase();
  const key: keyof typeof UNIT_MS =
    unit.startsWith('ms') || unit.startsWith('milli')
      ? 'ms'
      : (unit.charAt(0) as 's' | 'm' | 'h' | 'd' | 'w');
  return Math.round(Number(m[1]) * UNIT_MS[key]);
}
