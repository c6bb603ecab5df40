export {
  createNetSuiteClient,
  netSuiteConfigFrom,
  type NetSuiteClient,
  type NetSuiteConfig,
  type SuiteQlPage,
} from './client';
export { ConcurrencyBudget, sharedBudget, type ErpBudget, type Priority } from './budget';
export {
  NetSuiteError,
  depositField,
  salesOrderField,
  salesOrderRejected,
  type NetSuiteErrorDetail,
} from './errors';
export { authorizationHeader, signatureBaseString, type TbaCredentials } from './oauth';
