import { ApplicationFailure } from '@temporalio/workflow';
import type { UpdateFailureType } from '../domain/failures';

/**
 * An update validator's refusal: a non-retryable failure whose type one of the process contracts
 * declares (`UPDATE_FAILURES`), so the API answers it with that type's status and code.
 */
export const refusal = (type: UpdateFailureType, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });
