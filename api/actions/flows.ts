import { flowAudit, flowSwitchesConfig } from '../../db/flow-switches';
import type { Db } from '../../db/pool';
import type { Principal } from '../../db/principals';
import { FLOW_DIRECTIONS, FLOWS, flowChanges } from '../../domain/flow-switches';
import { maySeeStore } from '../auth';
import { ApiError, notFound, savedOrInvalid } from '../errors';

/**
 * Each store's flow switches, for the REST routes (api/routes/flows.ts) and the dashboard alike:
 * read with their audit, and changed flow by flow (flows and fields left out keep their value). A
 * principal limited to other stores finds none; every save is a version with the principal's name.
 */
export function flowActions({ db }: { db: Db }) {
  const inScope = (p: Principal, store: string) => {
    if (!maySeeStore(p, store)) throw notFound('STORE.NOT_FOUND', `No store ${store}.`);
  };
  return {
    async get(p: Principal, store: string) {
      inScope(p, store);
      const config = flowSwitchesConfig(store);
      const [current, audit] = await Promise.all([config.current(db), flowAudit(db, store)]);
      return {
        store,
        current: {
          version: current.version,
          switches: current.value,
          ...(current.createdBy ? { createdAt: current.createdAt, createdBy: current.createdBy } : {}),
        },
        directions: FLOW_DIRECTIONS,
        audit,
      };
    },
    /** Saves the switches given (per flow `{enabled?, direction?}`) over the current ones. */
    async save(
      p: Principal,
      store: string,
      switches: Record<string, Record<string, unknown>>,
      comment?: string,
    ) {
      inScope(p, store);
      const unknown = Object.keys(switches).filter((f) => !(FLOWS as readonly string[]).includes(f));
      if (unknown.length > 0)
        throw new ApiError(
          400,
          'FLOWS.INVALID',
          `body.switches: no flow ${unknown.join(', ')}; the flows are ${FLOWS.join(', ')}`,
          { fields: unknown.map((f) => ({ path: `body.switches.${f}`, message: 'not a flow' })) },
        );
      const config = flowSwitchesConfig(store);
      const before = (await config.current(db)).value;
      const merged = Object.fromEntries(FLOWS.map((f) => [f, { ...before[f], ...(switches[f] ?? {}) }]));
      const saved = await savedOrInvalid(
        () => config.save(db, merged, p.name, comment),
        'FLOWS.INVALID',
        'body.switches',
      );
      return { version: saved.version, switches: saved.value, changes: flowChanges(before, saved.value) };
    },
  };
}

export type FlowActions = ReturnType<typeof flowActions>;
