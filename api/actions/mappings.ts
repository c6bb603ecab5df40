import { mappingRepository, type MappingKind } from '../../db/mappings';
import type { Db } from '../../db/pool';
import type { Principal } from '../../db/principals';
import { maySeeStore } from '../auth';
import { ApiError, notFound } from '../errors';

/**
 * The identity mappings (SKU, customer, location, shipping method), for the configuration routes
 * (api/routes/settings.ts) and the dashboard alike. Each store has its own: `store` is the one the
 * actions work on when the caller names none (the API's primary store). A principal limited to other
 * stores finds none; every change is recorded with the principal's name.
 */
export function mappingActions({ db, store }: { db: Db; store: string }) {
  const repo = mappingRepository(db);
  const inScope = (p: Principal, of: string) => {
    if (!maySeeStore(p, of)) throw notFound('STORE.NOT_FOUND', `No store ${of}.`);
  };
  return {
    store,
    async list(
      p: Principal,
      kind: MappingKind,
      opts: { q?: string; limit?: number; offset?: number },
      of = store,
    ) {
      inScope(p, of);
      return repo.list(kind, of, opts);
    },
    async set(p: Principal, kind: MappingKind, storeKey: string, erpValue: string, of = store) {
      inScope(p, of);
      await repo.set(kind, of, storeKey, erpValue, p.name);
    },
    async remove(p: Principal, kind: MappingKind, storeKey: string, of = store) {
      inScope(p, of);
      if (!(await repo.remove(kind, of, storeKey, p.name)))
        throw new ApiError(404, 'MAPPING.NOT_FOUND', `No ${kind} mapping for ${storeKey}.`);
    },
    async history(p: Principal, kind: MappingKind, storeKey?: string, limit?: number, of = store) {
      inScope(p, of);
      return repo.history(kind, of, storeKey, limit);
    },
  };
}

export type MappingActions = ReturnType<typeof mappingActions>;
