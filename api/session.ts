import { randomBytes } from 'node:crypto';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import { csrfSync } from 'csrf-sync';
import type { Db } from '../db/pool';
import { parseApiKey, principalRepository, type Principal } from '../db/principals';
import { guardFor } from './brute-force';
import type { Config } from '../platform/config';
import type { Logger } from '../platform/logger';
import { StartupError } from '../platform/main';
import { ApiError } from './errors';

declare module 'express-session' {
  interface SessionData {
    principalId?: string;
    /** The id (never the secret) of the API key the user signed in with: revoking it ends the session. */
    keyId?: string;
    /** Epoch milliseconds of the sign-in, for the absolute expiry. */
    signedInAt?: number;
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The principal of a live, signed-in browser session (set by `webSessions`). */
      sessionPrincipal?: Principal;
    }
  }
}

export const SESSION_COOKIE = 'quayside.sid';

export interface SessionSettings {
  /** Cookie-signing secrets, newest first. */
  secrets: string[];
  idleMinutes: number;
  maxHours: number;
  /** true: always Secure (the public URL is https); 'auto': Secure whenever the request came over https. */
  secureCookie: boolean | 'auto';
}

/**
 * Session settings from configuration. Production needs SESSION_SECRET; elsewhere a random secret
 * per process is used when it is unset (a restart then signs everyone out).
 */
export function sessionSettingsFrom(
  config: Pick<
    Config,
    'NODE_ENV' | 'SESSION_SECRET' | 'SESSION_IDLE_MINUTES' | 'SESSION_MAX_HOURS' | 'API_PUBLIC_URL'
  >,
): SessionSettings {
  const secrets = (config.SESSION_SECRET ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (secrets.length === 0 && config.NODE_ENV === 'production')
    throw new StartupError(
      'SESSION_SECRET is not set: production needs a secret of its own to sign session cookies (e.g. `openssl rand -base64 32`).',
    );
  return {
    secrets: secrets.length ? secrets : [randomBytes(32).toString('base64url')],
    idleMinutes: config.SESSION_IDLE_MINUTES,
    maxHours: config.SESSION_MAX_HOURS,
    secureCookie: config.API_PUBLIC_URL?.startsWith('https:') ? true : 'auto',
  };
}

const escape = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** Only a path on this server: never another origin (`//evil.example`, `/\evil.example`). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/dashboard';
}

/** Headers for every page that shows business data: never cached, never framed, no scripts. */
export function pageHeaders(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'same-origin');
}

