import { proxyActivities } from '@temporalio/workflow';
import type { SlaActivities, SlaCheckResult } from '../activities/sla';
import type { SlaCheckInput } from '../domain/contracts/sla-check';
import { PROFILES } from './activity-profiles';

const { checkSlas } = proxyActivities<SlaActivities>(PROFILES.slaPass);

/**
 * One pass of the SLA checker over a store, started by the store's SLA schedule. It reads the read
 * models and raises or resolves alerts; it never signals or changes the processes it measures.
 */
export async function slaCheck(input: SlaCheckInput): Promise<SlaCheckResult> {
  return checkSlas({ store: input.store });
}
