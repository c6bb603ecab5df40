import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from './chromium';

export { CHROMIUM_PATH };

/** Debian's Chromium, headless, with no background network traffic. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Signs a browser page in through the sign-in form with a Quayside key; lands on `path`. */
export async function signIn(page: Page, base: string, apiKey: string, path = '/dashboard'): Promise<void> {
  await page.goto(`${base}${path}`);
  await page.fill('#apiKey', apiKey);
  await Promise.all([page.waitForURL(`${base}${path}`), page.click('button[type=submit]')]);
}

/**
 * Waits until htmx has finished its last swap. htmx binds the attributes of swapped-in content
 * only when it settles, a moment after the new elements appear, so typing into a search box that
 * has just appeared can otherwise go unheard.
 */
export async function settled(page: Page): Promise<void> {
  // Runs in the page; the project's TypeScript has no DOM library, hence the page's document typed here
  // (a string expression would be refused by the dashboard's Content-Security-Policy, which bans eval).
  await page.waitForFunction(
    () =>
      (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(
        '.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added',
      ) === null,
  );
}

const cookieOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

/**
 * A session of `apiKey` signed in through the sign-in form without a browser: the text of the page at
 * `path`, and a GET and a POST (with the page's CSRF token) as its browser would send them.
 */
export async function formSession(base: string, apiKey: string, path = '/dashboard') {
  const form = await fetch(`${base}/login`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const signedIn = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieOf(form) },
    body: new URLSearchParams({ _csrf: csrf, apiKey, next: '/dashboard' }).toString(),
  });
  if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}, not 303`);
  const cookie = cookieOf(signedIn) || cookieOf(form);
  const page = await (await fetch(`${base}${path}`, { headers: { cookie } })).text();
  const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  return {
    page,
    get: (to: string) => fetch(`${base}${to}`, { headers: { cookie }, redirect: 'manual' }),
    post: (to: string, body: Record<string, string>) =>
      fetch(`${base}${to}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': token },
        body: new URLSearchParams(body).toString(),
      }),
  };
}
