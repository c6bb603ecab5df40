import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { WorkflowNotFoundError } from '@temporalio/client';

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

/** Runs a call on a workflow handle; a workflow that does not exist becomes the given 404. */
export async function whenFound<T>(call: () => Promise<T>, missing: ApiError): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw missing;
    throw err;
  }
}

export function describeZodError(
  err: z.ZodError,
  where: string,
): { message: string; fields: { path: string; message: string }[] } {
  const fields = err.issues.map((i) => ({ path: [where, ...i.path].join('.'), message: i.message }));
  return { message: fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields };
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
  if ((err as { type?: string }).type === 'entity.parse.failed') {
    res
      .status(400)
      .json({ code: 'REQUEST.MALFORMED_JSON', message: 'The request body is not valid JSON.', requestId });
    return;
  }
  req.log?.error({ err }, 'unhandled error');
  res
    .status(500)
    .json({ code: 'INTERNAL', message: 'Internal error; the request id is in the server log.', requestId });
};
