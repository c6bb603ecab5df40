export * from './types';
export { createWebhookNotifier, signNotification, verifyNotification, SIGNATURE_HEADER, TIMESTAMP_HEADER, NOTIFICATION_ID_HEADER } from './webhook';
