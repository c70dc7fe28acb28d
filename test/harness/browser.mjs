// Headless Debian Chromium driven by playwright-core (the `playwright` package would try to download browsers).
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { removeOnExit } from './codeServer.mjs';
import { CHROMIUM } from './setup.mjs';

export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox', // root in a container: the setuid sandbox is unavailable
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage', // small /dev/shm in containers crashes tabs
]);

/**
 * Launches Chromium with a fresh profile; closing the context removes the profile unless `userDataDir` was given.
 * HOME and XDG_* point into the profile folder so Chromium writes nothing under ~ (~/.pki, ~/.config/chromium).
 * @param {{ userDataDir?: string, viewport?: { width: number, height: number }, env?: Record<string, string> }} [options]
 * @returns {Promise<import('playwright-core').BrowserContext>}
 */
export async function launchBrowser({ userDataDir, viewport = { width: 1400, height: 900 }, env = {} } = {}) {
  const dir = userDataDir ?? mkdtempSync(path.join(tmpdir(), 'dbt-recovery-chromium-'));
  const removeDir = userDataDir ? undefined : removeOnExit(dir);
  const home = path.join(dir, 'home');
  mkdirSync(home, { recursive: true });
  const context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport,
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      XDG_DATA_HOME: path.join(home, '.local/share'),
      ...env,
    },
  });
  if (removeDir) context.once('close', removeDir);
  return context;
}
