export { returnRefund } from '../../workflows/returnRefund';
export { customerApproval } from '../../workflows/customerApproval';
