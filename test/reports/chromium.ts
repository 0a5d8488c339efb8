// Debian's Chromium driven by playwright-core, for the HTML report tests (skipped with the reason
// when /usr/bin/chromium is absent).
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Skips the calling test (or hook) when Chromium is absent, saying so. */
export function skipWithoutChromium(ctx: Mocha.Context): void {
  if (existsSync(CHROMIUM)) return;
  console.log(`      skipped: ${CHROMIUM} not installed (apt-get install -y chromium)`);
  ctx.skip();
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Opens a report file once its instance rows are built; `problems` collects console errors and page errors. */
export async function openReport(browser: Browser, file: string, width = 1280): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('#instance-rows tr');
  return { page, problems };
}
