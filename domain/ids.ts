/**
 * Workflow ids and task queues now live in each process's contract module (domain/contracts/); this
 * module only re-exports them for older imports.
 */
export {
  backorderWorkflowId,
  customerSyncWorkflowId,
  customerWorkflowId,
  orderWorkflowId,
  returnWorkflowId,
  shipmentWorkflowId,
  TASK_QUEUES,
  taskQueue,
  type TaskQueueName,
} from './contracts';
