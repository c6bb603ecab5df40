import type { Db } from './pool';

export type ConnectorSystem = 'erp' | 'store';

/** One HTTP attempt's outcome, as a connector reports it to its `onCall` observer. */
export interface CallOutcome {
  ok: boolean;
}

const MINUTE = 60_000;

/**
 * Counts the ERP's and the store's HTTP attempts per minute in memory and adds them to
 * `connector_calls` every `flushMs` (and on `stop`), so the dashboard charts error rates without a
 * database write per call. A failed flush keeps its counts for the next one.
 */
export function connectorCallRecorder(db: Db, opts: { flushMs?: number } = {}) {
  const pending = new Map<
    string,
    { system: ConnectorSystem; store: string; minute: number; calls: number; errors: number }
  >();
  let timer: NodeJS.Timeout | undefined;

  /** A connector's observer; a store's calls are counted under its name (the ERP serves every store). */
  const observe =
    (system: ConnectorSystem, store = '') =>
    (outcome: CallOutcome) => {
      const minute = Math.floor(Date.now() / MINUTE) * MINUTE;
      const key = `${system}|${store}|${minute}`;
      const row = pending.get(key) ?? { system, store, minute, calls: 0, errors: 0 };
      row.calls += 1;
      if (!outcome.ok) row.errors += 1;
      pending.set(key, row);
    };

  async function flush(): Promise<void> {
    if (pending.size === 0) return;
    const rows = [...pending.values()];
    pending.clear();
    try {
      await db.query(
        `INSERT INTO connector_calls (system, store, minute, calls, errors)
         SELECT s, st, to_timestamp(m / 1000.0), c, e
           FROM unnest($1::text[], $2::bigint[], $3::int[], $4::int[], $5::text[]) AS t(s, m, c, e, st)
         ON CONFLICT (system, store, minute) DO UPDATE SET calls = connector_calls.calls + EXCLUDED.calls,
           errors = connector_calls.errors + EXCLUDED.errors`,
        [
          rows.map((r) => r.system),
          rows.map((r) => r.minute),
          rows.map((r) => r.calls),
          rows.map((r) => r.errors),
          rows.map((r) => r.store),
        ],
      );
    } catch (err) {
      for (const r of rows) {
        const key = `${r.system}|${r.store}|${r.minute}`;
        const now = pending.get(key);
        pending.set(key, now ? { ...r, calls: r.calls + now.calls, errors: r.errors + now.errors } : r);
      }
      throw err;
    }
  }

  return {
    /** The observer to hand a connector: `onCall: recorder.observe('erp')`. */
    observe,
    flush,
    start(onError: (err: unknown) => void = () => undefined) {
      timer ??= setInterval(() => void flush().catch(onError), opts.flushMs ?? 15_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await flush();
    },
  };
}

export type ConnectorCallRecorder = ReturnType<typeof connectorCallRecorder>;
