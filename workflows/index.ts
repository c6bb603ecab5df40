export * from './orderToInvoice';
