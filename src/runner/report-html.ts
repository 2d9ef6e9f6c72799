/**
 * The HTML report (`idpc run --report html`): one self-contained file a person opens from file:// (inline CSS and a
 * few lines of inline script for the filters; no fetch of scripts, styles or fonts). Rendered with an escaping tagged
 * template: every interpolated value is HTML-escaped unless it is a fragment this module rendered itself.
 */
import { seriesTitle } from '../checks/series.js';
import { SKIP_MARK } from './plan.js';
import { resultKey } from '../vocabulary/types.js';
import type { FinishedRun, ReportedResult } from './run.js';

/** A fragment of HTML this module produced: interpolated as is. */
class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

type Value = Html | string | number | undefined | null | false | Value[];
const render = (v: Value): string =>
  v === undefined || v === null || v === false
    ? ''
    : Array.isArray(v)
      ? v.map(render).join('')
      : v instanceof Html
        ? v.text
        : escapeHtml(String(v));

/** html`<p>${text}</p>`: escapes every value but Html fragments (and arrays of them). */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Html(out);
}

/** Only http(s) links are links: anything else in a requirement URL is shown as text. */
const link = (url: string, text: string) =>
  /^https?:\/\//.test(url) ? html`<a href="${url}" rel="noreferrer">${text}</a>` : html`${text}`;

const STATUS_LABEL: Record<string, string> = {
  pass: 'pass',
  fail: 'FAIL',
  warn: 'warn',
  info: 'info',
  deviation: 'deviation',
  skip: 'skipped',
};

/** A result's anchor in the page (run0-grant_TE-C13): the summary's links and the tests find it by this. */
const resultId = (r: ReportedResult, runIndex: number) =>
  `run${runIndex}-${resultKey(r).replace(/[^A-Za-z0-9_-]/g, '_')}`;

function evidenceBlock(r: ReportedResult): Html {
  if (!r.evidence?.length) return html``;
  return html`<div class="evidence">${r.evidence.map(
    (
      e,
      i,
    ) => html`<details${i === 0 ? ' open' : ''}><summary>request ${i + 1}: ${e.request.method} ${e.request.url} → ${e.response ? String(e.response.status) : (e.error ?? 'no answer')}</summary>
<pre class="curl">$ ${e.curl}</pre>
${
  e.response
    ? html`<pre class="response">HTTP ${e.response.status}
${Object.entries(e.response.headers).map(([k, v]) => `${k}: ${v.join(', ')}\n`)}
${e.response.body}${e.response.bodyTruncated ? `\n[… the first ${e.response.body.length} of ${e.response.bodyTruncated} characters]` : ''}${e.response.binary ? `\n[first bytes, base64: ${e.response.binary.excerpt}]` : ''}</pre>`
    : html`<p class="error">${e.error ?? 'no answer'}</p>`
}
</details>`,
  )}</div>`;
}

function resultRow(r: ReportedResult, runIndex: number): Html {
  const open = r.status === 'fail' || r.status === 'warn';
  const c = r.counterexample;
  return html`<details class="result ${r.status}" data-status="${r.status}" id="${resultId(r, runIndex)}"${open ? ' open' : ''}>
<summary><span class="badge ${r.status}">${STATUS_LABEL[r.status] ?? r.status}</span> <code>${resultKey(r)}</code> ${r.title}${r.baseline ? html` <em>(baseline: ${r.baseline.reason})</em>` : ''}</summary>
<div class="body">
<p class="req">${r.severity} · requirement: ${link(r.url, r.requirement)}</p>
${r.message ? html`<p class="message">${r.status === 'skip' ? `${SKIP_MARK[r.skipKind ?? 'untested'].trim()}: ` : ''}${r.message}</p>` : ''}
${r.deviation ? html`<p class="deviation">Documented deviation of the flavour: ${r.deviation.reason}<br><small>source: ${r.deviation.source}</small></p>` : ''}
${c ? html`<p class="repro">reproduce with <code>--seed ${c.seed}</code>${c.path ? html` (fast-check path <code>${c.path}</code>)` : ''}${c.shrunk ? html`; shrunk sequence: <code>${c.shrunk}</code>` : ''}</p>` : ''}
${evidenceBlock(r)}
</div>
</details>`;
}

