import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import * as workflows from '../../workflows';
import { workflowBundle } from '../../workers/worker';
import { HISTORIES_ROOT } from '../support/histories';

/** Every workflow type the worker runs: each exported async function of workflows/index.ts. */
const WORKFLOW_TYPES = Object.entries(workflows)
  .filter(([, value]) => typeof value === 'function' && value.constructor.name === 'AsyncFunction')
  .map(([name]) => name)
  .sort();

/** Release folders (`0.1.0`, `1.2.0-rc.1`), oldest first; anything else (e.g. `retired/`) is not replayed. */
const RELEASE = /^(\d+)\.(\d+)\.(\d+)(-[\w.]+)?$/;
const versions = fs
  .readdirSync(HISTORIES_ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && RELEASE.test(d.name))
  .map((d) => d.name)
  .sort((a, b) => {
    const [x = [], y = []] = [a, b].map((v) => (RELEASE.exec(v) ?? []).slice(1, 4).map(Number));
    return x.reduce((d, n, i) => d || n - (y[i] ?? 0), 0) || a.localeCompare(b);
  });
const newest = versions.at(-1);

function load(version: string) {
  const dir = path.join(HISTORIES_ROOT, version);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'workflow-types.json')
    .sort()
    .map((file) => {
      const history = temporal.api.history.v1.History.fromObject(
        JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')),
      );
      const started = history.events[0]?.workflowExecutionStartedEventAttributes;
      // Replayed under the id it ran with: workflows derive ids (approvals, ERP keys) from their own.
      return {
        file,
        workflowId: started?.workflowId ?? file,
        history,
        type: started?.workflowType?.name ?? '',
      };
    });
}

/**
 * Replays the histories every release recorded (test/histories/<version>/) against today's
 * workflow code: a change to a workflow's commands without `patched()` fails here.
 */
describe('recorded workflow histories replay deterministically', () => {
  it('has histories of at least one release', () => {
    expect(versions.length).toBeGreaterThan(0);
  });

  // Each release folder lists the workflow types that release ran (workflow-types.json, written
  // when its histories were recorded); a type added since then gets its histories at the next release.
  it.each(versions)('release %s has a history of every workflow type it ran', (version) => {
    const ran = JSON.parse(
      fs.readFileSync(path.join(HISTORIES_ROOT, version, 'workflow-types.json'), 'utf8'),
    ) as string[];
    const types = new Set(load(version).map((h) => h.type));
    expect(ran.length).toBeGreaterThan(0);
    expect(ran.filter((t) => !types.has(t))).toEqual([]);
  });

  it('every workflow type the newest release ran is still registered (or its histories moved to retired/)', () => {
    const ran = JSON.parse(
      fs.readFileSync(path.join(HISTORIES_ROOT, newest ?? '', 'workflow-types.json'), 'utf8'),
    ) as string[];
    expect(ran.filter((t) => !WORKFLOW_TYPES.includes(t))).toEqual([]);
  });

  it.each(versions)('release %s: each history replays without a nondeterminism error', async (version) => {
    const histories = load(version);
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: await workflowBundle() },
      histories,
    )) {
      replayed += 1;
      const file = histories.find((h) => h.workflowId === result.workflowId)?.file;
      if (result.error) failures.push(`${version}/${file}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(histories.length);
  });
});
