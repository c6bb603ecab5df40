import { flowChanges, type FlowChange, type FlowSnapshot } from '../domain/flow-switches';
import { versionedConfig } from './config-versions';
import type { Db, DbClient } from './pool';
import { FlowSwitches } from '../domain/schemas/flow-switches';

/** One store's flow switches, kept like the business rules: validated, each save a version with who and why. */
export const flowSwitchesConfig = (store: string) => versionedConfig(`flow-switches:${store}`, FlowSwitches);

/** The switches a process starting now snapshots (version 0: every flow on, both ways where it has both). */
export async function flowSnapshot(db: Db | DbClient, store: string): Promise<FlowSnapshot> {
  const current = await flowSwitchesConfig(store).current(db);
  return { version: current.version, switches: current.value };
}

export interface FlowAuditEntry {
  version: number;
  createdAt?: string;
  createdBy?: string;
  comment?: string | null;
  /** What this version changed against the one before it (the built-in defaults before version 1). */
  changes: FlowChange[];
}

/** Who changed which switch when, with the value before and after, newest first. */
export async function flowAudit(db: Db, store: string, limit = 50): Promise<FlowAuditEntry[]> {
  const versions = await flowSwitchesConfig(store).versions(db, limit + 1);
  const defaults = FlowSwitches.parse({});
  return versions.slice(0, limit).map((v, i) => ({
    version: v.version,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
    comment: v.comment,
    changes: flowChanges(versions[i + 1]?.value ?? defaults, v.value),
  }));
}
