import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { UPDATE_FAILURES, type UpdateFailureType } from '../domain/failures';
import { describeZodError } from '../domain/zod-errors';
import type { StartOutcome } from '../platform/temporal-client';

/** An error with a stable code (`ORDER.NOT_FOUND`) and the HTTP status it maps to. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (code: string, message: string) => new ApiError(404, code, message);
/** A start found its process already there for another request or event. */
export const inProcess = (code: string, message: string) => new ApiError(409, code, message);

/** The status and stable code the API answers one failure type with. */
interface FailureAnswer {
  status: number;
  code: string;
}

const conflict = (code: string): FailureAnswer => ({ status: 409, code });
const A = UPDATE_FAILURES.approval;
const O = UPDATE_FAILURES.order;
const R = UPDATE_FAILURES.returnInspection;

/**
 * The one table of the failure types the processes' update validators refuse with (declared in
 * their contracts, domain/contracts/*, and listed in `UPDATE_FAILURES`), with the HTTP status and
 * stable code the API answers each with. It must name every one of them: the type checker refuses
 * a contract's new failure type until it has its answer here.
 */
export const FAILURE_ANSWERS: Record<UpdateFailureType, FailureAnswer> = {
  [A.notPending]: conflict('APPROVAL.NOT_PENDING'),
  [A.limitExceeded]: { status: 403, code: 'APPROVAL.LIMIT_EXCEEDED' },
  [A.currencyMismatch]: { status: 403, code: 'APPROVAL.CURRENCY_MISMATCH' },
  [A.roleNotAllowed]: { status: 403, code: 'APPROVAL.ROLE_NOT_ALLOWED' },
  [A.outcomeNotAllowed]: { status: 422, code: 'APPROVAL.OUTCOME_NOT_ALLOWED' },
  [A.invalid]: { status: 422, code: 'APPROVAL.DECISION_INVALID' },
  [O.notParked]: conflict('ORDER.NOT_PARKED'),
  [O.fixMismatch]: conflict('ORDER.FIX_MISMATCH'),
  [O.notArrived]: conflict('ORDER.NOT_ARRIVED'),
  [O.finished]: conflict('ORDER.FINISHED'),
  [O.lineNotCancellable]: conflict('ORDER.LINE_NOT_CANCELLABLE'),
  [R.notAwaitingInspection]: conflict('RETURN.INSPECTION_REFUSED'),
  [R.alreadyInspected]: conflict('RETURN.INSPECTION_REFUSED'),
  [R.inspectionInvalid]: conflict('RETURN.INSPECTION_REFUSED'),
};

/** The answer to an update refused with this failure type, or undefined for a type no contract declares. */
export const failureAnswer = (type: string | undefined): FailureAnswer | undefined =>
  Object.hasOwn(FAILURE_ANSWERS, type ?? '') ? FAILURE_ANSWERS[type as UpdateFailureType] : undefined;

/** How a route answers for one process when Temporal refuses a call on it. */
export interface ProcessAnswers {
  /** No such process (or one the caller may not see). */
  notFound: ApiError;
  /**
   * The process exists but has finished: Temporal refuses a closed workflow's signals and updates
   * as "not found". Told apart from a missing process only when the route gives this answer.
   */
  finished?: ApiError;
  /** A start from a request found the process there for another request (409). */
  taken?: ApiError;
}

/** True when Temporal answered that the process is not running: it finished, or never was. */
export const processGone = (err: unknown) => err instanceof WorkflowNotFoundError;

/**
 * The one Temporal → HTTP mapping, for a call on one process (a query, signal or update):
 * "not found" → `notFound` (404), or `finished` for a process that has ended; an update refused with
 * a contract's failure type → that type's status and code from `FAILURE_ANSWERS`. ("Already started"
 * belongs to starts: `answerStart`.) Anything else — an update failing for a reason no contract
 * declares included — is not the caller's doing and reaches the error middleware as a 500.
 */
export async function onProcess<T>(
  handle: WorkflowHandle,
  call: (handle: WorkflowHandle) => Promise<T>,
  answers: ProcessAnswers,
): Promise<T> {
  try {
    return await call(handle);
  } catch (err) {
    if (processGone(err)) {
      const ended =
        answers.finished &&
        (await handle.describe().then(
          () => true,
          () => false,
        ));
      throw ended ? answers.finished : answers.notFound;
    }
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const known = failureAnswer(err.cause.type ?? undefined);
      if (known) throw new ApiError(known.status, known.code, err.cause.message);
    }
    throw err;
  }
}

