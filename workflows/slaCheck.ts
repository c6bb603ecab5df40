import { proxyActivities } from '@temporalio/workflow';
import type { SlaActivities, SlaCheckResult } from '../activities/sla';

export interface SlaCheckInput {
  store: string;
}

const { checkSlas } = proxyActivities<SlaActivities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
  },
});

/**
 * One pass of the SLA checker over a store, started by the store's SLA schedule. It reads the read
 * models and raises or resolves alerts; it never signals or changes the processes it measures.
 */
export async function slaCheck(input: SlaCheckInput): Promise<SlaCheckResult> {
  return checkSlas({ store: input.store });
}
