import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { SESSION_COOKIE, sessionSettingsFrom } from '../../api/session';
import type { Db } from '../../db/pool';
import { principalRepository } from '../../db/principals';
import { launchBrowser, signIn } from '../support/browser';
import { testDb, testLog } from '../support/env';

describe('signing in to the pages with business data, in a real browser', () => {
  let db: Db;
  let server: Server;
  let browser: Browser;
  let base: string;
  const principals = () => principalRepository(db);

  beforeAll(async () => {
    db = testDb();
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    server = createApp({
      temporal,
      db,
      log: testLog,
      store: 'signin',
      taskQueuePrefix: 'signin',
      sessions: { secrets: ['test-session-secret'], idleMinutes: 20, maxHours: 8, secureCookie: 'auto' },
      authFailureLimits: {
        perKey: 3,
        perAddress: 1000,
        windowSeconds: 600,
        namespace: `signin${Date.now()}`,
      },
    }).listen(0);
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await db?.end();
  });

  const newUser = async (name: string) =>
    principals().create({ name: `${name} ${Date.now()}`, role: 'operator' });

  async function sessionCookie(context: BrowserContext) {
    const cookie = (await context.cookies(base)).find((c) => c.name === SESSION_COOKIE);
    if (!cookie) throw new Error('no session cookie');
    return cookie;
  }
  /** The server-side row behind the browser's cookie (`s:<sid>.<signature>`). */
  async function sidOf(context: BrowserContext): Promise<string> {
    const value = decodeURIComponent((await sessionCookie(context)).value);
    return value.slice(2, value.lastIndexOf('.'));
  }

  it('refuses the dashboard without a session: the browser lands on the sign-in page, and a script gets no data', async () => {
    const page = await browser.newPage();
    const res = await page.goto(`${base}/dashboard`);
    expect(page.url()).toBe(`${base}/login?next=%2Fdashboard`);
    expect(res?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Sign in to Quayside');
    expect(await page.locator('#main').count()).toBe(0);
    await page.close();

    const raw = await fetch(`${base}/dashboard`, { redirect: 'manual' });
    expect(raw.status).toBe(303);
    expect(await raw.text()).not.toContain('Needs attention');
    // An API key is not a session: the page needs a signed-in browser.
    const { apiKey } = await newUser('Scripted');
    const withKey = await fetch(`${base}/dashboard`, {
      redirect: 'manual',
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(withKey.status).toBe(303);
  });

  it('signs in with a Quayside key, sets a safe cookie, names the user, and refuses a wrong key', async () => {
    const { principal, apiKey } = await newUser('Signing');
    const context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`${base}/dashboard`);
    await page.fill('#apiKey', `${apiKey.slice(0, -4)}AAAA`);
    await page.click('button[type=submit]');
    await page.waitForSelector('#problem');
    expect(await page.locator('#problem').textContent()).toContain('That key was not accepted');
    expect(await page.locator('#main').count()).toBe(0);

    await signIn(page, base, apiKey);
    expect(await page.locator('#signed-in').textContent()).toContain(`Signed in as ${principal.name}`);
    expect(await page.locator('#main').count()).toBe(1);
    const cookie = await sessionCookie(context);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
    // Idle expiry is the cookie's lifetime, renewed by each request.
    expect(cookie.expires * 1000 - Date.now()).toBeGreaterThan(19 * 60_000);
    expect(cookie.expires * 1000 - Date.now()).toBeLessThanOrEqual(20 * 60_000 + 5_000);
    // Held server-side: the row names the principal and the key id, never the key.
    const row = await db.query<{ sess: Record<string, unknown> }>(
      'SELECT sess FROM web_sessions WHERE sid = $1',
      [await sidOf(context)],
    );
    expect(row.rows[0]?.sess).toMatchObject({ principalId: principal.id });
    expect(JSON.stringify(row.rows[0]?.sess)).not.toContain(apiKey.slice(20));
    // The page is never cached and never framed.
    const res = await page.reload();
    expect(res?.headers()['cache-control']).toBe('no-store');
    expect(res?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await context.close();
  });

  it('marks the cookie Secure when the page is served over https (behind a TLS proxy on this host)', async () => {
    const login = await fetch(`${base}/login`, { headers: { 'x-forwarded-proto': 'https' } });
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toContain(`${SESSION_COOKIE}=`);
    expect(setCookie).toMatch(/;\s*Secure/i);
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*SameSite=Lax/i);
  });

  it('signs out: the session is gone from the server and the old cookie opens nothing', async () => {
    const { apiKey } = await newUser('Leaving');
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, base, apiKey);
    const sid = await sidOf(context);
    const oldCookie = `${SESSION_COOKIE}=${(await sessionCookie(context)).value}`;

    await Promise.all([page.waitForURL(`${base}/login?signedOut`), page.click('#signed-in button')]);
    expect(await page.locator('#notice').textContent()).toBe('You are signed out.');
    expect((await db.query('SELECT 1 FROM web_sessions WHERE sid = $1', [sid])).rowCount).toBe(0);
    await page.goto(`${base}/dashboard`);
    expect(page.url()).toContain('/login');

    const replay = await fetch(`${base}/dashboard`, { redirect: 'manual', headers: { cookie: oldCookie } });
    expect(replay.status).toBe(303);
    await context.close();
  });

  it('ends a session after the idle time, after the absolute lifetime, and when the user is disabled', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const expectSignedOut = async () => {
      await page.goto(`${base}/dashboard`);
      expect(page.url()).toBe(`${base}/login?next=%2Fdashboard`);
    };

    // Idle: the stored session's expiry passed (20 minutes without a request).
    const idle = await newUser('Idle');
    await signIn(page, base, idle.apiKey);
    await db.query(`UPDATE web_sessions SET expire = now() - interval '1 second' WHERE sid = $1`, [
      await sidOf(context),
    ]);
    await expectSignedOut();

    // Absolute: signed in more than 8 hours ago, however active since.
    const busy = await newUser('Busy');
    await signIn(page, base, busy.apiKey);
    await page.reload();
    expect(await page.locator('#main').count()).toBe(1);
    await db.query(
      `UPDATE web_sessions SET sess = jsonb_set(sess::jsonb, '{signedInAt}', to_jsonb($2::bigint))::json WHERE sid = $1`,
      [await sidOf(context), Date.now() - 8 * 3_600_000 - 60_000],
    );
    await expectSignedOut();

    // Disabled user, and a revoked key: the next request is signed out.
    const leaver = await newUser('Disabled');
    await signIn(page, base, leaver.apiKey);
    await principals().disable(leaver.principal.id);
    await expectSignedOut();
    const rotated = await newUser('Rotated');
    await signIn(page, base, rotated.apiKey);
    await principals().revokeKeys(rotated.principal.id);
    await expectSignedOut();
    await context.close();
  });

  it('refuses a state change made with the cookie but without its CSRF token, and accepts it with the token', async () => {
    const { apiKey } = await newUser('Forged');
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, base, apiKey);
    const cookie = `${SESSION_COOKIE}=${(await sessionCookie(context)).value}`;
    const token = await page.locator('#signed-in input[name=_csrf]').getAttribute('value');
    expect(token).toMatch(/^[0-9a-f]{64}$/);

    // A forged sign-out from another site: no token, refused, and the session lives on.
    const forgedLogout = await fetch(`${base}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(forgedLogout.status).toBe(403);
    expect(await forgedLogout.json()).toMatchObject({ code: 'AUTH.CSRF' });
    await page.reload();
    expect(page.url()).toBe(`${base}/dashboard`);

    // An API state change with the cookie alone: refused before anything runs, nothing changed.
    const sku = `CSRF-${Date.now()}`;
    const mapping = () =>
      db.query<{ erp_sku: string }>('SELECT erp_sku FROM sku_map WHERE store = $1 AND store_sku = $2', [
        'signin',
        sku,
      ]);
    const put = (headers: Record<string, string>) =>
      fetch(`${base}/config/mappings/skus/${sku}`, {
        method: 'PUT',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ erpSku: 'ERP-CSRF' }),
      });
    const forged = await put({});
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ code: 'AUTH.CSRF' });
    expect((await put({ 'x-csrf-token': '0'.repeat(64) })).status).toBe(403);
    expect((await mapping()).rowCount).toBe(0);
    // With the session's token the same request is made as the signed-in operator.
    expect((await put({ 'x-csrf-token': token! })).status).toBe(200);
    expect((await mapping()).rows[0]?.erp_sku).toBe('ERP-CSRF');

    // The sign-in form itself carries a token: a forged sign-in (login CSRF) is refused.
    const forgedLogin = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ apiKey }).toString(),
    });
    expect(forgedLogin.status).toBe(403);
    expect(forgedLogin.headers.get('location')).toBeNull();
    await context.close();
  });

  it('counts failed sign-ins like failed API calls: past the allowance a key id gets 429 with Retry-After, even with its right secret', async () => {
    const { apiKey } = await newUser('Guessed');
    const attempt = async (key: string) => {
      const form = await fetch(`${base}/login`);
      const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
      const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(await form.text())?.[1] ?? '';
      return fetch(`${base}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, apiKey: key }).toString(),
      });
    };
    const wrong = `${apiKey.slice(0, -6)}ZZZZZZ`;
    for (let i = 0; i < 3; i++) expect((await attempt(wrong)).status).toBe(401);
    const fourth = await attempt(wrong);
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
    const right = await attempt(apiKey);
    expect(right.status).toBe(429);
    expect(right.headers.get('location')).toBeNull();
  });

  it('only ever sends the user on to a page of this server after sign-in', async () => {
    const { apiKey } = await newUser('Redirected');
    const page = await browser.newPage();
    await page.goto(`${base}/login?next=${encodeURIComponent('//evil.example/steal')}`);
    await page.fill('#apiKey', apiKey);
    await Promise.all([page.waitForURL(`${base}/dashboard`), page.click('button[type=submit]')]);
    await page.close();
  });
});

describe('session settings', () => {
  it('refuse a production start without SESSION_SECRET, naming it', () => {
    const base = {
      SESSION_IDLE_MINUTES: 30,
      SESSION_MAX_HOURS: 12,
      API_PUBLIC_URL: 'https://quayside.example',
    } as const;
    expect(() => sessionSettingsFrom({ ...base, NODE_ENV: 'production', SESSION_SECRET: undefined })).toThrow(
      /SESSION_SECRET/,
    );
    const settings = sessionSettingsFrom({ ...base, NODE_ENV: 'production', SESSION_SECRET: 'new, old' });
    expect(settings).toMatchObject({ secrets: ['new', 'old'], secureCookie: true });
  });
});
