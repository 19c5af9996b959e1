// The HTML report: one self-contained index.html (its style inline, nothing fetched), readable
// from file:// and as a CI artefact. The overview is a table that needs no JavaScript; a few
// lines of script only add filtering by status and tag. Each scenario is a <details> block
// (open when it failed) with its steps, and each failure with its cause: what was expected,
// what came, the error line, the end of stderr and the scenario line. Built from the run's
// result like every reporter, so its counts are theirs; the certificates are drawn by pki-svg.ts,
// the scenario's clock by clock-timeline.ts, and a simulation's lifetime by the same chart the
// simulate command draws.
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { countRun, countScenario, failingProblems, type Counts, type Reporter, type RunResult, type ScenarioResult, type StepOutcome } from '../runner/events.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { html, raw, type Html } from '../util/html.ts';
import { certAnchor, pkiDetails, pkiDiagram, PKI_STYLE, type CertificateRoles } from './pki-svg.ts';
import { certificatesSeen, serialIndex, type SerialIndex } from './certificates-seen.ts';
import { clockTimeline, CLOCK_STYLE } from './clock-timeline.ts';
import { lifetimeChart, type Lifetime } from '../simulate/timeline-svg.ts';
import { clientMatrix, type ClientMatrix } from './matrix.ts';

export class HtmlReporter implements Reporter {
  private readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }
  async onRunEnd(result: RunResult): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o755 });
    await writeFileAtomic(join(this.dir, 'index.html'), renderHtml(result, this.dir));
  }
}

const COUNT_NAMES = ['passed', 'failed', 'errors', 'skipped', 'todo', 'flaky'] as const;
const TAIL_CHARS = 2000;
/** A work directory's files listed on the page; the JSON report has them all (up to listFiles' bound). */
const FILES_SHOWN = 100;

