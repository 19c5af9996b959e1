// `clients check`'s matrix: case × client, what each client did (accepted or rejected) and
// whether that is what a correct client does, with the client's own error line for a refusal.
// Read from the run's result like every reporter: a scenario per client, a step per case, named
// "<client> accepts|rejects <case>" by the catalogue's generator.
import { countRun, type Reporter, type RunResult, type StepOutcome } from '../runner/events.ts';

const STEP_NAME = /^(.+?) (accepts|rejects) ([a-z0-9-]+)\b/;

export class MatrixReporter implements Reporter {
  private readonly write: (text: string) => void;
  constructor(write: (text: string) => void) {
    this.write = write;
  }

  onRunEnd(result: RunResult): void {
    const clients = result.scenarios.map((s) => ({ name: s.id.replace(/^clients\//, ''), skipped: s.skipReason, cells: new Map(s.steps.map((step) => [caseOf(step), step] as const)) }));
    const cases = [...new Set(result.scenarios.flatMap((s) => s.steps.map(caseOf)))].filter((c) => c !== '');
    const width = Math.max(4, ...cases.map((c) => c.length));
    const header = ['case'.padEnd(width), ...clients.map((c) => c.name.padEnd(12))].join('  ');
    const lines = [header, '-'.repeat(header.length)];
    for (const name of cases) lines.push([name.padEnd(width), ...clients.map((c) => cell(c.cells.get(name), c.skipped).padEnd(12))].join('  '));
    lines.push('', 'accepted/rejected: what the client did; ok: what a correct client does; ~: a known deviation of that client (docs/reference/catalogue.md); FAIL: neither');
    for (const c of clients.filter((c) => c.skipped)) lines.push(`${c.name}: skipped: ${c.skipped}`);
    const refusals = clients.flatMap((c) => [...c.cells].filter(([, step]) => did(step) === 'rejected').map(([name, step]) => `  ${name} / ${c.name}: ${errorLine(step)}`));
    if (refusals.length) lines.push('', "Each refusal in the client's words:", ...refusals);
    // Every failed step, the checks that are not a case's cell (that a revoked case is revoked) too.
    const failures = result.scenarios.flatMap((sc) => sc.steps.filter((st) => st.status === 'failed').map((st) => `  ${caseOf(st) ? `${caseOf(st)} / ${sc.id.replace(/^clients\//, '')}` : st.name}: ${st.cause ?? st.assertions.find((a) => !a.ok)?.message ?? 'failed'}`));
    if (failures.length) lines.push('', 'Failures:', ...failures);
    const n = countRun(result.scenarios);
    const others = result.scenarios.flatMap((sc) => sc.steps.filter((st) => !caseOf(st))).length;
    lines.push('', `${n.passed} passed, ${n.failed} failed, ${n.errors} errors, ${n.skipped} skipped (${clients.length} client${clients.length === 1 ? '' : 's'}, ${cases.length} cases${others ? `, and ${others} checks that the revoked cases are revoked` : ''})`);
    this.write(`${lines.join('\n')}\n`);
  }
}

function caseOf(step: StepOutcome): string {
  return STEP_NAME.exec(step.name)?.[3] ?? '';
}

/** What the client did: every client here exits 0 only when it got an answer. */
function did(step: StepOutcome): 'accepted' | 'rejected' | undefined {
  const exit = step.result?.exit;
  if (typeof exit !== 'number') return undefined;
  return exit === 0 ? 'accepted' : 'rejected';
}

function cell(step: StepOutcome | undefined, skipped: string | undefined): string {
  if (skipped) return 'skipped';
  if (!step) return '-';
  const what = did(step);
  if (!what) return step.status;
  if (step.status === 'failed') return `${what} FAIL`;
  return `${what} ${step.name.includes('known deviation') ? '~' : 'ok'}`;
}

/** The line of the client's output that says why it refused (gnutls-cli says it on stdout). */
function errorLine(step: StepOutcome): string {
  const text = (['stderr', 'stdout'] as const).map((k) => (typeof step.result?.[k] === 'string' ? step.result[k] : '')).join('\n');
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  // gnutls-cli says why on its Status line, after a generic "Fatal error".
  const telling = lines.find((l) => /NOT trusted|Received alert/.test(l)) ?? lines.find((l) => /verify error|certificate problem|SSL:|alert|Error|error|CERT_|ERR_/.test(l));
  return (telling ?? lines.at(-1) ?? step.cause ?? '').slice(0, 160);
}
