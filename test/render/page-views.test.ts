// The report page as a reader meets it, in headless Chromium (Debian's, driven by
// playwright-core): at 1400 px and 400 px wide, in light and dark colour schemes. Checks
// the table of contents resolves, every claim id appears once, each claim links to its
// experiment's chart and each chart back to its claims, the verdict filter hides and
// shows rows, the claims never overflow a 400 px phone, the charts of an experiment come
// right after its claims, evidence is collapsed on screen, and dark mode changes the
// background of the page and of the charts. Screenshots go to test-artifacts/ (git-ignored).
//
// Skips (naming the reason) only when /usr/bin/chromium is missing outside CI; in CI
// (process.env.CI set) a missing Chromium fails the test.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CLAIMS } from '../../lib/experiments/index';
import { sharedReport } from '../helpers/cli';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.join(__dirname, '..', '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const SKIP = !HAVE_CHROMIUM && !process.env['CI'] ? `${CHROMIUM} is missing (apt-get install -y chromium); CI runs this test` : false;

// The slice of playwright-core this test uses (its typings need the DOM library).
interface PwPage {
  on(event: 'pageerror', fn: (err: Error) => void): void;
  goto(url: string, options: { waitUntil: 'load' }): Promise<unknown>;
  evaluate(expression: string): Promise<unknown>;
  click(selector: string): Promise<void>;
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
  emulateMedia(options: { media: 'print' | 'screen' }): Promise<void>;
}
interface PwContext { newPage(): Promise<PwPage>; close(): Promise<void> }
interface PwBrowser { newContext(options: { viewport: { width: number; height: number }; colorScheme: 'light' | 'dark' }): Promise<PwContext>; close(): Promise<void> }
interface PwChromium { launch(options: { executablePath: string; env: Record<string, string>; headless: boolean; args: string[] }): Promise<PwBrowser> }

function browserEnv(): Record<string, string> {
  // Chromium must not inherit an ASan preload (npm run test:asan).
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'LD_PRELOAD' && !k.startsWith('ASAN_') && !k.startsWith('UBSAN_')) env[k] = v;
  return env;
}

/** In the page: the facts the assertions need, gathered in one evaluate. */
const FACTS = `(() => {
  const rows = [...document.querySelectorAll('tr[data-claim]')];
  const tocTargets = [...document.querySelectorAll('nav.toc a[href^="#"]')].map((a) => ({ href: a.getAttribute('href'), found: !!document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))) }));
  const claimChart = rows.map((tr) => ({ id: tr.getAttribute('data-claim'), status: tr.getAttribute('data-status'), experiment: tr.closest('section.experiment').getAttribute('data-experiment'),
    links: [...tr.querySelectorAll('a[href^="#chart-"]')].map((a) => a.getAttribute('href').slice(1)) }));
  const figures = [...document.querySelectorAll('figure[data-chart]')].map((f) => ({ id: f.id, experiment: f.getAttribute('data-experiment'),
    back: [...f.querySelectorAll('a[href^="#claim-"]')].map((a) => ({ href: a.getAttribute('href'), found: !!document.getElementById(a.getAttribute('href').slice(1)) })),
    top: f.getBoundingClientRect().top + scrollY }));
  const lastRowOf = (exp) => Math.max(...rows.filter((tr) => tr.closest('section.experiment').getAttribute('data-experiment') === exp).map((tr) => tr.getBoundingClientRect().bottom + scrollY));
  const table = document.querySelector('table.claims');
  return {
    ids: rows.map((tr) => tr.getAttribute('data-claim')),
    tocTargets, claimChart, figures,
    lastRowBottom: Object.fromEntries(figures.map((f) => [f.experiment, lastRowOf(f.experiment)])),
    scrollWidth: document.documentElement.scrollWidth, innerWidth, claimsRight: Math.max(...rows.map((tr) => tr.getBoundingClientRect().right)),
    filterVisible: !document.getElementById('filter').hidden,
    evidenceOpen: [...document.querySelectorAll('details.evidence')].filter((d) => d.open).length,
    evidence: document.querySelectorAll('details.evidence').length,
    bodyBg: getComputedStyle(document.body).backgroundColor, mainBg: getComputedStyle(document.querySelector('main')).backgroundColor,
    labelFill: (() => { const t = document.querySelector('svg.layout text.label'); return t ? getComputedStyle(t).fill : null; })(),
    cardDisplay: table ? getComputedStyle(table.querySelector('tr[data-claim]')).display : null,
  };
})()`;

interface Facts {
  ids: string[]; tocTargets: Array<{ href: string; found: boolean }>;
  claimChart: Array<{ id: string; status: string; experiment: string; links: string[] }>;
  figures: Array<{ id: string; experiment: string; back: Array<{ href: string; found: boolean }>; top: number }>;
  lastRowBottom: Record<string, number>; scrollWidth: number; innerWidth: number; claimsRight: number;
  filterVisible: boolean; evidenceOpen: number; evidence: number; bodyBg: string; mainBg: string; labelFill: string | null; cardDisplay: string | null;
}

