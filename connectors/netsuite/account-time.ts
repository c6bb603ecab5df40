/**
 * Wall-clock times of a NetSuite account's time zone. SuiteQL renders dates in the account's (or the
 * user's) time zone without an offset and reads date literals in it, so the connector converts
 * between those wall times and real instants here, with the zone the account is configured with.
 *
 * A wall time names no instant in a spring-forward gap and two instants in a fall-back overlap;
 * `instantsOf` returns every instant a wall time can mean, earliest first.
 */

const formats = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(zone, f);
  }
  return f;
}

/** `YYYY-MM-DD HH:MM:SS.mmm` of an instant (epoch milliseconds) in the zone. */
export function wallTime(ms: number, zone: string): string {
  const p = Object.fromEntries(
    formatter(zone)
      .formatToParts(new Date(ms))
      .map((x) => [x.type, x.value]),
  );
  const millis = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}.${millis}`;
}

const WALL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;

/** The wall time read as if it were UTC (epoch milliseconds); null when it is not a wall time. */
function wallAsUtc(wall: string): number | null {
  const m = WALL.exec(wall.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s, Number((m[7] ?? '0').padEnd(3, '0')));
}

const offsetAt = (ms: number, zone: string) => (wallAsUtc(wallTime(ms, zone)) ?? ms) - ms;

/** Every instant the wall time can mean in the zone, earliest first (two in a fall-back overlap). */
export function instantsOf(wall: string, zone: string): number[] {
  const asUtc = wallAsUtc(wall);
  if (asUtc === null) return [];
  const normalized = wallTime(asUtc, 'UTC');
  const offsets = new Set([-1, 0, 1].map((days) => offsetAt(asUtc + days * 86_400_000, zone)));
  const found = [...offsets].map((o) => asUtc - o).filter((t) => wallTime(t, zone) === normalized);
  return [...new Set(found)].sort((a, b) => a - b);
}

/** True when the instant's wall time also names another instant (a fall-back overlap). */
export const isAmbiguous = (ms: number, zone: string) => instantsOf(wallTime(ms, zone), zone).length > 1;

/**
 * The instant a rendered wall time means, given that it comes at or after `after` in a list sorted
 * by real time: the earliest candidate not before it. A wall time in a spring-forward gap (never
 * rendered by a real account) is read with the offset in force just before it.
 */
export function instantAfter(wall: string, zone: string, after: number): number {
  const candidates = instantsOf(wall, zone);
  if (candidates.length === 0) {
    const asUtc = wallAsUtc(wall);
    if (asUtc === null) throw new Error(`not a wall time: ${wall}`);
    return asUtc - offsetAt(asUtc - 86_400_000, zone);
  }
  return candidates.find((t) => t >= after) ?? candidates[candidates.length - 1]!;
}

/** The latest whole-minute instant not after `ms` whose wall time is unambiguous. */
export function unambiguousBefore(ms: number, zone: string): number {
  let t = Math.floor(ms / 60_000) * 60_000;
  for (let i = 0; i < 24 * 60 && isAmbiguous(t, zone); i++) t -= 60_000;
  return t;
}
