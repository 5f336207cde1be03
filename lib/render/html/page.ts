/**
 * `vmprobe report --html FILE`: the whole report as one self-contained HTML page —
 * provenance (vmprobe version, ISO timestamp), a table of contents, the host summary,
 * every claim of the catalogue exactly once (grouped by experiment, with its verdict or
 * "not measured", its evidence in a <details>, a link to its experiment's charts), a
 * verdict filter, and each experiment's charts as inline SVG right after its claims,
 * each linking back to them. No network, no external fonts, one small inline script
 * (the filter; everything is readable without it); light and dark colour schemes; the
 * claims become cards on narrow screens; the print layout shows everything expanded.
 */
import { type ReportResult, validateReportResult } from '../../report/result';
import { VERDICTS } from '../../report/claims';
import { escapeXml } from '../layout-svg';
import { hostRows } from '../host';
import { tally } from '../claims';
import { NOT_MEASURED_LABEL } from '../claims';
import { renderJson } from '../json';
import { invalidArgType } from '../../util/errors';
import { judgedClaims, reportGroups, unmeasured, type ReportClaim, type ReportGroup } from '../report-claims';
import { reportProvenance, type Provenance } from '../provenance';
import { reportFigures, type Figure } from './figures';
import { PAGE_CSS } from './css';
import { PAGE_SCRIPT } from './script';

const esc = escapeXml;

/** The claim's id without its experiment prefix ("lazy.swap-major" → "swap-major"), for link texts. */
function shortId(id: string): string {
  const dot = id.indexOf('.');
  return dot < 0 ? id : id.slice(dot + 1);
}

function chartLinks(figures: readonly Figure[], cls: string): string {
  if (figures.length === 0) return '';
  const one = figures.length === 1;
  return `<p class="${cls}">${figures.map((f) => `<a href="#chart-${esc(f.id)}" title="${esc(f.title)}">↓ ${one ? 'the chart' : `chart: ${esc(f.title)}`}</a>`).join(' · ')}</p>`;
}

function claimRow(c: ReportClaim, figures: readonly Figure[]): string {
  const status = c.status === 'judged' ? c.verdict : 'not-measured';
  const badge = c.status === 'judged'
    ? `<span class="badge v-${c.verdict}">${esc(c.verdict)}</span>`
    : `<span class="badge v-not-measured">${esc(NOT_MEASURED_LABEL)}</span>`;
  const measured = c.status === 'judged'
    ? `<td class="measured">${esc(c.summary)}` +
      `<details class="evidence"><summary>evidence</summary><pre>${esc(renderJson(c.evidence))}</pre></details>${chartLinks(figures, 'to-chart')}</td>`
    : `<td class="measured not-measured">${esc(`${NOT_MEASURED_LABEL}: ${c.reason}`)}</td>`;
  return `<tr id="claim-${esc(c.id)}" data-claim="${esc(c.id)}" data-status="${esc(status)}">` +
    `<td class="verdict">${badge}</td><td class="claim"><code>${esc(c.id)}</code><p>${esc(c.text || "(not in this build's catalogue)")}</p></td>${measured}</tr>`;
}

function groupSummary(g: ReportGroup): string {
  const counts = tally(g.claims.filter((c) => c.status === 'judged'));
  const verdicts = g.ran ? VERDICTS.filter((v) => counts[v] > 0).map((v) => `${counts[v]} ${v}`).join(' · ') : 'not run';
  return `${g.claims.length} claim${g.claims.length === 1 ? '' : 's'} — ${verdicts}`;
}

function figureHtml(f: Figure, claims: readonly ReportClaim[]): string {
  const body = f.svg === '' ? `<div class="missing">${esc(f.caption)}</div>` : f.svg;
  const back = claims.length === 0 ? '' : `<p class="from-claims">Claims measured here: ${claims.map((c) => `<a href="#claim-${esc(c.id)}">${esc(shortId(c.id))}</a>`).join(', ')}</p>`;
  return `<figure id="chart-${esc(f.id)}" data-chart="${esc(f.id)}" data-experiment="${esc(f.experiment)}"${f.svg === '' ? ' class="empty"' : ''}>` +
    `<h4>${esc(f.title)}</h4>\n${body}\n<figcaption>${esc(f.caption)}</figcaption>${back}</figure>`;
}

function groupSection(g: ReportGroup, figures: readonly Figure[]): string {
  const mine = figures.filter((f) => f.experiment === g.experiment);
  return `<section class="experiment" id="exp-${esc(g.experiment)}" data-experiment="${esc(g.experiment)}">` +
    `<h3>${esc(g.experiment)}<span class="count">${esc(groupSummary(g))}</span></h3>\n` +
    `<table class="claims">\n<thead><tr><th>Verdict</th><th>Claim (textbook)</th><th>Measured on this host</th></tr></thead>\n` +
    `<tbody>${g.claims.map((c) => claimRow(c, mine)).join('\n')}</tbody>\n</table>\n` +
    `<p class="none-shown" hidden>No claim of ${esc(g.experiment)} has a ticked verdict.</p>\n` +
    (mine.length === 0 ? '' : `<div class="figures">\n${mine.map((f) => figureHtml(f, g.claims)).join('\n')}\n</div>`) +
    '</section>';
}

