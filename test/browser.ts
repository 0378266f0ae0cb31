import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium; playwright-core drives it (never `npx playwright install`). */
export const CHROMIUM = process.env.FFRTMP_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Where tests save screenshots (an artifact CI can keep); ignored by git. */
export const SCREENSHOT_DIR = join(import.meta.dirname, '..', 'test-artifacts', 'screenshots');

/**
 * A headless Chromium for one test file. Fails with what to install when Chromium is missing:
 * a browser test never skips itself.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install it with 'apt-get install chromium'`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** The path for a named screenshot, creating the folder. */
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}
