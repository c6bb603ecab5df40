export * from './orderToInvoice';
export * from './shipment';
export * from './backorder';
export * from './erpEvents';
export * from './inventorySync';
export * from './returnRefund';
export * from './customerApproval';
export * from './catalogSync';
