// TAP 14: a subtest per scenario, a test point per step, YAML diagnostics on failure.
// Scenarios running in parallel are buffered and written whole, so subtests never interleave.
import { stringify } from 'yaml';
import { failingProblems, skippedWhole, type Reporter, type RunResult, type RunStartInfo, type ScenarioResult, type StepOutcome } from '../runner/events.ts';

export class TapReporter implements Reporter {
  private count = 0;
  private readonly write: (text: string) => void | Promise<void>;
  constructor(write: (text: string) => void | Promise<void>) {
    this.write = write;
  }

  onRunStart(info: RunStartInfo): void {
    void this.write(`TAP version 14\n# certharness on ${info.runtime.name} ${info.runtime.version}\n`);
  }

  onScenarioEnd(r: ScenarioResult): void {
    this.count++;
    void this.write(formatScenario(r, this.count));
  }

  onNotice(text: string): void {
    void this.write(`# ${text.replace(/\n/g, '\n# ')}\n`);
  }

  async onRunEnd(result: RunResult): Promise<void> {
    const c = result.counts;
    await this.write(
      `1..${this.count}\n# tests ${c.tests}: passed ${c.passed}, failed ${c.failed}, errors ${c.errors}, skipped ${c.skipped}, todo ${c.todo}, flaky ${c.flaky}${result.interrupted ? ' (interrupted)' : ''}\n` +
        (result.bailedAfter !== undefined ? `Bail out! --bail: "${escapeDescription(result.bailedAfter)}" failed\n` : ''),
    );
  }
}

function escapeDescription(text: string): string {
  // TAP 14: `#` starts a directive and `\` escapes; a newline would end the line.
  return text.replace(/\\/g, '\\\\').replace(/#/g, '\\#').replace(/[\r\n]+/g, ' ');
}

function indent(text: string, by: string): string {
  return text.replace(/^(?=.)/gm, by);
}

function yamlBlock(data: Record<string, unknown>, by: string): string {
  return `${by}  ---\n${indent(stringify(data, { lineWidth: 0 }), `${by}  `)}${by}  ...\n`;
}

export function formatScenario(r: ScenarioResult, n: number): string {
  const title = escapeDescription(r.title);
  let out = `# Subtest: ${title}\n`;
  const body: string[] = [];
  let point = 0;
  for (const p of failingProblems(r)) {
    point++;
    body.push(`not ok ${point} - ${escapeDescription(`${p.phase}${p.name ? ` ${p.name}` : ''}`)}\n`);
    body.push(yamlBlock({ message: p.message, ...(p.at ? { at: `${p.at.file}:${p.at.line}:${p.at.col}` } : {}) }, ''));
  }
  if (skippedWhole(r)) {
    out += `    1..0 # SKIP ${escapeDescription(r.skipReason ?? '')}\n`;
    return out + `ok ${n} - ${title} # SKIP ${escapeDescription(r.skipReason ?? '')}\n`;
  }
  for (const s of r.steps) {
    point++;
    body.push(formatStep(s, point));
  }
  out += indent(body.join('') + `1..${point}\n`, '    ');
  const ok = r.status !== 'failed';
  return out + `${ok ? 'ok' : 'not ok'} ${n} - ${title}${r.status === 'skipped' ? ' # SKIP' : ''}\n`;
}

function formatStep(s: StepOutcome, n: number): string {
  const name = escapeDescription(s.name);
  const directive =
    s.status === 'skipped' ? ` # SKIP ${escapeDescription(s.reason ?? '')}` : s.status === 'todo' ? ` # TODO ${escapeDescription(s.reason ?? '')}` : '';
  const ok = s.status === 'passed' || s.status === 'flaky' || s.status === 'skipped' || (s.status === 'todo' && s.passedAnyway);
  let line = `${ok ? 'ok' : 'not ok'} ${n} - ${name}${directive}\n`;
  if (s.status === 'failed' || s.status === 'flaky' || (s.status === 'todo' && !s.passedAnyway)) {
    const failed = s.assertions.filter((a) => !a.ok);
    const diag: Record<string, unknown> = {
      ...(failed.length ? { message: failed.map((a) => a.message).join('\n') } : {}),
      ...(failed.length === 1 ? { expected: failed[0]!.expected, actual: failed[0]!.actual } : {}),
      ...(s.cause ? { cause: s.cause } : {}),
      ...(failed.length > 1 ? { failures: failed.map((a) => ({ path: a.path, expected: a.expected, actual: a.actual })) } : {}),
      ...(s.at ? { at: `${s.at.file}:${s.at.line}:${s.at.col}` } : {}),
      ...(s.status === 'flaky' ? { flaky: `passed on attempt ${s.attempts}`, earlierFailures: s.earlierFailures } : {}),
      duration_ms: Math.round(s.durationMs),
    };
    line += yamlBlock(diag, '');
  }
  return line;
}