/** The report page; `dir` is where it goes, so that links to scenario files are relative to it. */
export function renderHtml(result: RunResult, dir: string): string {
  const n = countRun(result.scenarios);
  const tags = [...new Set(result.scenarios.flatMap((s) => s.tags))].sort();
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>certharness: ${n.failed + n.errors ? `${n.failed + n.errors} failing` : 'all passed'} (${n.tests} test${n.tests === 1 ? '' : 's'})</title>
<style>${raw(STYLE + PKI_STYLE + CLOCK_STYLE)}</style>
</head>
<body>
<header>
<h1>certharness report</h1>
<p class="meta">${result.runtime.name} ${result.runtime.version} on ${result.runtime.platform} · started ${result.startedAt} · ${seconds(result.durationMs)}${result.shard ? ` · shard ${result.shard.index}/${result.shard.total}` : ''}${result.interrupted ? ' · interrupted' : ''}${result.bailedAfter ? ` · stopped after the first failure (${result.bailedAfter})` : ''}</p>
${countsLine(n, 'run-counts')}
${overridesLine(result)}
</header>
<main>
${matrixSection(clientMatrix(result))}
<h2>Scenarios</h2>
<form id="filters" hidden>
<fieldset><legend>Show</legend>${['passed', 'failed', 'skipped'].map((st) => html`<label><input type="checkbox" name="status" value="${st}" checked> ${st}</label> `)}</fieldset>
${tags.length ? html`<label>Tag <select name="tag"><option value="">any</option>${tags.map((t) => html`<option>${t}</option>`)}</select></label>` : ''}
</form>
<table class="overview">
<thead><tr><th scope="col">Scenario</th><th scope="col">Status</th><th scope="col">Tests</th><th scope="col">Failed</th><th scope="col">Time</th><th scope="col">Tags</th></tr></thead>
<tbody>
${result.scenarios.map((s) => overviewRow(s))}
</tbody>
</table>
${result.scenarios.map((s) => scenarioSection(s, dir))}
</main>
<script>${raw(SCRIPT)}</script>
</body>
</html>
`.text;
}

/** What the run talked to instead of its own services, and the PKI it loaded instead of making it: the deployment an operator checked. */
function overridesLine(result: RunResult): Html | '' {
  const targets = [...new Set(result.scenarios.flatMap((s) => pairsOf(s.targets)))];
  const files = [...new Set(result.scenarios.flatMap((s) => pairsOf(s.pkiFiles)))];
  if (!targets.length && !files.length) return '';
  return html`<p class="meta" id="run-overrides">${targets.length ? html`Real deployments: ${targets.join(', ')}. ` : ''}${files.length ? html`PKI loaded from files: ${files.join(', ')}.` : ''}</p>`;
}

/** name=value, for the run's targets and the files its PKI was loaded from. */
const pairsOf = (record: Record<string, string> | undefined) => Object.entries(record ?? {}).map(([k, v]) => `${k}=${v}`);

function countsLine(c: Counts, id?: string): Html {
  return html`<p class="counts"${id ? html` id="${id}"` : ''}><span class="n">${c.tests}</span> tests: ${COUNT_NAMES.map((k) => html`<span class="c ${k}${c[k] ? '' : ' zero'}" data-count="${k}">${c[k]} ${k}</span> `)}</p>`;
}

function overviewRow(s: ScenarioResult): Html {
  const c = countScenario(s);
  return html`<tr class="scenario-row" data-status="${s.status}" data-tags="${s.tags.join(' ')}"><td><a href="#${anchor(s)}">${s.title}</a><br><small>${s.id}</small></td><td><span class="badge ${s.status}">${s.status}</span></td><td>${c.tests}</td><td>${c.failed + c.errors || ''}</td><td>${seconds(s.durationMs)}</td><td>${s.tags.join(', ')}</td></tr>
`;
}

function scenarioSection(s: ScenarioResult, dir: string): Html {
  const failed = s.status === 'failed';
  const scope = anchor(s);
  const roles = certificateRoles(s);
  const certs = certificateIndex(s);
  return html`<section class="scenario" id="${scope}" data-status="${s.status}" data-tags="${s.tags.join(' ')}">
<details${failed ? ' open' : ''}>
<summary><span class="badge ${s.status}">${s.status}</span> <strong>${s.title}</strong> <small>${s.id} · ${seconds(s.durationMs)}</small></summary>
${countsLine(countScenario(s))}
${s.skipReason ? html`<p class="reason">Skipped: ${s.skipReason}</p>` : ''}
${pairsOf(s.targets).length ? html`<p class="meta">Targets: ${pairsOf(s.targets).join(', ')}</p>` : ''}
${pairsOf(s.pkiFiles).length ? html`<p class="meta">PKI loaded from files: ${pairsOf(s.pkiFiles).join(', ')}</p>` : ''}
${s.workDir ? html`<p class="meta">Work directory (kept): <code>${s.workDir}</code></p>` : ''}
${servicesLine(s, scope, certs)}
${s.pki?.length ? html`<div class="pki-block">${pkiDiagram(s.pki, new Date(s.startedAt), `The certificates of ${s.title}, by issuer, with their validity`, { scope, roles })}${pkiDetails(s.pki, new Date(s.startedAt), { scope, roles })}</div>` : ''}
${clockTimeline(s)}
${filesList(s)}
${failingProblems(s).map((p) => html`<div class="problem"><strong>${p.phase}${p.name ? ` ${p.name}` : ''}</strong>: ${p.message}${p.at ? html` <a href="${sourceLink(p.at.file, p.at.line, dir)}">${p.at.file}:${p.at.line}:${p.at.col}</a>` : ''}</div>`)}
${s.steps.length ? html`<ol class="steps">${s.steps.map((st) => stepItem(st, dir, scope, certs))}</ol>` : ''}
</details>
</section>
`;
}

function stepItem(st: StepOutcome, dir: string, scope: string, certs: CertificateIndex): Html {
  const where = st.at ? html` <a class="src" href="${sourceLink(st.at.file, st.at.line, dir)}">${st.at.file}:${st.at.line}</a>` : '';
  const lifetime = lifetimeIn(st);
  return html`<li class="step ${st.status}"><span class="badge ${st.status}">${st.status}</span> ${st.name} <small>${st.kind} · ${seconds(st.durationMs)}${st.attempts > 1 ? ` · ${st.attempts} attempts` : ''}</small>${where}
${st.reason ? html`<p class="reason">${st.reason}</p>` : ''}
${stepCertificates(st, scope, certs)}
${lifetime ? html`<div class="lifetime-block">${lifetimeChart(lifetime, { width: '100%' })}</div>` : ''}
${st.status === 'failed' || st.status === 'flaky' ? failure(st) : ''}</li>
`;
}

/** What a failed step expected and got, and why: the same facts the console reporter prints. */
function failure(st: StepOutcome): Html {
  const failedAssertions = st.assertions.filter((a) => !a.ok);
  const stderr = typeof st.result?.stderr === 'string' ? st.result.stderr : '';
  return html`<div class="failure">
${failedAssertions.map((a) => html`<p class="assertion">${a.message}</p>`)}
${st.cause ? html`<p class="cause">Cause: ${st.cause}</p>` : ''}
${st.earlierFailures?.length ? html`<p class="cause">Earlier attempts: ${st.earlierFailures.join('; ')}</p>` : ''}
${st.sourceLine ? html`<pre class="source">${st.sourceLine}</pre>` : ''}
${stderr.trim() ? html`<details><summary>stderr (end)</summary><pre>${stderr.slice(-TAIL_CHARS)}</pre></details>` : ''}
</div>`;
}

/** What each service does with the certificates it names: a CA it trusts, a leaf it presents. */
function certificateRoles(s: ScenarioResult): CertificateRoles {
  const isCa = new Map((s.pki ?? []).map((c) => [c.name, c.isCa]));
  const roles = new Map<string, string[]>();
  for (const svc of s.services ?? []) {
    for (const item of svc.usesPki) {
      if (!isCa.has(item)) continue;
      roles.set(item, [...(roles.get(item) ?? []), `${isCa.get(item) ? 'trusted' : 'presented'} by ${svc.name}`]);
    }
  }
  return roles;
}

/** The scenario's certificates by name and by serial, made once for all its steps. */
interface CertificateIndex {
  names: ReadonlySet<string>;
  serials: SerialIndex;
}

function certificateIndex(s: ScenarioResult): CertificateIndex {
  return { names: new Set((s.pki ?? []).map((c) => c.name)), serials: serialIndex(s.pki ?? []) };
}

function servicesLine(s: ScenarioResult, scope: string, index: CertificateIndex): Html | '' {
  if (!s.services?.length) return '';
  const certs = (items: readonly string[]) => items.filter((i) => index.names.has(i));
  return html`<p class="services">Services: ${s.services.map((svc, i) => html`${i ? ', ' : ''}<strong>${svc.name}</strong> <small>(${svc.kind})</small>${certs(svc.usesPki).length ? html` with ${certs(svc.usesPki).map((c, j) => html`${j ? ' and ' : ''}${certLink(scope, c)}`)}` : ''}`)}</p>`;
}

const certLink = (scope: string, name: string, note?: string) => html`<a class="cert-link" data-cert="${name}" href="#${certAnchor(scope, name)}"><code>${name}</code></a>${note ? html` <small>(${note})</small>` : ''}`;

/** The certificates a step named (its client certificate, its trust) and the ones it met on the wire. */
function stepCertificates(st: StepOutcome, scope: string, index: CertificateIndex): Html | '' {
  const seen = certificatesSeen(st, index.serials);
  const named = (st.usesPki ?? []).filter((n) => index.names.has(n) && !seen.some((c) => c.name === n));
  if (!seen.length && !named.length) return '';
  const links = [...named.map((n) => certLink(scope, n, 'named by the step')), ...seen.map((c) => certLink(scope, c.name, c.as))];
  return html`<p class="certs">Certificates: ${links.map((l, i) => html`${i ? ', ' : ''}${l}`)}</p>`;
}

/** A simulate step's lifetime, when its result carries one in the shape the chart reads (a saved report may not). */
function lifetimeIn(st: StepOutcome): Lifetime | undefined {
  const l = st.result?.lifetime as Partial<Lifetime> | undefined;
  const isTime = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));
  if (!l || typeof l !== 'object' || !Array.isArray(l.certificates) || !Array.isArray(l.lapses) || !Array.isArray(l.rateLimitedAt) || !isTime(l.from) || !isTime(l.to)) return undefined;
  const certificates = l.certificates.filter((c) => isTime(c?.issuedAt) && isTime(c?.expiresAt));
  if (!certificates.length) return undefined;
  return { ...(l as Lifetime), certificates, lapses: l.lapses.filter((p) => isTime(p?.from) && isTime(p?.to)), rateLimitedAt: l.rateLimitedAt.filter(isTime) };
}

function filesList(s: ScenarioResult): Html | '' {
  if (!s.files?.length) return '';
  const where = s.workDir ? html`kept at <code>${s.workDir}</code>` : 'removed at the end; --keep keeps it';
  const shown = s.files.slice(0, FILES_SHOWN);
  const more = s.files.length - shown.length;
  return html`<details class="files"><summary>The work directory's ${s.files.length} file${s.files.length === 1 ? '' : 's'} (${where})</summary>
<ul>${shown.map((f) => html`<li><code>${f.path}</code> <small>${f.bytes} bytes</small></li>`)}</ul>${more ? html`<p class="meta">and ${more} more (the JSON report lists them)</p>` : ''}</details>`;
}

/** `clients check`'s case × client table: each cell what the client did and whether a correct client does that, the refusal in its words as the cell's title and in a list below. */
function matrixSection(m: ClientMatrix | undefined): Html | '' {
  if (!m) return '';
  const refusals = m.cases.flatMap((name) => m.clients.map((c) => ({ name, client: c.name, cell: m.cell(name, c.name) })).filter((x) => x.cell.errorLine));
  return html`<h2>Clients × cases</h2>
<p class="meta">accepted or rejected: what the client did; ok: what a correct client does; ~: a known deviation of that client; FAIL: neither.</p>
<table class="matrix">
<thead><tr><th scope="col">Case</th>${m.clients.map((c) => html`<th scope="col">${c.name}</th>`)}</tr></thead>
<tbody>
${m.cases.map((name) => html`<tr><th scope="row">${name}</th>${m.clients.map((c) => matrixCell(m, name, c.name))}</tr>
`)}</tbody>
</table>
${m.clients.filter((c) => c.skipped).map((c) => html`<p class="reason">${c.name}: skipped: ${c.skipped}</p>`)}
${m.failures.length ? html`<div class="failure"><p><strong>Failures</strong></p><ul>${m.failures.map((f) => html`<li>${f}</li>`)}</ul></div>` : ''}
${refusals.length ? html`<details class="refusals"><summary>Each refusal in the client's words (${refusals.length})</summary><ul>${refusals.map((r) => html`<li><strong>${r.name}</strong> / ${r.client}: <code>${r.cell.errorLine}</code></li>`)}</ul></details>` : ''}`;
}

function matrixCell(m: ClientMatrix, caseName: string, client: string): Html {
  const cell = m.cell(caseName, client);
  return html`<td class="cell ${cell.verdict}"${cell.errorLine ? html` title="${cell.errorLine}"` : ''}>${cell.label}</td>`;
}

const anchor = (s: ScenarioResult) => `s-${s.id.replace(/[^A-Za-z0-9_-]/g, '-')}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** A link from the report's directory to a line of a scenario file. */
function sourceLink(file: string, line: number, dir: string): string {
  return `${relative(dir, file).split('\\').join('/')}#L${line}`;
}

const STYLE = `
:root { color-scheme: light dark; --ok: #1a7f37; --bad: #cf222e; --skip: #6e7781; --warn: #9a6700; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.5rem; margin: 0.5rem 0; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.meta, small { color: var(--skip); }
.counts .c { margin-right: 0.6rem; } .counts .zero { color: var(--skip); } .counts .n { font-weight: 600; }
.counts .failed:not(.zero), .counts .errors:not(.zero) { color: var(--bad); font-weight: 600; }
.badge { display: inline-block; min-width: 4.2em; text-align: center; border-radius: 0.3em; padding: 0 0.3em; font-size: 0.8em; color: #fff; background: var(--skip); }
.badge.passed { background: var(--ok); } .badge.failed { background: var(--bad); } .badge.flaky, .badge.todo { background: var(--warn); }
#filters { display: flex; flex-wrap: wrap; gap: 0.4rem 1.5rem; align-items: center; margin: 0.5rem 0; }
#filters fieldset { border: 0; margin: 0; padding: 0; } #filters legend { float: left; margin-right: 0.6rem; font-weight: 600; }
table.overview { border-collapse: collapse; width: 100%; } .overview td:nth-child(n+2):nth-child(-n+5) { white-space: nowrap; } .overview th, .overview td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #8884; vertical-align: top; }
.scenario { margin: 0.4rem 0; } .scenario > details > summary { cursor: pointer; padding: 0.4rem 0; }
.steps { padding-left: 1.6rem; } .step { margin: 0.3rem 0; }
.failure { border-left: 3px solid var(--bad); padding: 0.2rem 0.8rem; margin: 0.3rem 0; }
.failure p { margin: 0.3rem 0; } .problem { border-left: 3px solid var(--bad); padding: 0.3rem 0.8rem; }
pre { white-space: pre-wrap; word-break: break-word; background: #8881; padding: 0.5rem; overflow-x: auto; }
a:focus, summary:focus, input:focus, select:focus { outline: 2px solid Highlight; outline-offset: 2px; }
[hidden] { display: none !important; }
table.matrix { border-collapse: collapse; font-size: 0.9em; } .matrix th, .matrix td { padding: 0.15rem 0.5rem; border-bottom: 1px solid #8883; text-align: left; white-space: nowrap; }
.matrix .cell.fail { color: #fff; background: var(--bad); font-weight: 600; } .matrix .cell.deviation { color: var(--warn); } .matrix .cell.ok { color: var(--ok); } .matrix .cell.skipped, .matrix .cell.none { color: var(--skip); }
.services, .certs { margin: 0.3rem 0; } .certs { font-size: 0.92em; }
.files ul { columns: 2 24rem; font-size: 0.9em; } .lifetime-block svg { max-width: 100%; height: auto; }
`;

/** Filtering only: the page is whole without it. */
const SCRIPT = `
(() => {
  const form = document.getElementById('filters');
  if (!form) return;
  form.hidden = false;
  const apply = () => {
    const statuses = new Set([...form.querySelectorAll('input[name=status]:checked')].map((i) => i.value));
    const tag = form.querySelector('select[name=tag]')?.value ?? '';
    for (const el of document.querySelectorAll('.scenario-row, section.scenario')) {
      const tagged = !tag || el.dataset.tags.split(' ').includes(tag);
      el.hidden = !(statuses.has(el.dataset.status) && tagged);
    }
  };
  form.addEventListener('change', apply);
})();
// A certificate link opens the decoded list and highlights that certificate's row in the picture.
document.addEventListener('click', (e) => {
  const link = e.target.closest?.('.cert-link');
  const section = link?.closest('section.scenario');
  if (!section) return;
  for (const g of section.querySelectorAll('svg.pki g.hl')) g.classList.remove('hl');
  for (const g of section.querySelectorAll('svg.pki g[data-cert]')) if (g.dataset.cert === link.dataset.cert) g.classList.add('hl');
  const decoded = section.querySelector('details.pki-details');
  if (decoded) decoded.open = true;
});
`;
