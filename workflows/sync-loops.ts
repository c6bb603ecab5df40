import { patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { FlowActivities } from '../activities/flows';
import type { FlowSnapshot } from '../domain/flow-switches';
import { PROFILES } from './activity-profiles';

/**
 * The loops the syncs share: the store's flow switches a run starts with, a change cursor followed
 * round by round, and passes over pages or batches of the ERP's data. Each makes the same activity
 * calls in the same order as the loops it replaced, so recorded histories replay unchanged.
 */

/** The flow-switch snapshot by the profile each sync has always read it with. */
const SNAPSHOTS = {
  localRecord: proxyActivities<FlowActivities>(PROFILES.localRecord),
  local: proxyActivities<FlowActivities>(PROFILES.local),
};

/** Rounds of a change cursor between continue-as-new. */
const ROUNDS_PER_RUN = 500;

/**
 * The store's flow switches as this run starts with them: a change ends the run and the next one
 * takes it. A run recorded before the switches existed has none.
 */
export async function flowsOfRun(
  store: string,
  profile: keyof typeof SNAPSHOTS = 'localRecord',
): Promise<FlowSnapshot | undefined> {
  return patched('flow-switches') ? await SNAPSHOTS[profile].snapshotFlows({ store }) : undefined;
}

/**
 * Follows a change cursor for one run: a page a round, then a pause of `pollIntervalSeconds` when it
 * has caught up. The run ends early when the store's flow switches changed since it snapshotted them
 * (the next run takes them), or when `enough()` says so after a round.
 */
export async function followChanges<P extends { hasMore: boolean; flowGate?: string }>(opts: {
  pollIntervalSeconds: number;
  next: () => Promise<P>;
  take: (page: P) => void;
  enough?: () => boolean;
}): Promise<void> {
  for (let round = 0; round < ROUNDS_PER_RUN; round++) {
    const page = await opts.next();
    if (page.flowGate === 'resnapshot') break;
    opts.take(page);
    if (!page.hasMore) await sleep(`${opts.pollIntervalSeconds} seconds`);
    if (opts.enough?.()) break;
  }
}

/** Reads pages until one says there are no more. */
export async function eachPage<P extends { hasMore: boolean }>(
  next: () => Promise<P>,
  take: (page: P) => void,
): Promise<void> {
  for (let more = true; more;) {
    const page = await next();
    take(page);
    more = page.hasMore;
  }
}

/** Reads batches keyed by the last one's `last` until a batch comes back without one. */
export async function eachBatch<B extends { last: string | null }>(
  next: (after: string | null) => Promise<B>,
  take: (batch: B) => void,
): Promise<void> {
  for (let after: string | null = null; ;) {
    const batch = await next(after);
    take(batch);
    if (batch.last === null) break;
    after = batch.last;
  }
}

/** A status's running totals, each at zero. */
export function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/** Adds a page's counts to a status's running totals, field by field. */
export function addCounts<K extends string>(
  totals: Record<K, number>,
  page: Record<K, number>,
  keys: readonly K[],
): void {
  for (const k of keys) totals[k] += page[k];
}