const presentsApiKey = (req: Request) => Boolean(req.headers.authorization || req.headers['x-api-key']);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function loginPage(opts: { csrfToken: string; next: string; problem?: string; notice?: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Quayside — sign in</title>
<style>body{font:15px system-ui,sans-serif;margin:4rem auto;max-width:28rem}label,input,button{display:block;width:100%;box-sizing:border-box}input{margin:.4rem 0 1rem;padding:.5rem;font:inherit}button{padding:.5rem;font:inherit}.problem{color:#b00020}.notice{color:#205020}</style>
</head><body>
<h1>Sign in to Quayside</h1>
${opts.problem ? `<p class="problem" role="alert" id="problem">${escape(opts.problem)}</p>` : ''}${opts.notice ? `<p class="notice" id="notice">${escape(opts.notice)}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${escape(opts.csrfToken)}">
<input type="hidden" name="next" value="${escape(opts.next)}">
<label for="apiKey">Your Quayside key</label>
<input id="apiKey" name="apiKey" type="password" autocomplete="current-password" required placeholder="qk_…">
<button type="submit">Sign in</button>
</form>
<p>No key yet? An administrator creates one with <code>npm run users -- create --name "…" --role operator</code>.</p>
</body></html>`;
}

const promisify = (req: Request, what: 'regenerate' | 'save' | 'destroy') => () =>
  new Promise<void>((resolve, reject) =>
    req.session[what]((err: unknown) => (err ? reject(err as Error) : resolve())),
  );

/**
 * Browser sign-in for the pages with business data, with the same identities, keys and roles as the
 * API: a user signs in with their Quayside key, and the server keeps a session in Postgres
 * (`web_sessions`) whose id travels in an HttpOnly, SameSite=Lax cookie (Secure over https).
 * Every request re-checks the principal and the key, so disabling a user or revoking the key ends
 * the session at once. Sessions end after `idleMinutes` without a request and `maxHours` after
 * sign-in. Every state-changing request made with the cookie carries the session's CSRF token
 * (synchroniser token: form field `_csrf` or header `X-CSRF-Token`).
 */
export function webSessions({ db, log, settings }: { db: Db; log: Logger; settings: SessionSettings }) {
  const principals = principalRepository(db);
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool: db,
    tableName: 'web_sessions',
    createTableIfMissing: false,
    errorLog: (...args: unknown[]) => log.error({ detail: args.map(String) }, 'session store error'),
  });
  const idleMs = settings.idleMinutes * 60_000;
  const maxMs = settings.maxHours * 3_600_000;
  const csrf = csrfSync({
    size: 32,
    getTokenFromRequest: (req) =>
      (req.headers['x-csrf-token'] as string | undefined) ??
      ((req.body as Record<string, unknown> | undefined)?._csrf as string | undefined),
  });

  const cookieSessions = session({
    name: SESSION_COOKIE,
    secret: settings.secrets,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: { httpOnly: true, sameSite: 'lax', secure: settings.secureCookie, maxAge: idleMs, path: '/' },
  });

  /** Resolves the session's principal; an expired, disabled or revoked one is replaced by an empty session. */
  const signedIn: RequestHandler = async (req, _res, next) => {
    req.csrfToken = (overwrite?: boolean) => csrf.generateToken(req, overwrite);
    const s = req.session;
    if (!s.principalId) {
      next();
      return;
    }
    const expired = !s.signedInAt || Date.now() - s.signedInAt > maxMs;
    const principal = expired || !s.keyId ? null : await principals.activeWithKey(s.principalId, s.keyId);
    if (!principal) {
      await promisify(req, 'regenerate')();
      next();
      return;
    }
    req.sessionPrincipal = principal;
    next();
  };

  /** A state change made with the session cookie (no API key) needs the session's CSRF token. */
  const csrfGuard: RequestHandler = (req, _res, next) => {
    // The sign-in and sign-out forms check their own token once their form body is read.
    const ownCheck = req.path === '/login' || req.path === '/logout';
    if (SAFE_METHODS.has(req.method) || ownCheck || !req.sessionPrincipal || presentsApiKey(req)) {
      next();
      return;
    }
    if (!csrf.isRequestValid(req)) {
      next(
        new ApiError(
          403,
          'AUTH.CSRF',
          'This request was made with a sign-in cookie but without its CSRF token (X-CSRF-Token); reload the page and try again.',
        ),
      );
      return;
    }
    next();
  };

  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 10 });
  const router = Router();
  router.get('/login', (req, res) => {
    pageHeaders(res);
    if (req.sessionPrincipal) {
      res.redirect(303, safeNext(req.query.next));
      return;
    }
    res.type('html').send(
      loginPage({
        csrfToken: csrf.generateToken(req),
        next: safeNext(req.query.next),
        notice: req.query.signedOut !== undefined ? 'You are signed out.' : undefined,
      }),
    );
  });

  router.post('/login', form, async (req, res) => {
    pageHeaders(res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    if (!csrf.isRequestValid(req)) {
      res
        .status(403)
        .type('html')
        .send(
          loginPage({
            csrfToken: csrf.generateToken(req, true),
            next,
            problem: 'The sign-in form had expired. Please sign in again.',
          }),
        );
      return;
    }
    const key = typeof body.apiKey === 'string' ? body.apiKey.trim() : '';
    // The API's brute-force allowance (per key id and per address) holds for the sign-in form too.
    const guard = guardFor(db);
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const guessedKeyId = parseApiKey(key)?.keyId ?? null;
    const tooMany = (blocked: ApiError) => {
      res
        .status(blocked.status)
        .type('html')
        .send(
          loginPage({
            csrfToken: csrf.generateToken(req, true),
            next,
            problem: 'Too many failed sign-ins. Wait a while, then try again.',
          }),
        );
    };
    const blocked = await guard.refusal(res, guessedKeyId, address);
    if (blocked) return tooMany(blocked);
    const principal = key ? await principals.authenticate(key) : null;
    const keyId = principals.keyIdOf(key);
    if (!principal || !keyId) {
      req.log?.info({ outcome: 'refused' }, 'sign-in refused');
      const over = await guard.failed(res, guessedKeyId, address);
      if (over) return tooMany(over);
      res
        .status(401)
        .type('html')
        .send(
          loginPage({
            csrfToken: csrf.generateToken(req, true),
            next,
            problem: 'That key was not accepted. Check it, or ask an administrator for a new one.',
          }),
        );
      return;
    }
    // A new session id at sign-in: a session id planted before sign-in is worth nothing after it.
    await promisify(req, 'regenerate')();
    req.session.principalId = principal.id;
    req.session.keyId = keyId;
    req.session.signedInAt = Date.now();
    csrf.generateToken(req, true);
    await promisify(req, 'save')();
    req.log?.info({ principalId: principal.id }, 'signed in');
    res.redirect(303, next);
  });

  router.post('/logout', form, async (req, res) => {
    pageHeaders(res);
    if (req.session.principalId && !csrf.isRequestValid(req)) {
      throw new ApiError(403, 'AUTH.CSRF', 'The sign-out form had expired; reload the page and try again.');
    }
    const principalId = req.session.principalId;
    await promisify(req, 'destroy')();
    res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax' });
    if (principalId) req.log?.info({ principalId }, 'signed out');
    res.redirect(303, '/login?signedOut');
  });

  return {
    /** Session cookie, principal and CSRF checks: mount before the routers that accept a session. */
    middleware: [cookieSessions, signedIn, csrfGuard] as RequestHandler[],
    /**
     * Session cookie and principal only, without the CSRF token check: for a router that protects its
     * cookie-authenticated requests otherwise (the codec endpoint accepts them only from the one
     * allowed Origin, behind a CORS preflight).
     */
    identify: [cookieSessions, signedIn] as RequestHandler[],
    /** GET/POST /login and POST /logout. */
    router,
    close: () => store.close(),
  };
}

/** A page with business data: a signed-in session, else a redirect to the sign-in page. */
export const requireSignIn: RequestHandler = (req, res, next) => {
  pageHeaders(res);
  if (req.sessionPrincipal) {
    next();
    return;
  }
  res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
};
