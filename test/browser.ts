// Drives Debian's Chromium headless through playwright-core, for tests of pages we serve.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ROOT } from './cli-process.js';

/** The Chromium binary on this machine, or null (then browser tests skip, saying why). */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((c) => spawnSync(c, ['--version']).status === 0) ?? null;
export const NO_CHROMIUM = 'no chromium installed (apt-get install chromium)';

/** Screenshots of browser tests are kept here (not committed) for a person to look at. */
export const ARTIFACTS = join(ROOT, 'test-artifacts');

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM!,
    // As root in CI there is no sandbox; the rest keeps Chromium off the network it cannot reach.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
