import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../../workers/worker';
import { HISTORIES_DIR } from './harness';

/** Replays saved histories of every order-side workflow against today's workflow code. */
describe('order workflow histories replay deterministically', () => {
  it('replays each saved history without a nondeterminism error', async () => {
    const files = fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));
    const types = new Set<string>();
    const histories = files.map((file) => {
      const history = temporal.api.history.v1.History.fromObject(
        JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')),
      );
      types.add(history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '');
      return { workflowId: path.basename(file, '.json'), history };
    });
    expect([...types].sort()).toEqual(['backorder', 'erpEvents', 'orderToInvoice', 'shipment']);
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: await workflowBundle() },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
    expect(histories.length).toBeGreaterThanOrEqual(7);
  });
});