/**
 * "Already started", as HTTP: 202 when the request started the process, 200 when it is there for
 * this same event (a retried request), and the route's `taken` (409) when it is there for another.
 */
export function answerStart(outcome: StartOutcome, taken: ApiError): 200 | 202 {
  if (outcome === 'taken') throw taken;
  return outcome === 'started' ? 202 : 200;
}

/**
 * Saves a configuration whose value is checked as it is saved: a value the save refuses (a zod
 * error) is a 400 with `code`, naming each bad field under `where`.
 */
export async function savedOrInvalid<T>(save: () => Promise<T>, code: string, where: string): Promise<T> {
  try {
    return await save();
  } catch (err) {
    if (err instanceof z.ZodError) {
      const { message, fields } = describeZodError(err, where);
      throw new ApiError(400, code, message, { fields });
    }
    throw err;
  }
}

/** Validates and replaces `req.body` / `req.query` / `req.params` with the parsed value; 400 names each bad field. */
export function validate<B = unknown, Q = unknown, P = unknown>(schemas: {
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
}): RequestHandler {
  const handler: RequestHandler = (req, _res, next) => {
    for (const where of ['params', 'query', 'body'] as const) {
      const schema = schemas[where];
      if (!schema) continue;
      const parsed = schema.safeParse(req[where]);
      if (!parsed.success) {
        const { message, fields } = describeZodError(parsed.error, where);
        next(new ApiError(400, 'REQUEST.INVALID', message, { fields }));
        return;
      }
      if (where === 'query') Object.defineProperty(req, 'query', { value: parsed.data, writable: true });
      else (req as unknown as Record<string, unknown>)[where] = parsed.data;
    }
    next();
  };
  // The OpenAPI document is read off these, so it always matches what is validated.
  return Object.assign(handler, { openapi: { schemas } });
}

/** Body-parser's error types (http-errors `type`), as the stable codes and words a client reads. */
const PARSER_ERRORS: Record<string, { code: string; message: string }> = {
  'entity.parse.failed': { code: 'REQUEST.MALFORMED_JSON', message: 'The request body is not valid JSON.' },
  'entity.too.large': {
    code: 'REQUEST.TOO_LARGE',
    message: 'The request body is larger than this endpoint accepts.',
  },
  'entity.verify.failed': { code: 'REQUEST.INVALID', message: 'The request body was refused.' },
  'encoding.unsupported': {
    code: 'REQUEST.UNSUPPORTED_ENCODING',
    message: 'The Content-Encoding is not accepted.',
  },
  'charset.unsupported': {
    code: 'REQUEST.UNSUPPORTED_CHARSET',
    message: 'The request charset is not accepted; send UTF-8.',
  },
  'request.aborted': { code: 'REQUEST.ABORTED', message: 'The request was aborted before its body arrived.' },
  'request.size.invalid': {
    code: 'REQUEST.INVALID',
    message: 'The request body is shorter or longer than its Content-Length.',
  },
  'stream.encoding.set': { code: 'REQUEST.INVALID', message: 'The request body could not be read.' },
};

/**
 * A client mistake reported by Express or body-parser (an http-error with a 4xx status, such as an
 * undecodable `%ff` in the path or a body over the limit) as a stable code; null for anything else.
 */
function clientMistake(err: unknown): { status: number; code: string; message: string } | null {
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown; expose?: unknown } | null;
  const status = Number(e?.status ?? e?.statusCode);
  if (!Number.isInteger(status) || status < 400 || status > 499) return null;
  const known = typeof e?.type === 'string' ? PARSER_ERRORS[e.type] : undefined;
  if (known) return { status, ...known };
  if (err instanceof URIError)
    return {
      status: 400,
      code: 'REQUEST.MALFORMED_PATH',
      message: 'The request path is not valid percent-encoded UTF-8.',
    };
  return { status, code: 'REQUEST.INVALID', message: 'The request could not be read.' };
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const requestId = String(req.id ?? '');
  if (err instanceof ApiError) {
    res.status(err.status).json({
      code: err.code,
      message: err.message,
      requestId,
      ...(err.details ? { details: err.details } : {}),
    });
    return;
  }
  const client = clientMistake(err);
  if (client) {
    res.status(client.status).json({ code: client.code, message: client.message, requestId });
    return;
  }
  req.log?.error({ err }, 'unhandled error');
  res
    .status(500)
    .json({ code: 'INTERNAL', message: 'Internal error; the request id is in the server log.', requestId });
};
