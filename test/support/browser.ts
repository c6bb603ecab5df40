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
