/**
 * The return process's contract: its workflow id, the task queue it runs on and its message names.
 * The signal/query/update definitions stay in workflows/returnRefund.ts (they need @temporalio/workflow).
 */
import { workflowIdOf, type TaskQueueName } from './ids';

export { RETURN_EVENT_SIGNAL } from '../returns';

export const RETURN_TASK_QUEUE: TaskQueueName = 'returns';

export const RETURN_MESSAGES = {
  statusQuery: 'returnStatus',
  goodsReceivedSignal: 'returnGoodsReceived',
  inspectUpdate: 'inspectReturn',
} as const;

const RETURN_ID = workflowIdOf('return', ['store', 'returnId']);

/** One return process per storefront return. */
export const returnWorkflowId = (store: string, returnId: string) => RETURN_ID.build({ store, returnId });
export const parseReturnWorkflowId = RETURN_ID.parse;
