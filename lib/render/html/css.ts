/**
 * The page's style sheet, inlined into the page: system fonts only (no web fonts, no
 * network), verdict colours that keep their meaning in print, a print layout that
 * keeps each figure and table row on one page.
 */

/** CSS of the report page. */
export const PAGE_CSS = `
:root {
  --ink: #1f2933; --muted: #5f6b7a; --rule: #d9dee5; --paper: #ffffff; --band: #f5f7fa;
  --holds: #15803d; --holds-bg: #dcfce7; --qualified: #a16207; --qualified-bg: #fef3c7;
  --refuted: #b91c1c; --refuted-bg: #fee2e2; --na: #0e7490; --na-bg: #cffafe; --nm: #6b7280; --nm-bg: #f3f4f6;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #eef1f5; color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 32px 48px; background: var(--paper); min-height: 100vh; }
h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 15px; margin: 0 0 4px; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; }
.sub { color: var(--muted); margin: 0 0 14px; }
.lede { max-width: 780px; margin: 0 0 16px; }
.tally { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0 0; padding: 0; list-style: none; }
.tally li { border-radius: 999px; padding: 3px 12px; font-weight: 600; font-size: 14px; }
.v-holds { color: var(--holds); background: var(--holds-bg); }
.v-qualified { color: var(--qualified); background: var(--qualified-bg); }
.v-refuted { color: var(--refuted); background: var(--refuted-bg); }
.v-not-applicable { color: var(--na); background: var(--na-bg); }
.v-not-measured { color: var(--nm); background: var(--nm-bg); border: 1px dashed #b6bcc6; }
dl.host { display: grid; grid-template-columns: max-content 1fr; gap: 4px 24px; margin: 0; padding: 14px 18px; background: var(--band); border-radius: 8px; }
dl.host dt { color: var(--muted); font-weight: 600; }
dl.host dd { margin: 0; font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 14px; overflow-wrap: anywhere; }
table.claims { width: 100%; border-collapse: collapse; }
table.claims th, table.claims td { text-align: left; vertical-align: top; padding: 9px 10px; border-bottom: 1px solid var(--rule); }
table.claims thead th { font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); border-bottom: 2px solid var(--rule); }
table.claims tr.group th { background: var(--band); font-size: 15px; padding-top: 12px; }
table.claims tr.group .count { font-weight: 400; color: var(--muted); margin-left: 8px; font-size: 13px; }
td.verdict { width: 132px; }
tr[data-status="holds"] td.verdict { box-shadow: inset 3px 0 var(--holds); }
tr[data-status="qualified"] td.verdict { box-shadow: inset 3px 0 var(--qualified); }
tr[data-status="refuted"] td.verdict { box-shadow: inset 3px 0 var(--refuted); }
tr[data-status="not-applicable"] td.verdict { box-shadow: inset 3px 0 var(--na); }
tr[data-status="not-measured"] td.verdict { box-shadow: inset 3px 0 #c4c9d1; }
.badge { display: inline-block; border-radius: 6px; padding: 1px 8px; font-weight: 700; font-size: 13px; white-space: nowrap; }
td.claim { width: 38%; }
td.claim code { font-weight: 700; color: var(--ink); }
td.claim p { margin: 3px 0 0; color: var(--muted); font-size: 14px; }
td.measured { font-size: 14px; overflow-wrap: anywhere; }
td.measured.not-measured { color: var(--nm); font-style: italic; }
.figures { display: grid; grid-template-columns: 1fr; gap: 28px; }
figure { margin: 0; padding: 16px 18px 12px; border: 1px solid var(--rule); border-radius: 10px; background: var(--paper); }
figure svg { display: block; width: 100%; height: auto; max-width: 900px; margin: 8px auto 0; }
figcaption { color: var(--muted); font-size: 14px; margin-top: 8px; }
figure.empty .missing { padding: 24px; text-align: center; color: var(--refuted); background: var(--refuted-bg); border-radius: 6px; }
svg.chart text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 12px; fill: var(--ink); }
svg.chart .tick { fill: #4b5563; font-size: 11.5px; }
svg.chart .axis-title { font-size: 12.5px; font-weight: 600; }
svg.chart .legend { font-size: 12px; }
svg.chart .note { font-size: 11.5px; font-weight: 600; }
svg.chart .grid { stroke: #e5e7eb; stroke-width: 1; }
svg.chart .axis { stroke: #374151; stroke-width: 1.2; }
svg.chart .lane0 { fill: #f8fafc; }
svg.chart .lane1 { fill: #eef2f7; }
.how { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 10px; margin: 0; padding: 0; list-style: none; }
.how li { background: var(--band); border-radius: 8px; padding: 10px 12px; font-size: 14px; }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--rule); padding-top: 12px; }
@media (max-width: 720px) { main { padding: 16px; } td.claim { width: auto; } table.claims td, table.claims th { padding: 7px 6px; } }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { background: #fff; font-size: 10.5pt; }
  main { max-width: none; padding: 0; min-height: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table.claims thead { display: table-header-group; }
  table.claims tr { break-inside: avoid; page-break-inside: avoid; }
  figure { break-inside: avoid; page-break-inside: avoid; border-color: #bbb; }
  figure svg { max-width: 100%; }
  #charts { break-before: page; page-break-before: always; }
  .how { grid-template-columns: repeat(2, 1fr); }
  td.verdict { width: 96px; }
  a { color: inherit; text-decoration: none; }
}
`;