function counts(run: FinishedRun): Record<string, number> {
  const out: Record<string, number> = { pass: 0, fail: 0, warn: 0, deviation: 0, info: 0, skip: 0 };
  for (const r of run.results) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

function runSection(run: FinishedRun, i: number): Html {
  const t = run.target;
  const n = counts(run);
  const bySeries = new Map<string, ReportedResult[]>();
  for (const r of run.results)
    (bySeries.get(seriesTitle(r.check)) ?? bySeries.set(seriesTitle(r.check), []).get(seriesTitle(r.check))!).push(r);
  const series = [...bySeries.keys()].sort();
  // What a reader acts on, before the full list: failures outside the baseline, then warnings, each linked to its result.
  const attention = [
    ...run.results.filter((r) => r.status === 'fail' && !r.baseline),
    ...run.results.filter((r) => r.status === 'warn'),
  ];
  const verdictClass = run.verdict === 'CONFORMS' ? 'ok' : run.verdict === 'DOES NOT CONFORM' ? 'bad' : 'warn';
  return html`<section class="run" id="run${i}">
<h2><span class="verdict ${verdictClass}" data-verdict="${run.verdict}">${run.verdict}</span> ${t.flavour}${t.preset ? ` (${t.preset})` : ''} <small>${t.tokenUrl}${t.mock ? ' [mock]' : ''}${t.insecureTls ? ' [TLS NOT VERIFIED]' : ''}</small></h2>
<table class="summary"><tr><th>profile</th><td>${run.profile}</td><th>seed</th><td>${run.seed}</td><th>duration</th><td>${(run.durationMs / 1000).toFixed(1)} s</td><th>requests</th><td>${run.requests}</td><th>exit</th><td>${run.exitCode}</td></tr>
<tr><th>pass</th><td>${n.pass}</td><th>fail</th><td>${n.fail}</td><th>warn</th><td>${n.warn}</td><th>deviations</th><td>${n.deviation}</td><th>skipped</th><td>${n.skip}</td></tr>
<tr><th>plan</th><td colspan="9">${run.plan.requests} of ${run.plan.fullRequests} planned requests within the budget of ${run.plan.budget.maxRequests}${run.plan.leftOut.length ? `; left out: ${run.plan.leftOut.join(', ')}` : ''}; ${run.results.length} planned results, every one listed below</td></tr></table>
${run.unreachable ? html`<p class="error">Target unreachable: ${run.unreachable}</p>` : ''}
${run.interrupted ? html`<p class="error">Stopped: ${run.interrupted}</p>` : ''}
${(run.incomplete ?? []).map((why) => html`<p class="warn">Untested: ${why}</p>`)}
${(run.scenarioErrors ?? []).map((e) => html`<p class="error">Internal error in ${e.suite}/${e.scenario}: ${e.message}</p>`)}
${attention.length ? html`<div class="attention"><h3>Look here first</h3><ul>${attention.map((r) => html`<li><span class="badge ${r.status}">${STATUS_LABEL[r.status]}</span> <a href="#${resultId(r, i)}"><code>${resultKey(r)}</code></a> ${r.title}${r.message ? html`: <span class="message">${r.message}</span>` : ''}</li>`)}</ul></div>` : ''}
${run.reproduce ? html`<p class="repro">repeat this run: <code>${run.reproduce}</code></p>` : ''}
${series.map((s) => html`<div class="series"><h3>${s}</h3>${bySeries.get(s)!.map((r) => resultRow(r, i))}</div>`)}
</section>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:1em;color:#1b1f24;background:#fff}
h1{font-size:1.4em}h2{font-size:1.2em;border-top:1px solid #ccd;padding-top:.8em}h3{font-size:1em;margin:.8em 0 .3em;color:#445}
small{color:#556}code,pre{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}pre{background:#f4f5f7;padding:.5em;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse;margin:.4em 0}th,td{border:1px solid #dde;padding:.2em .5em;text-align:left}th{background:#f4f5f7;font-weight:600}
.verdict{padding:.1em .4em;border-radius:3px;color:#fff}.verdict.ok{background:#1a7f37}.verdict.bad{background:#cf222e}.verdict.warn{background:#9a6700}
.badge{display:inline-block;min-width:5.5em;text-align:center;border-radius:3px;padding:0 .3em;font-size:12px;color:#fff;background:#57606a}
.badge.pass{background:#1a7f37}.badge.fail{background:#cf222e}.badge.warn{background:#9a6700}.badge.deviation{background:#8250df}.badge.info{background:#0969da}.badge.skip{background:#6e7781}
details.result{border-left:3px solid #dde;margin:.15em 0;padding-left:.5em}details.result.fail{border-color:#cf222e}details.result.warn{border-color:#9a6700}details.result.deviation{border-color:#8250df}
.body{padding:.2em 0 .5em 1em}.message,.error{color:#82071e}.deviation{color:#512a97}.filters{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #ccd}
.attention{border:1px solid #cf222e;border-radius:4px;padding:.2em .8em;margin:.6em 0}.attention ul{margin:.3em 0;padding-left:1em;list-style:none}.attention li{margin:.15em 0}
.filters label{margin-right:1em}body[data-filter=failed] details.result:not([data-status=fail]){display:none}
body[data-filter=warnings] details.result:not([data-status=warn]){display:none}body[data-filter=deviations] details.result:not([data-status=deviation]){display:none}
`;

// The filters: a radio group sets body[data-filter]; CSS hides the rest. Works from file://, no network.
const SCRIPT = `document.querySelectorAll('input[name=filter]').forEach(function(r){r.addEventListener('change',function(){document.body.dataset.filter=r.value;});});`;

/** The whole report: an overall summary across targets, then one section per target. */
export function toHtml(runs: FinishedRun[], meta: { version: string; generatedAt: string }): string {
  const total = runs.reduce(
    (acc, run) => {
      const n = counts(run);
      for (const k of Object.keys(n)) acc[k] = (acc[k] ?? 0) + n[k]!;
      return acc;
    },
    {} as Record<string, number>,
  );
  const conforming = runs.filter((r) => r.verdict === 'CONFORMS').length;
  const page = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>idp-conformance report: ${conforming} of ${runs.length} target(s) conform</title>
<style>${new Html(STYLE)}</style></head>
<body data-filter="all">
<h1>idp-conformance report</h1>
<p>${conforming} of ${runs.length} target(s) conform · ${total.pass ?? 0} pass, ${total.fail ?? 0} fail, ${total.warn ?? 0} warn, ${total.deviation ?? 0} documented deviations, ${total.skip ?? 0} skipped · idp-conformance ${meta.version} · ${meta.generatedAt}</p>
<table class="targets"><tr><th>target</th><th>verdict</th><th>pass</th><th>fail</th><th>warn</th><th>deviations</th><th>skipped</th></tr>
${runs.map((run, i) => {
  const n = counts(run);
  return html`<tr><td><a href="#run${i}">${run.target.flavour}${run.target.preset ? ` (${run.target.preset})` : ''}</a></td><td>${run.verdict}</td><td>${n.pass}</td><td>${n.fail}</td><td>${n.warn}</td><td>${n.deviation}</td><td>${n.skip}</td></tr>`;
})}</table>
<form class="filters">show: <label><input type="radio" name="filter" value="all" checked> all</label><label><input type="radio" name="filter" value="failed"> failed</label><label><input type="radio" name="filter" value="warnings"> warnings</label><label><input type="radio" name="filter" value="deviations"> deviations</label></form>
${runs.map((run, i) => runSection(run, i))}
<script>${new Html(SCRIPT)}</script>
</body></html>
`;
  return page.text;
}
