import type { IncomingMessage } from 'node:http';
import type { RequestHandler, Response } from 'express';
import getRawBody from 'raw-body';
import { ApiError } from './errors';

/** The declared body size, or null when the request streams without a Content-Length. */
function declaredLength(req: IncomingMessage): number | null {
  const header = req.headers['content-length'];
  if (header === undefined) return null;
  const n = Number(header);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/**
 * Answers before the body is read and closes the connection afterwards, so a client that is still
 * uploading megabytes is not read to the end (body-parser would drain it first).
 */
function refuseUnread(res: Response, status: number, code: string, message: string): void {
  const req = res.req;
  res.setHeader('Connection', 'close');
  res.status(status).json({ code, message, requestId: String(req.id ?? '') });
  res.on('finish', () => req.socket.destroySoon?.());
}

const tooLarge = (limitBytes: number) =>
  `The request body is larger than the ${Math.round(limitBytes / 1024 / 1024)} MB this endpoint accepts.`;

/** Refuses a declared Content-Length over the limit with 413 before a byte of the body is read. */
export function refuseDeclaredOversize(limitBytes: number): RequestHandler {
  return (req, res, next) => {
    const length = declaredLength(req);
    if (length !== null && length > limitBytes) {
      refuseUnread(res, 413, 'REQUEST.TOO_LARGE', tooLarge(limitBytes));
      return;
    }
    next();
  };
}

/**
 * The raw request bytes as `req.body` (a Buffer), read up to `limitBytes`: a larger declared length
 * is refused at once, a stream without one is cut at the limit; either way 413 and nothing more is
 * read. `precheck` may refuse from the headers alone (an unsigned webhook) before the body is read.
 */
export function boundedRawBody(
  limitBytes: number,
  precheck?: (req: IncomingMessage) => { status: number; code: string; message: string } | null,
): RequestHandler {
  const early = refuseDeclaredOversize(limitBytes);
  return (req, res, next) => {
    early(req, res, (err?: unknown) => {
      if (err || res.headersSent) return next(err);
      const refusal = precheck?.(req);
      if (refusal) return refuseUnread(res, refusal.status, refusal.code, refusal.message);
      const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
      if (encoding !== 'identity')
        return next(
          new ApiError(415, 'REQUEST.UNSUPPORTED_ENCODING', `Content-Encoding ${encoding} is not accepted.`),
        );
      getRawBody(req, { limit: limitBytes, length: declaredLength(req) ?? undefined }).then(
        (buf) => {
          req.body = buf;
          next();
        },
        (e: { type?: string }) => {
          if (e.type === 'entity.too.large')
            refuseUnread(res, 413, 'REQUEST.TOO_LARGE', tooLarge(limitBytes));
          else if (e.type === 'request.aborted') res.destroy();
          else next(new ApiError(400, 'REQUEST.UNREADABLE', 'The request body could not be read.'));
        },
      );
    });
  };
}