test('the page at 1400 px and 400 px, light and dark: contents, links claim ↔ chart, filter, no overflow on a phone, dark colours', { skip: SKIP, timeout: 240_000 }, async () => {
  assert.ok(HAVE_CHROMIUM, `${CHROMIUM} is missing but CI is set: .ci/run must install Debian's chromium package`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { chromium } = require('playwright-core') as { chromium: PwChromium };
  // The page of `report --json --size 4MiB --html FILE`, measured once per npm test (sharedReport).
  const { run: r, pageFile: file } = sharedReport();
  assert.equal(r.status, 0, `report exited ${r.status}\n${r.stderr.slice(-2000)}`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM, env: browserEnv(), headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const views: Array<{ name: string; width: number; scheme: 'light' | 'dark' }> = [
    { name: 'page-1400-light', width: 1400, scheme: 'light' }, { name: 'page-400-light', width: 400, scheme: 'light' },
    { name: 'page-1400-dark', width: 1400, scheme: 'dark' }, { name: 'page-400-dark', width: 400, scheme: 'dark' },
  ];
  const seen: Record<string, Facts> = {};
  try {
    for (const view of views) {
      const context = await browser.newContext({ viewport: { width: view.width, height: 900 }, colorScheme: view.scheme });
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (err) => errors.push(String(err)));
        await page.goto(`file://${file}`, { waitUntil: 'load' });
        const f = await page.evaluate(FACTS) as Facts;
        seen[view.name] = f;
        const where = `${view.name}:`;
        assert.deepEqual(errors, [], `${where} script errors`);
        for (const c of CLAIMS) assert.equal(f.ids.filter((id) => id === c.id).length, 1, `${where} claim ${c.id} appears ${f.ids.filter((id) => id === c.id).length} times`);
        assert.ok(f.tocTargets.length >= 3, `${where} only ${f.tocTargets.length} contents links`);
        assert.deepEqual(f.tocTargets.filter((t) => !t.found), [], `${where} contents links without a target`);
        assert.ok(f.figures.length >= 3, `${where} ${f.figures.length} figures`);
        for (const fig of f.figures) {
          const claims = f.claimChart.filter((c) => c.experiment === fig.experiment && c.status !== 'not-measured');
          assert.ok(claims.length > 0, `${where} chart ${fig.id} has no judged claim of ${fig.experiment}`);
          for (const c of claims) assert.ok(c.links.includes(fig.id), `${where} claim ${c.id} does not link to its chart ${fig.id} (links: ${c.links.join(', ')})`);
          assert.ok(fig.back.length >= claims.length && fig.back.every((b) => b.found), `${where} chart ${fig.id} links back to ${fig.back.filter((b) => b.found).length} of ${claims.length} claims`);
          // The charts follow their own claims (not 15,000 px further down after every table).
          assert.ok(fig.top > (f.lastRowBottom[fig.experiment] ?? Infinity) - 1, `${where} chart ${fig.id} starts above the last claim of ${fig.experiment}`);
        }
        assert.ok(f.filterVisible, `${where} the filter is hidden although scripts run`);
        assert.ok(f.evidence >= CLAIMS.length / 2 && f.evidenceOpen === 0, `${where} ${f.evidence} evidence blocks, ${f.evidenceOpen} open on screen`);
        if (view.width === 400) {
          assert.ok(f.scrollWidth <= f.innerWidth, `${where} the page scrolls sideways: scrollWidth ${f.scrollWidth} > innerWidth ${f.innerWidth}`);
          assert.ok(f.claimsRight <= f.innerWidth, `${where} a claim card reaches ${f.claimsRight} px, past ${f.innerWidth}`);
          assert.equal(f.cardDisplay, 'block', `${where} claims are not cards on a phone`);
        }
        if (view.name === 'page-1400-light') {
          // The filter: untick "holds", every holds row hides and no other; tick it again, they are back.
          const holds = f.claimChart.filter((c) => c.status === 'holds').map((c) => c.id);
          assert.ok(holds.length > 0, 'no claim holds on this host: the filter test has nothing to hide');
          await page.click('#filter input[value="holds"]');
          const hidden = await page.evaluate(`[...document.querySelectorAll('tr[data-claim]')].filter((tr) => tr.offsetParent === null).map((tr) => tr.getAttribute('data-claim'))`) as string[];
          assert.deepEqual([...hidden].sort(), [...holds].sort(), 'unticking "holds" hides exactly the holds rows');
          await page.click('#filter input[value="holds"]');
          const hiddenAfter = await page.evaluate(`[...document.querySelectorAll('tr[data-claim]')].filter((tr) => tr.offsetParent === null).length`) as number;
          assert.equal(hiddenAfter, 0, 'ticking "holds" again shows every row');
          // Printing shows every row and every evidence block, whatever the filter says.
          await page.click('#filter input[value="qualified"]');
          await page.emulateMedia({ media: 'print' });
          const printHidden = await page.evaluate(`[...document.querySelectorAll('tr[data-claim]')].filter((tr) => tr.offsetParent === null).length`) as number;
          assert.equal(printHidden, 0, `${printHidden} claim rows hidden in print`);
          await page.emulateMedia({ media: 'screen' });
        }
        await page.screenshot({ path: path.join(ARTIFACTS, `${view.name}.png`), fullPage: true });
      } finally {
        await context.close();
      }
    }
    const light = seen['page-1400-light'];
    const dark = seen['page-1400-dark'];
    assert.ok(light && dark);
    assert.notEqual(dark.bodyBg, light.bodyBg, `dark mode keeps the background ${light.bodyBg}`);
    assert.notEqual(dark.mainBg, light.mainBg, `dark mode keeps the paper ${light.mainBg}`);
    assert.ok(light.labelFill !== null && dark.labelFill !== null && light.labelFill !== dark.labelFill, `the address-space figure's text keeps its colour in dark mode (${light.labelFill} / ${dark.labelFill})`);
  } finally {
    await browser.close();
  }
});
