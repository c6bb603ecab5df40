import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitProfiles } from '../../bench/_cpu-split';

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url, scriptId: '0', lineNumber: 0, columnNumber: 0 },
  hitCount: 0,
  children,
});

/** A profile whose samples (one per ms from startTime) land on the given node ids. */
function profile(nodes: ReturnType<typeof frame>[], samples: number[], startTime = 1_000_000) {
  return {
    nodes,
    startTime,
    endTime: startTime + samples.length * 1000,
    samples,
    timeDeltas: samples.map(() => 1000),
  };
}

describe('bench/_cpu-split.ts', () => {
  it('charges each sample in the window to the first category on its stack, per order', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpu-split-'));
    const root = 'file:///q/';
    const main = [
      frame(1, '(root)', '', [2, 3, 7, 8]),
      frame(2, 'loadOrder', `${root}activities/orders.ts`, [4, 5]),
      frame(3, '(idle)', ''),
      frame(4, 'query', `${root}node_modules/pg/lib/client.js`),
      frame(5, 'info', `${root}platform/logger.ts`, [6]),
      frame(6, 'write', `${root}node_modules/sonic-boom/index.js`),
      frame(7, 'toPayload', `${root}node_modules/@temporalio/common/lib/converter/payload-converter.js`),
      frame(8, '(garbage collector)', ''),
    ];
    // pg ×3, logging ×2, activity self ×1, payload ×1, GC ×1, idle ×2 (not counted), one sample after the window
    fs.writeFileSync(
      path.join(dir, 'CPU.20261201.120000.42.0.001.cpuprofile'),
      JSON.stringify(profile(main, [4, 4, 4, 6, 5, 2, 7, 8, 3, 3, 4])),
    );
    const wf = [
      frame(1, '(root)', '', [2]),
      frame(
        2,
        'runWorkflow',
        `${root}node_modules/@temporalio/worker/lib/workflow/workflow-worker-thread.js`,
        [3],
      ),
      frame(3, 'step', 'workflow-bundle-abc.js', [4]),
      frame(4, 'query', `${root}node_modules/pg/lib/client.js`),
    ];
    // On a workflow thread every sample is a workflow activation, whatever its frames say.
    fs.writeFileSync(
      path.join(dir, 'CPU.20261201.120000.42.3.002.cpuprofile'),
      JSON.stringify(profile(wf, [3, 4])),
    );
    const split = splitProfiles(dir, { startUs: 1_000_000, endUs: 1_010_500, orders: 2, procCpuMs: 20 });
    expect(split.perOrderMs).toMatchObject({
      Postgres: 1.5,
      logging: 1,
      'local activities': 0.5,
      'payload conversion and codec': 0.5,
      'garbage collection': 0.5,
      'workflow activations': 1,
      'native threads, not sampled': 5,
    });
    expect(split.sampledCpuMsPerOrder).toBe(5);
    expect(split.procCpuMsPerOrder).toBe(10);
  });
});
