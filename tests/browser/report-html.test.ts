/**
 * The HTML report of the whole day in 2020 in real Chromium, opened from a file as someone it was
 * shared with would: no console error, no request beyond the file itself (it works offline), the
 * timeline, six charts of the three devices with the car's fault, detection, contact and resolution
 * marked, the ticket's evidence and the washer's plan over the tariff, after the figures per device kind. With EVERNET_UPDATE_DOCS set it
 * refreshes the README's picture (docs/report-html.png).
 */
import { writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log/logger.js';
import { loadScenario } from '../../scenarios/load.js';
import { withByKind } from '../../scenarios/report-by-kind.js';
import { renderReportHtml } from '../../scenarios/report-html/render.js';
import { replay } from '../../scenarios/runner.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { hasChromium, launchChromium, SCREENSHOTS, SKIP_REASON } from './chromium.js';

describe.skipIf(!hasChromium)(hasChromium ? 'the HTML report in Chromium' : `the HTML report in Chromium (${SKIP_REASON})`, { timeout: 120_000 }, () => {
  const tmp = tempDirPerTest('evernet-report-html-');
  let browser: Browser;
  let html = '';

  beforeAll(async () => {
    const scenario = loadScenario('scenarios/day-in-2020.yaml');
    const r = await replay({ scenario, log: silentLogger(), collectSeries: true });
    // byKind as the CLI writes it (a no-op once the runner passes the devices to buildReport)
    html = renderReportHtml(withByKind(r.report, scenario.devices), r.series!);
    browser = await launchChromium();
    // a whole day's replay: about a minute on the shared 2-core machine, past vitest's default hook timeout
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('opens from a file offline without errors and shows the day, its charts and marks, the ticket and the plan', async () => {
    const file = tmp.join('day-in-2020.html');
    writeFileSync(file, html);
    const page: Page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, locale: 'en-GB' });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    expect(errors).toEqual([]);
    expect(requests).toEqual([`file://${file}`]);

    expect(await page.textContent('header h1')).toBe('day-in-2020');
    // the figures per device kind come first: the car's fault caught, no false ticket; the washer's saving
    expect(await page.locator('main > section').first().getAttribute('id')).toBe('by-kind');
    expect(await page.locator('#by-kind table.by-kind tr[data-device-kind]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.deviceKind))).toEqual(['car-battery', 'fridge', 'washer']);
    const carRow = await page.locator('#by-kind table.by-kind tr[data-device-kind="car-battery"] td').allTextContents();
    expect(carRow.slice(0, 7)).toEqual(['car-battery', '1', '1', '1', '0', '0', '1']);
    expect(carRow[9]).toBe('0');
    expect(await page.locator('#by-kind table.by-kind-loads tr[data-device-kind="washer"] td').allTextContents()).toEqual(['washer', '1', '1', '€0.0078', '40 %']);
    expect(await page.locator('#timeline svg .lane-label').allTextContents()).toEqual(['maria · car', 'maria · fridge', 'maria · washer', 'maria · app']);
    const car = page.locator('[data-device="maria/car"]');
    expect(await car.locator('svg.chart').count()).toBe(2);
    expect(Number(await car.locator('svg.chart').first().getAttribute('data-points'))).toBeGreaterThan(300);
    for (const mark of ['fault', 'detected', 'contacted', 'resolved', 'noticeable']) expect(await car.locator(`svg.chart [data-mark="${mark}"]`).count()).toBe(2);
    expect(await page.locator('#devices svg.chart').count()).toBe(6);
    // every chart has been laid out: a width on the page, not collapsed
    const widths = await page.locator('svg.chart').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
    expect(Math.min(...widths)).toBeGreaterThan(300);

    const ticket = page.locator('[data-kind="battery-discharge"]');
    expect(await ticket.locator('.evidence').textContent()).toContain('discharging at 28 A');
    expect(await ticket.locator('.steps li').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.step))).toEqual(['opened', 'contacted', 'action-sent', 'action-confirmed', 'resolved']);
    const load = page.locator('[data-load="0"]');
    expect(await load.locator('svg .span.run').count()).toBe(1);
    expect(await load.textContent()).toMatch(/saved €0\.\d{4} \(\d+(\.\d)? %\)/);

    await page.screenshot({ path: `${SCREENSHOTS}/report-html.png`, fullPage: true });
    // the README's picture: refreshed on purpose only, so a test run leaves the work tree clean
    if (process.env.EVERNET_UPDATE_DOCS) await page.screenshot({ path: 'docs/report-html.png' });
    await page.close();
  });
});
