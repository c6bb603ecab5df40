import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';

/** Histories recorded by each release live in `test/histories/<version>/`; the replay test reads them all. */
export const HISTORIES_ROOT = path.join(__dirname, '..', 'histories');

/** Set by `scripts/record-histories.ts` to the release being recorded (package.json's version). */
export const RECORD_ENV = 'QUAYSIDE_RECORD_HISTORIES';

/**
 * Saves a workflow's history as `test/histories/<version>/<name>.json` while a release is being
 * recorded (see docs/versioning.md). Outside a recording run this does nothing, and it never
 * overwrites a file: a release's histories are what that release wrote, not regenerated later.
 */
export async function recordHistory(client: Client, workflowId: string, name: string): Promise<void> {
  const version = process.env[RECORD_ENV];
  if (!version) return;
  const file = path.join(HISTORIES_ROOT, version, `${name}.json`);
  if (fs.existsSync(file)) return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(history));
}
