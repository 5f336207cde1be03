// The report page (`vmprobe report --html FILE`) opened in Debian's headless Chromium,
// driven by playwright-core: it loads with no console error and no network request,
// every chart of the experiments that ran is present and has drawn elements with
// non-zero boxes, and every claim id of the catalogue appears exactly once. Saves a
// screenshot to test-artifacts/report.png.
//
// Skips (naming the reason) only when /usr/bin/chromium is missing outside CI; in CI
// (process.env.CI set) a missing Chromium fails the test.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CLAIMS, type ReportResult } from '../../lib/experiments/index';
import { sharedReport } from '../helpers/cli';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.join(__dirname, '..', '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const SKIP = !HAVE_CHROMIUM && !process.env['CI'] ? `${CHROMIUM} is missing (apt-get install -y chromium); CI runs this test` : false;
/** The chart each experiment draws, by experiment (lib/render/html/figures.ts). */
const CHART_OF: Readonly<Record<string, string>> = { layout: 'address-space', lazy: 'lazy-curve', malloc: 'malloc-sweep', stack: 'stack-curve' };

// The slice of playwright-core this test uses. Its own typings need the DOM library,
// which this Node project does not compile with; page code is passed as strings.
interface PwPage {
  on(event: 'console', fn: (msg: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', fn: (err: Error) => void): void;
  on(event: 'request', fn: (req: { url(): string }) => void): void;
  goto(url: string, options: { waitUntil: 'load' }): Promise<unknown>;
  evaluate(expression: string): Promise<unknown>;
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
}
interface PwContext { newPage(): Promise<PwPage>; close(): Promise<void> }
interface PwChromium {
  launchPersistentContext(userDataDir: string, options: { executablePath: string; env: Record<string, string>; headless: boolean; viewport: { width: number; height: number }; args: string[] }): Promise<PwContext>;
}
interface ChartBox { id: string | null; drawn: number; width: number; height: number; texts: number }

/** In the page: each figure's chart, its size, and how many drawn elements have a non-zero box. */
const CHARTS_IN_PAGE = `[...document.querySelectorAll('figure[data-chart]')].map((f) => {
  const svg = f.querySelector('svg');
  const drawn = svg ? [...svg.querySelectorAll('rect, line, polyline, path, circle')].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 || box.height > 0;
  }).length : 0;
  const box = svg ? svg.getBoundingClientRect() : null;
  return { id: f.getAttribute('data-chart'), drawn, width: box ? box.width : 0, height: box ? box.height : 0, texts: svg ? svg.querySelectorAll('text').length : 0 };
})`;

/** The report with small sizes and its page (`report --json --size 4MiB --html FILE`, measured once per npm test: sharedReport); the page path and the JSON printed with it. */
function writePage(): { file: string; report: ReportResult } {
  const { run: r, pageFile } = sharedReport();
  assert.equal(r.status, 0, `report exited ${r.status}\n${r.stderr.slice(-2000)}`);
  return { file: pageFile, report: JSON.parse(r.stdout) as ReportResult };
}

test('the report page loads in headless Chromium without console errors or network requests, draws every chart, and shows every claim id once', { skip: SKIP, timeout: 180_000 }, async () => {
  assert.ok(HAVE_CHROMIUM, `${CHROMIUM} is missing but CI is set: .ci/run must install Debian's chromium package`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { chromium } = require('playwright-core') as { chromium: PwChromium };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprobe-page-'));
  const profile = path.join(dir, 'profile');
  const { file, report } = writePage();
  // Chromium is not ours to sanitize: under `npm run test:asan` it must not inherit the
  // preloaded ASan runtime (it would crawl under an allocator it was not built for).
  const browserEnv: Record<string, string> = {};
  for (const [k, val] of Object.entries(process.env)) {
    if (val !== undefined && k !== 'LD_PRELOAD' && !k.startsWith('ASAN_') && !k.startsWith('UBSAN_')) browserEnv[k] = val;
  }
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    env: browserEnv,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    page.on('pageerror', (err) => errors.push(String(err)));
    page.on('request', (req) => { if (!req.url().startsWith('file:') && !req.url().startsWith('data:')) requests.push(req.url()); });
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
    assert.deepEqual(requests, [], `the page is not self-contained: it requested ${requests.join(', ')}`);

    // A chart per experiment that measured something to draw: the malloc experiment measures
    // nothing (and draws no sweep) when glibc's malloc is replaced, e.g. under test:asan.
    const drew = (e: ReportResult['experiments'][number]): boolean => !(e.measurements !== null && typeof e.measurements === 'object' && 'skipped' in e.measurements);
    const expected = report.experiments.filter(drew).map((e) => CHART_OF[e.experiment]).filter((c): c is string => c !== undefined);
    assert.ok(expected.includes('address-space') && expected.includes('lazy-curve') && expected.includes('stack-curve'), `charts expected: ${expected.join(', ')}`);
    const charts = await page.evaluate(CHARTS_IN_PAGE) as ChartBox[];
    for (const id of expected) {
      const chart = charts.find((c) => c.id === id);
      assert.ok(chart, `chart '${id}' missing; the page has ${charts.map((c) => c.id).join(', ')}`);
      assert.ok(chart.width > 100 && chart.height > 100, `chart '${id}' is ${chart.width}×${chart.height} px`);
      assert.ok(chart.drawn >= 5 && chart.texts >= 3, `chart '${id}': ${chart.drawn} drawn elements with a non-zero box, ${chart.texts} texts`);
    }
    const ids = await page.evaluate(`[...document.querySelectorAll('tr[data-claim]')].map((tr) => tr.getAttribute('data-claim'))`) as string[];
    for (const claim of CLAIMS) {
      assert.equal(ids.filter((id) => id === claim.id).length, 1, `claim ${claim.id} appears ${ids.filter((id) => id === claim.id).length} times in the claims table`);
    }
    assert.equal(ids.length, CLAIMS.length, `claim rows: ${ids.length}, catalogue: ${CLAIMS.length}`);
    const text = await page.evaluate('document.body.innerText') as string;
    for (const claim of CLAIMS) assert.ok(text.includes(claim.id), `claim ${claim.id} not visible in the page text`);

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'report.png'), fullPage: true });
  } finally {
    await context.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
