/** Returns and refunds as the storefront sends them; their zod schemas are in schemas/returns.ts. */
export type { ReturnRequest, StorefrontReturnEvent, StorefrontRefundEvent } from './schemas/returns';

export const RETURN_EVENT_SIGNAL = 'storefrontReturnEvent';
export const REFUND_EVENT_SIGNAL = 'storefrontRefundEvent';