function toc(groups: readonly ReportGroup[], figures: readonly Figure[]): string {
  const items = groups.map((g) => {
    const charts = figures.filter((f) => f.experiment === g.experiment);
    const sub = charts.length === 0 ? '' : `<ul>${charts.map((f) => `<li><a href="#chart-${esc(f.id)}">${esc(f.title)}</a></li>`).join('')}</ul>`;
    return `<li><a href="#exp-${esc(g.experiment)}">${esc(g.experiment)}</a> <span class="count">${esc(groupSummary(g))}</span>${sub}</li>`;
  });
  return `<nav class="toc" aria-label="Contents"><h2 id="contents">Contents</h2><ol><li><a href="#host">Host</a></li><li><a href="#claims">Claims and charts</a>, by experiment:</li>${items.join('')}</ol></nav>`;
}

function filterControls(counts: Record<string, number>): string {
  const boxes = [...VERDICTS, 'not-measured'].filter((v) => (counts[v] ?? 0) > 0).map((v) =>
    `<label class="v-${v}"><input type="checkbox" value="${esc(v)}" checked> ${esc(v === 'not-measured' ? NOT_MEASURED_LABEL : v)} (${counts[v] ?? 0})</label>`);
  return `<form id="filter" class="filter" hidden aria-label="Show claims by verdict"><span>Show:</span> ${boxes.join(' ')}</form>`;
}

/** Options of renderHtml. */
export interface HtmlOptions {
  /** When and by which vmprobe the report was made (default: reportProvenance(report)). */
  provenance?: Provenance;
}

/**
 * The report page as one HTML document. Throws ERR_INVALID_ARG_TYPE for a `report` that
 * is not a report result or `options` that is not an object.
 */
export function renderHtml(report: ReportResult, options: HtmlOptions = {}): string {
  validateReportResult(report, 'report');
  if (options === null || typeof options !== 'object') throw invalidArgType('options', 'an object', options);
  const p = options.provenance;
  if (p !== undefined && (p === null || typeof p !== 'object' || typeof p.generatedAt !== 'string' || typeof p.vmprobeVersion !== 'string')) {
    throw invalidArgType('options.provenance', 'an object { generatedAt: string, vmprobeVersion: string }', p);
  }
  const groups = reportGroups(report);
  const judged = judgedClaims(groups);
  const missing = unmeasured(groups);
  const counts = tally(judged);
  const host = report.host;
  const figures = reportFigures(report);
  const made = options.provenance ?? reportProvenance(report);
  const title = `vmprobe report — ${host.hostname}`;
  const tallyItems = [
    ...VERDICTS.map((v) => `<li class="v-${v}">${counts[v]} ${esc(v)}</li>`),
    ...(missing.length > 0 ? [`<li class="v-not-measured">${missing.length} ${esc(NOT_MEASURED_LABEL)}</li>`] : []),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="vmprobe ${esc(made.vmprobeVersion)} (report schema ${report.schema})">
<meta name="created" content="${esc(made.generatedAt)}">
<title>${esc(title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
<header>
<h1>How this host handles a process's memory</h1>
<p class="sub">vmprobe report · ${esc(host.hostname)} · Linux ${esc(host.kernelRelease)} (${esc(host.arch)}) · ${esc(host.libc.version ? `${host.libc.name} ${host.libc.version}` : host.libc.name)} · node ${esc(host.nodeVersion)}</p>
<p class="sub made">Made by vmprobe ${esc(made.vmprobeVersion)} at <time datetime="${esc(made.generatedAt)}">${esc(made.generatedAt)}</time></p>
<p class="lede">Each textbook claim about process memory was checked against measurements taken on this host. ${judged.length} claims were judged${missing.length > 0 ? `, ${missing.length} not measured in this run` : ''}. Each experiment's charts follow its claims.</p>
<ul class="tally" aria-label="verdict tally">${tallyItems.join('')}</ul>
</header>
${toc(groups, figures)}
<section id="host"><h2>Host</h2>
<dl class="host">${hostRows(host).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
</section>
<section id="claims"><h2>Claims and charts</h2>
<ul class="how">
<li><span class="badge v-holds">holds</span> measured and true here.</li>
<li><span class="badge v-qualified">qualified</span> true only in part or under conditions; the measurement says which.</li>
<li><span class="badge v-refuted">refuted</span> measured and false here.</li>
<li><span class="badge v-not-applicable">not-applicable</span> cannot apply on this host; the 64-bit counterpart is measured.</li>
</ul>
${filterControls({ ...counts, 'not-measured': missing.length })}
${groups.map((g) => groupSection(g, figures)).join('\n')}
</section>
<footer>Generated by <code>vmprobe report --html</code> (vmprobe ${esc(made.vmprobeVersion)}, JSON schema ${report.schema}, ${esc(made.generatedAt)}). Every verdict is computed from numbers measured in this run; <code>vmprobe report --json</code> gives the same data as JSON.</footer>
</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
