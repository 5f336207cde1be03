/**
 * The page's style sheet, inlined into the page: system fonts only (no web fonts, no
 * network); colours as CSS variables with a dark set for prefers-color-scheme: dark
 * (the charts' colours included: they read the same variables); claims as a table on
 * wide screens and as cards under 600 px; a print layout that shows every claim and its
 * evidence expanded and keeps each figure and claim on one page.
 */
import { PALETTE_LIGHT } from '../svg/palette';

const lightPalette = Object.entries(PALETTE_LIGHT).map(([k, v]) => `--c-${k}: ${v};`).join(' ');

/** Dark-mode values of the chart palette (same names as PALETTE_LIGHT). */
const DARK_PALETTE: Readonly<Record<keyof typeof PALETTE_LIGHT, string>> = {
  blue: '#60a5fa', orange: '#fb923c', green: '#4ade80', purple: '#c084fc', grey: '#9ca3af', silver: '#6b7280', red: '#f87171',
  kernel: '#8e5fa6', stack: '#b84a55', mmap: '#2f8a96', heap: '#b8913f', arena: '#a9713f', data: '#6f9a48', text: '#3f82c4', reserve: '#4b5563', free: '#111827',
};
const darkPalette = Object.entries(DARK_PALETTE).map(([k, v]) => `--c-${k}: ${v};`).join(' ');

