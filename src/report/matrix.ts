// `clients check`'s matrix: case × client, what each client did (accepted or rejected) and
// whether that is what a correct client does, with the client's own error line for a refusal.
// Read from the run's result like every reporter: a scenario per client (its id clients/<name>),
// a step per case, named "<client> accepts|rejects <case>" by the catalogue's generator. The
// console prints it as text (MatrixReporter); the HTML report draws the same cells as a table.
import { countRun, type Reporter, type RunResult, type StepOutcome } from '../runner/events.ts';

const STEP_NAME = /^(.+?) (accepts|rejects) ([a-z0-9-]+)\b/;
const CLIENT_SCENARIO = /^clients\//;

export interface MatrixCell {
  /** accepted or rejected: what the client did; absent when it did not run or gave no exit code. */
  did?: 'accepted' | 'rejected';
  /** ok: what a correct client does; deviation: what this client is known to do instead; fail: neither. */
  verdict: 'ok' | 'deviation' | 'fail' | 'skipped' | 'none' | 'other';
  /** As the console shows it: "accepted ok", "rejected ~", "skipped", "-". */
  label: string;
  /** A refusal in the client's own words. */
  errorLine?: string;
}

export interface ClientMatrix {
  clients: { name: string; skipped?: string }[];
  cases: string[];
  cell(caseName: string, client: string): MatrixCell;
  /** Every failed step, the checks that are not a case's cell (that a revoked case is revoked) too. */
  failures: string[];
  /** Steps that are no case's cell: the checks that a case is what it says (revoked, naming its client CA). */
  otherChecks: number;
}

/** The matrix of a `clients check` run; undefined for any other run. */
export function clientMatrix(result: RunResult): ClientMatrix | undefined {
  if (!result.scenarios.length || !result.scenarios.every((s) => CLIENT_SCENARIO.test(s.id))) return undefined;
  const clients = result.scenarios.map((s) => ({ name: s.id.replace(CLIENT_SCENARIO, ''), ...(s.skipReason ? { skipped: s.skipReason } : {}), cells: new Map(s.steps.map((step) => [caseOf(step), step] as const)) }));
  const cases = [...new Set(result.scenarios.flatMap((s) => s.steps.map(caseOf)))].filter((c) => c !== '');
  const failures = result.scenarios.flatMap((sc) => sc.steps.filter((st) => st.status === 'failed').map((st) => `${caseOf(st) ? `${caseOf(st)} / ${sc.id.replace(CLIENT_SCENARIO, '')}` : st.name}: ${st.cause ?? st.assertions.find((a) => !a.ok)?.message ?? 'failed'}`));
  return {
    clients: clients.map(({ name, skipped }) => ({ name, ...(skipped ? { skipped } : {}) })),
    cases,
    cell: (caseName, client) => {
      const c = clients.find((x) => x.name === client);
      return cellOf(c?.cells.get(caseName), c?.skipped);
    },
    failures,
    otherChecks: result.scenarios.flatMap((sc) => sc.steps.filter((st) => !caseOf(st))).length,
  };
}

export class MatrixReporter implements Reporter {
  private readonly write: (text: string) => void;
  constructor(write: (text: string) => void) {
    this.write = write;
  }

  onRunEnd(result: RunResult): void {
    const m = clientMatrix(result);
    if (!m) return;
    const width = Math.max(4, ...m.cases.map((c) => c.length));
    const header = ['case'.padEnd(width), ...m.clients.map((c) => c.name.padEnd(12))].join('  ');
    const lines = [header, '-'.repeat(header.length)];
    for (const name of m.cases) lines.push([name.padEnd(width), ...m.clients.map((c) => m.cell(name, c.name).label.padEnd(12))].join('  '));
    lines.push('', 'accepted/rejected: what the client did; ok: what a correct client does; ~: a known deviation of that client (docs/reference/catalogue.md); FAIL: neither');
    for (const c of m.clients.filter((c) => c.skipped)) lines.push(`${c.name}: skipped: ${c.skipped}`);
    const refusals = m.clients.flatMap((c) => m.cases.map((name) => ({ name, cell: m.cell(name, c.name) })).filter((x) => x.cell.did === 'rejected').map((x) => `  ${x.name} / ${c.name}: ${x.cell.errorLine}`));
    if (refusals.length) lines.push('', "Each refusal in the client's words:", ...refusals);
    if (m.failures.length) lines.push('', 'Failures:', ...m.failures.map((f) => `  ${f}`));
    const n = countRun(result.scenarios);
    lines.push('', `${n.passed} passed, ${n.failed} failed, ${n.errors} errors, ${n.skipped} skipped (${m.clients.length} client${m.clients.length === 1 ? '' : 's'}, ${m.cases.length} cases${m.otherChecks ? `, and ${m.otherChecks} checks that the cases are what they say` : ''})`);
    this.write(`${lines.join('\n')}\n`);
  }
}

function caseOf(step: StepOutcome): string {
  return STEP_NAME.exec(step.name)?.[3] ?? '';
}

/** What the client did: every client here exits 0 only when it got an answer, and a gRPC call says OK. */
function did(step: StepOutcome): 'accepted' | 'rejected' | undefined {
  // The grpc step (grpc-js) answers with the call's status instead.
  const status = step.result?.status;
  if (typeof status === 'string') return status === 'OK' ? 'accepted' : 'rejected';
  const exit = step.result?.exit;
  if (typeof exit !== 'number') return undefined;
  return exit === 0 ? 'accepted' : 'rejected';
}

function cellOf(step: StepOutcome | undefined, skipped: string | undefined): MatrixCell {
  if (skipped) return { verdict: 'skipped', label: 'skipped' };
  if (!step) return { verdict: 'none', label: '-' };
  const what = did(step);
  if (!what) return { verdict: step.status === 'skipped' ? 'skipped' : 'other', label: step.status };
  const errorLine = what === 'rejected' ? { errorLine: errorLineOf(step) } : {};
  if (step.status === 'failed') return { did: what, verdict: 'fail', label: `${what} FAIL`, ...errorLine };
  const deviation = step.name.includes('known deviation');
  return { did: what, verdict: deviation ? 'deviation' : 'ok', label: `${what} ${deviation ? '~' : 'ok'}`, ...errorLine };
}

/** The line of the client's output that says why it refused (gnutls-cli says it on stdout). */
function errorLineOf(step: StepOutcome): string {
  // The grpc step says what failed under UNAVAILABLE in tlsError, and grpc-js's words in details.
  const { tlsError, details } = step.result ?? {};
  if (typeof details === 'string' && details) return `${typeof tlsError === 'string' ? `${tlsError}: ` : ''}${details}`.slice(0, 160);
  const text = (['stderr', 'stdout'] as const).map((k) => (typeof step.result?.[k] === 'string' ? step.result[k] : '')).join('\n');
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  // gnutls-cli says why on its Status line, after a generic "Fatal error"; wget in its last ERROR line, after "is not trusted".
  const telling = lines.find((l) => /NOT trusted|Received alert/.test(l)) ?? lines.findLast((l) => /^ERROR: |^Failed writing HTTP request: /.test(l)) ?? lines.find((l) => /verify error|certificate problem|SSL:|alert|Error|error|CERT_|ERR_/.test(l));
  return (telling ?? lines.at(-1) ?? step.cause ?? '').slice(0, 160);
}
