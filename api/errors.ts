import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { APPROVAL_FAILURE, RETURN_FAILURES } from '../domain/failures';
import { describeZodError } from '../domain/zod-errors';

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

/**
 * The one table of the failure types a process's update validator (or handler) throws, with the
 * HTTP status and stable code the API answers each with. A failure type not listed here is answered
 * by the route's `refused` (see `onProcess`).
 */
const FAILURE_ANSWERS = new Map<string, { status: number; code: string }>([
  [APPROVAL_FAILURE.notPending, { status: 409, code: 'APPROVAL.NOT_PENDING' }],
  [APPROVAL_FAILURE.limitExceeded, { status: 403, code: 'APPROVAL.LIMIT_EXCEEDED' }],
  [APPROVAL_FAILURE.currencyMismatch, { status: 403, code: 'APPROVAL.CURRENCY_MISMATCH' }],
  [APPROVAL_FAILURE.roleNotAllowed, { status: 403, code: 'APPROVAL.ROLE_NOT_ALLOWED' }],
  [APPROVAL_FAILURE.outcomeNotAllowed, { status: 422, code: 'APPROVAL.OUTCOME_NOT_ALLOWED' }],
  [APPROVAL_FAILURE.invalid, { status: 422, code: 'APPROVAL.DECISION_INVALID' }],
  [RETURN_FAILURES.notAwaitingInspection, { status: 409, code: 'RETURN.INSPECTION_REFUSED' }],
  [RETURN_FAILURES.alreadyInspected, { status: 409, code: 'RETURN.INSPECTION_REFUSED' }],
  [RETURN_FAILURES.inspectionInvalid, { status: 409, code: 'RETURN.INSPECTION_REFUSED' }],
]);

/** How a route answers for one process when Temporal refuses a call on it. */
export interface ProcessAnswers {
  /** No such process (or one the caller may not see). */
  notFound: ApiError;
  /**
   * The process exists but has finished: Temporal refuses a closed workflow's signals and updates
   * as "not found". Told apart from a missing process only when the route gives this answer.
   */
  finished?: ApiError;
  /** An update refused with a failure type the table does not list; without it such a refusal is a 500. */
  refused?: (message: string) => ApiError;
}

/** True when Temporal answered that the process is not running: it finished, or never was. */
export const processGone = (err: unknown) => err instanceof WorkflowNotFoundError;

/**
 * The one Temporal → HTTP mapping, for a call on one process (a query, signal or update):
 * "not found" → `notFound` (404), or `finished` for a process that has ended; an update refused with
 * a failure type in the table → that status and code; any other refused update → `refused`.
 * ("Already started" belongs to starts: `startOnce`, 202 for a start and 200 for the same event again.)
 * Anything else is not the caller's doing and reaches the error middleware as a 500.
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
    if (err instanceof WorkflowUpdateFailedError) {
      const message = err.cause?.message ?? err.message;
      const known =
        err.cause instanceof ApplicationFailure ? FAILURE_ANSWERS.get(err.cause.type ?? '') : undefined;
      if (known) throw new ApiError(known.status, known.code, message);
      if (answers.refused) throw answers.refused(message);
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
