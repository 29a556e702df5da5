/**
 * The browser side of the `dashboard` bench: Debian's Chromium through playwright-core, with the
 * flags of the browser tests (tests/browser/chromium.ts), logged in through the login form, and an
 * observer in the page that notes when each queue row first appears.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const hasChromium = (): boolean => existsSync(CHROMIUM_PATH);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Logs in through the form and waits until the queue shows `rows` tickets; returns the ms that took. */
export async function loginToQueue(page: Page, url: string, name: string, password: string, rows: number, timeoutMs: number): Promise<number> {
  await page.goto(url);
  await page.fill('#login-name', name);
  await page.fill('#login-password', password);
  const t0 = Date.now();
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('#queue', { timeout: timeoutMs });
  await page.waitForFunction(`(document.getElementById('queue-count')?.textContent ?? '').startsWith('${rows} of ')`, undefined, {
    timeout: timeoutMs,
    polling: 100,
  });
  return Date.now() - t0;
}

// Plain JavaScript in a string: functions that tsx compiles get helper calls the page does not have.
// The observer watches the queue's <tbody> (rows are inserted there whole) and notes, per ticket id,
// the wall time (Date.now()) it first saw the row in the DOM, and the time of the next animation
// frame after that (the frame that paints it).
const OBSERVE = `(() => {
  const tbody = document.querySelector('#queue tbody');
  if (!tbody) throw new Error('no #queue tbody');
  const known = new Set();
  for (const tr of tbody.children) known.add(tr.getAttribute('data-id'));
  const seen = (window.__benchSeen = new Map());
  const painted = (window.__benchPainted = new Map());
  new MutationObserver((records) => {
    const now = Date.now();
    for (const r of records) {
      for (const n of r.addedNodes) {
        if (n.nodeName !== 'TR') continue;
        const id = n.getAttribute('data-id');
        if (!id || known.has(id)) continue;
        known.add(id);
        seen.set(id, now);
        requestAnimationFrame(() => painted.set(id, Date.now()));
      }
    }
  }).observe(tbody, { childList: true });
  return known.size;
})()`;

/** Starts noting new rows; returns how many rows the queue shows now. */
export const observeQueue = (page: Page): Promise<number> => page.evaluate(OBSERVE) as Promise<number>;

/** Ticket id -> wall time the row appeared, and the time of the frame after it. */
export async function rowsSeen(page: Page): Promise<{ seen: Record<string, number>; painted: Record<string, number> }> {
  return (await page.evaluate(
    `({ seen: Object.fromEntries(window.__benchSeen), painted: Object.fromEntries(window.__benchPainted) })`,
  )) as { seen: Record<string, number>; painted: Record<string, number> };
}
