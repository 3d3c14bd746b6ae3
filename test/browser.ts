import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Flags for a headless Chromium in a container: no sandbox (root), no GPU, nothing fetched from the network. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/**
 * Which Chromium the browser tests drive: the one named in KERNEL_NEWS_CHROMIUM, else a system
 * Chromium when there is one, else the build `npm ci` brings (@sparticuz/chromium, unpacked to /tmp
 * on first use), so `npm test` needs nothing installed outside npm. KERNEL_NEWS_CHROMIUM=bundled
 * skips the system one (how CI proves a machine without it passes).
 */
export async function chromiumPath(): Promise<string> {
  const named = process.env.KERNEL_NEWS_CHROMIUM;
  if (named && named !== 'bundled') {
    if (!fs.existsSync(named)) throw new Error(`KERNEL_NEWS_CHROMIUM=${named}: no such file; name a Chromium binary, or set it to "bundled"`);
    return named;
  }
  if (named !== 'bundled' && fs.existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  const bundled = (await import('@sparticuz/chromium')).default;
  return bundled.executablePath();
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumPath(), args: CHROMIUM_ARGS });
}
