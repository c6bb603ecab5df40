import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { BaselineActivities } from './activities';

const local = proxyLocalActivities<BaselineActivities>({ startToCloseTimeout: '10 seconds' });
const remote = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds' });

/**
 * The engine's own floor for an order: the same sequence of local ('L') and remote ('R') activity
 * calls a real order makes before its ERP sales order, with no business logic at all.
 */
export async function orderShaped(steps: string): Promise<number> {
  let n = 0;
  for (const step of steps) {
    if (step === 'R') n += await remote.erpCall(n);
    else n += await local.step(n);
  }
  return n;
}