/** CSS of the report page. */
export const PAGE_CSS = `
:root {
  color-scheme: light dark;
  --ink: #1f2933; --muted: #5f6b7a; --rule: #d9dee5; --paper: #ffffff; --band: #f5f7fa; --page: #eef1f5; --link: #1d4ed8;
  --holds: #15803d; --holds-bg: #dcfce7; --qualified: #a16207; --qualified-bg: #fef3c7;
  --refuted: #b91c1c; --refuted-bg: #fee2e2; --na: #0e7490; --na-bg: #cffafe; --nm: #6b7280; --nm-bg: #f3f4f6;
  --grid: #e5e7eb; --axis: #374151; --tick: #4b5563; --lane0: #f8fafc; --lane1: #eef2f7;
  ${lightPalette}
}
@media (prefers-color-scheme: dark) {
  :root {
    --ink: #e5e7eb; --muted: #9aa5b4; --rule: #374151; --paper: #111827; --band: #1f2937; --page: #030712; --link: #93c5fd;
    --holds: #4ade80; --holds-bg: #052e16; --qualified: #facc15; --qualified-bg: #3b2f05; --refuted: #f87171; --refuted-bg: #450a0a;
    --na: #22d3ee; --na-bg: #083344; --nm: #9ca3af; --nm-bg: #1f2937;
    --grid: #374151; --axis: #9ca3af; --tick: #9ca3af; --lane0: #111827; --lane1: #1f2937;
    ${darkPalette}
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; scroll-behavior: smooth; }
body { margin: 0; background: var(--page); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
a { color: var(--link); }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 48px; background: var(--paper); min-height: 100vh; }
h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 17px; margin: 28px 0 8px; }
h3 .count, .toc .count { font-weight: 400; color: var(--muted); margin-left: 8px; font-size: 13px; }
h4 { font-size: 15px; margin: 0 0 4px; }
code, .mono, pre { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; }
.sub { color: var(--muted); margin: 0 0 6px; }
.lede { max-width: 780px; margin: 10px 0 16px; }
.tally { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0 0; padding: 0; list-style: none; }
.tally li { border-radius: 999px; padding: 3px 12px; font-weight: 600; font-size: 14px; }
.v-holds { color: var(--holds); background: var(--holds-bg); }
.v-qualified { color: var(--qualified); background: var(--qualified-bg); }
.v-refuted { color: var(--refuted); background: var(--refuted-bg); }
.v-not-applicable { color: var(--na); background: var(--na-bg); }
.v-not-measured { color: var(--nm); background: var(--nm-bg); border: 1px dashed var(--nm); }
nav.toc { margin: 22px 0 0; padding: 12px 18px; background: var(--band); border-radius: 8px; }
nav.toc h2 { font-size: 15px; margin: 0 0 6px; padding: 0; border: 0; }
nav.toc ol, nav.toc ul { margin: 0; padding-left: 20px; }
nav.toc > ol { columns: 2 260px; }
nav.toc li { break-inside: avoid; }
dl.host { display: grid; grid-template-columns: max-content 1fr; gap: 4px 24px; margin: 0; padding: 14px 18px; background: var(--band); border-radius: 8px; }
dl.host dt { color: var(--muted); font-weight: 600; }
dl.host dd { margin: 0; font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 14px; overflow-wrap: anywhere; }
.filter { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: center; margin: 16px 0 4px; padding: 8px 12px; border: 1px solid var(--rule); border-radius: 8px; background: var(--paper); }
.filter[hidden] { display: none; }
.filter label { border-radius: 6px; padding: 2px 8px; font-weight: 600; font-size: 14px; cursor: pointer; }
table.claims { width: 100%; border-collapse: collapse; }
table.claims th, table.claims td { text-align: left; vertical-align: top; padding: 9px 10px; border-bottom: 1px solid var(--rule); }
table.claims thead th { font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); border-bottom: 2px solid var(--rule); }
table.claims tr[hidden] { display: none; }
tr:target td { background: var(--band); }
td.verdict { width: 132px; }
tr[data-status="holds"] td.verdict { box-shadow: inset 3px 0 var(--holds); }
tr[data-status="qualified"] td.verdict { box-shadow: inset 3px 0 var(--qualified); }
tr[data-status="refuted"] td.verdict { box-shadow: inset 3px 0 var(--refuted); }
tr[data-status="not-applicable"] td.verdict { box-shadow: inset 3px 0 var(--na); }
tr[data-status="not-measured"] td.verdict { box-shadow: inset 3px 0 var(--nm); }
.badge { display: inline-block; border-radius: 6px; padding: 1px 8px; font-weight: 700; font-size: 13px; white-space: nowrap; }
td.claim { width: 36%; }
td.claim code { font-weight: 700; color: var(--ink); overflow-wrap: anywhere; }
td.claim p { margin: 3px 0 0; color: var(--muted); font-size: 14px; }
td.measured { font-size: 14px; overflow-wrap: anywhere; }
td.measured.not-measured { color: var(--nm); font-style: italic; }
details.evidence { margin-top: 6px; }
details.evidence summary { cursor: pointer; color: var(--muted); font-size: 13px; }
details.evidence pre { margin: 6px 0 0; padding: 8px 10px; background: var(--band); border-radius: 6px; font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 320px; overflow: auto; }
p.to-chart, p.from-claims { margin: 6px 0 0; font-size: 13px; }
.none-shown { color: var(--muted); font-style: italic; }
.figures { display: grid; grid-template-columns: 1fr; gap: 22px; margin-top: 18px; }
figure { margin: 0; padding: 16px 18px 12px; border: 1px solid var(--rule); border-radius: 10px; background: var(--paper); min-width: 0; }
figure svg { display: block; width: 100%; height: auto; max-width: 900px; margin: 8px auto 0; }
figcaption { color: var(--muted); font-size: 14px; margin-top: 8px; }
figure.empty .missing { padding: 24px; text-align: center; color: var(--refuted); background: var(--refuted-bg); border-radius: 6px; }
.layout-pair { display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: flex-start; }
.layout-pair > .scroll { flex: 1 1 560px; min-width: 0; overflow-x: auto; }
.layout-pair > .scroll:first-child { flex: 0 1 450px; }
.layout-pair svg.layout.classic { max-width: 450px; }
.layout-pair svg.layout { max-width: 700px; margin: 0; }
svg.layout .label, svg.layout .legend { fill: var(--ink); }
svg.chart text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 12px; fill: var(--ink); }
svg.chart .tick { fill: var(--tick); font-size: 11.5px; }
svg.chart .axis-title { font-size: 12.5px; font-weight: 600; }
svg.chart .legend { font-size: 12px; }
svg.chart .note { font-size: 11.5px; font-weight: 600; }
svg.chart .grid { stroke: var(--grid); stroke-width: 1; }
svg.chart .axis { stroke: var(--axis); stroke-width: 1.2; }
svg.chart .lane0 { fill: var(--lane0); }
svg.chart .lane1 { fill: var(--lane1); }
.how { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 10px; margin: 0; padding: 0; list-style: none; }
.how li { background: var(--band); border-radius: 8px; padding: 10px 12px; font-size: 14px; }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--rule); padding-top: 12px; }
@media (min-width: 900px) { dl.host { grid-template-columns: max-content 1fr max-content 1fr; } }
@media (max-width: 720px) { main { padding: 16px; } td.claim { width: auto; } table.claims td, table.claims th { padding: 7px 6px; } }
@media (max-width: 600px) {
  .layout-pair svg.layout { min-width: 560px; }
  .layout-pair svg.layout.classic { min-width: 380px; }
  figure { padding: 10px; }
  table.claims, table.claims tbody, table.claims tr, table.claims td { display: block; width: auto; }
  table.claims thead { display: none; }
  table.claims tr[data-claim] { margin: 0 0 12px; border: 1px solid var(--rule); border-radius: 8px; padding: 4px 0; }
  table.claims td { border: 0; padding: 4px 10px; }
  td.verdict { width: auto; }
  tr[data-status] td.verdict { box-shadow: none; }
  tr[data-status="holds"] { border-left: 4px solid var(--holds) !important; }
  tr[data-status="qualified"] { border-left: 4px solid var(--qualified) !important; }
  tr[data-status="refuted"] { border-left: 4px solid var(--refuted) !important; }
  tr[data-status="not-applicable"] { border-left: 4px solid var(--na) !important; }
  tr[data-status="not-measured"] { border-left: 4px solid var(--nm) !important; }
  dl.host { grid-template-columns: 1fr; gap: 0 0; }
  dl.host dd { margin-bottom: 6px; }
  nav.toc > ol { columns: 1; }
}
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  :root { color-scheme: light; }
  body { background: #fff; font-size: 10.5pt; }
  main { max-width: none; padding: 0; min-height: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .filter, p.to-chart { display: none !important; }
  table.claims tr[hidden], .none-shown { display: table-row !important; }
  .none-shown { display: none !important; }
  table.claims thead { display: table-header-group; }
  table.claims tr { break-inside: avoid; page-break-inside: avoid; }
  details.evidence > summary { display: none; }
  details.evidence pre { max-height: none; overflow: visible; }
  figure { break-inside: avoid; page-break-inside: avoid; border-color: #bbb; }
  figure svg { max-width: 100%; }
  .layout-pair > .scroll { overflow: visible; }
  .layout-pair svg.layout, .layout-pair svg.layout.classic { min-width: 0; }
  .how { grid-template-columns: repeat(2, 1fr); }
  td.verdict { width: 96px; }
  a { color: inherit; text-decoration: none; }
}
@media print { details.evidence::details-content { content-visibility: visible; display: block; } }
`;
