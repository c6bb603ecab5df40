import { flowSnapshot, flowSwitchesConfig } from '../db/flow-switches';
import type { Db } from '../db/pool';
import { flowRuns, type Flow, type FlowSnapshot, type OneWay } from '../domain/flow-switches';

/**
 * What a sync page does under the switches its run snapshotted: `run`; `skip` (the flow is off in
 * this direction: nothing is read, no cursor moves); or `resnapshot` (the switches changed since the
 * run started: the run ends and the next one snapshots them again).
 */
export type FlowGate = 'run' | 'skip' | 'resnapshot';

export async function flowGate(
  db: Db,
  store: string,
  snapshot: FlowSnapshot | undefined,
  flow: Flow,
  direction: OneWay,
): Promise<FlowGate> {
  // A run started before switches existed has no snapshot: it runs as it always did.
  if (!snapshot) return 'run';
  const current = await flowSwitchesConfig(store).current(db);
  if (current.version !== snapshot.version) return 'resnapshot';
  return flowRuns(snapshot.switches, flow, direction) ? 'run' : 'skip';
}

export function createFlowActivities({ db }: { db: Db }) {
  return {
    /** The store's flow switches now; a process snapshots them when it starts. */
    async snapshotFlows(input: { store: string }): Promise<FlowSnapshot> {
      return flowSnapshot(db, input.store);
    },
  };
}

export type FlowActivities = ReturnType<typeof createFlowActivities>;
