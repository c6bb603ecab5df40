import type { Db } from '../db/pool';
import { createOrderActivities } from './orders';

export interface ActivityDeps {
  db: Db;
}

/** Every activity the worker registers, built once from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createOrderActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
