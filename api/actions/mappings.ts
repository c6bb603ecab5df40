import { mappingRepository, type MappingKind } from '../../db/mappings';
import type { Db } from '../../db/pool';
import type { Principal } from '../../db/principals';
import { maySeeStore } from '../auth';
import { ApiError, notFound } from '../errors';

/**
 * The identity mappings (SKU, customer, location, shipping method), for the configuration routes
 * (api/routes/settings.ts) and the dashboard alike: this API serves one store, so a principal
 * limited to other stores finds none; every change is recorded with the principal's name.
 */
export function mappingActions({ db, store }: { db: Db; store: string }) {
  const repo = mappingRepository(db);
  const inScope = (p: Principal) => {
    if (!maySeeStore(p, store)) throw notFound('STORE.NOT_FOUND', `No store ${store}.`);
  };
  return {
    store,
    async list(p: Principal, kind: MappingKind, opts: { q?: string; limit?: number; offset?: number }) {
      inScope(p);
      return repo.list(kind, store, opts);
    },
    async set(p: Principal, kind: MappingKind, storeKey: string, erpValue: string) {
      inScope(p);
      await repo.set(kind, store, storeKey, erpValue, p.name);
    },
    async remove(p: Principal, kind: MappingKind, storeKey: string) {
      inScope(p);
      if (!(await repo.remove(kind, store, storeKey, p.name)))
        throw new ApiError(404, 'MAPPING.NOT_FOUND', `No ${kind} mapping for ${storeKey}.`);
    },
    async history(p: Principal, kind: MappingKind, storeKey?: string, limit?: number) {
      inScope(p);
      return repo.history(kind, store, storeKey, limit);
    },
  };
}

export type MappingActions = ReturnType<typeof mappingActions>;
