import { storeQueuePrefix } from '../domain/contracts';
import { storeNamed, type Config } from '../platform/config';

/** The `--store <name>` option of the scripts that act on one store. */
export const STORE_OPTION = [
  '--store <name>',
  'the configured store to act on (default: the primary store, QUAYSIDE_STORE)',
] as const;

/**
 * The store a script acts on (`--store`, validated against the configured stores; the primary one
 * when absent) and the queue prefix its processes run on, as that store's workers poll them.
 */
export function storeOfScript(config: Config, name?: string): { store: string; taskQueuePrefix: string } {
  const store = storeNamed(config, name).name;
  return {
    store,
    taskQueuePrefix: storeQueuePrefix(config.TEMPORAL_TASK_QUEUE_PREFIX, store, config.QUAYSIDE_STORE),
  };
}
