import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ApprovalActivities } from '../../domain/approvals';
import type { OrderActivities } from '../../activities/orders';
import type { StorePricingActivities } from '../../activities/store-pricing';
import { PROFILES } from '../activity-profiles';

/** The order process's activities, each with its profile. */
export const erp = proxyActivities<OrderActivities>(PROFILES.erpCall);
export const storefront = proxyActivities<OrderActivities>(PROFILES.storefrontCall);
/** Quayside's own Postgres (read model, mappings, reservations, alerts), as local activities. */
export const local = proxyLocalActivities<OrderActivities>(PROFILES.local);
/** Short ERP reads on the critical path, as local activities. */
export const erpRead = proxyLocalActivities<OrderActivities>(PROFILES.erpRead);
export const approvals = proxyActivities<ApprovalActivities>(PROFILES.notify);
export const sideChannel = proxyActivities<StorePricingActivities>(PROFILES.sideChannel);
