import { chromium, type Browser } from 'playwright-core';
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
