// The human view: one block per scenario as it finishes, failures with the step's source
// line and expected vs actual, and on a terminal a live line saying what is running now.
import type { Reporter, RunResult, RunStartInfo, ScenarioInfo, ScenarioResult, StepOutcome } from '../runner/events.ts';
import { formatDuration } from '../scenario/duration.ts';
import { show } from '../expect/evaluate.ts';

/**
 * Text from scenarios and child processes as the terminal should show it: control characters
 * (a child's colour codes, a title's escape sequence) written out as \e and \xNN, never sent
 * to the terminal to act on. Multi-line text is split by the caller first.
 */
export function visible(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (ch) => (ch === '\x1b' ? '\\e' : ch === '\t' ? '\t' : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

export interface ConsoleOptions {
  write: (text: string) => void;
  color: boolean;
  /** A terminal: draw and redraw the live status line. */
  live: boolean;
  /** Terminal width, to keep the live line on one row. */
  columns?: number;
}

export class ConsoleReporter implements Reporter {
  private readonly running = new Map<string, { scenario: string; step: string; since: number; progress?: string }>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private statusShown = false;
  private readonly o: ConsoleOptions;
  constructor(o: ConsoleOptions) {
    this.o = o;
  }

  private c(code: string, text: string): string {
    return this.o.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }

  onRunStart(info: RunStartInfo): void {
    const n = info.scenarios.length;
    this.print(`Running ${n} scenario${n === 1 ? '' : 's'} on ${info.runtime.name} ${info.runtime.version} (${info.jobs} at a time)\n`);
    if (this.o.live) this.timer = setInterval(() => this.drawStatus(), 250);
    this.timer?.unref?.();
  }

  onStepStart(s: ScenarioInfo, step: { index: number; name: string }): void {
    this.running.set(s.id, { scenario: s.title, step: step.name, since: performance.now() });
  }

  onStepProgress(s: ScenarioInfo, _step: { index: number; name: string }, text: string): void {
    const r = this.running.get(s.id);
    if (r) r.progress = text;
  }

  onScenarioEnd(r: ScenarioResult): void {
    this.running.delete(r.id);
    this.print(this.formatScenario(r));
  }

  onNotice(text: string): void {
    this.print(`${this.c('33', 'note')} ${visible(text)}\n`);
  }

  onRunEnd(result: RunResult): void {
    if (this.timer) clearInterval(this.timer);
    this.clearStatus();
    const c = result.counts;
    const parts = [
      this.c(c.failed || c.errors ? '31;1' : '32;1', `${c.passed} passed`),
      c.failed ? this.c('31;1', `${c.failed} failed`) : `${c.failed} failed`,
      ...(c.errors ? [this.c('31;1', `${c.errors} ${c.errors === 1 ? 'error' : 'errors'}`)] : []),
      ...(c.skipped ? [this.c('33', `${c.skipped} skipped`)] : []),
      ...(c.todo ? [`${c.todo} todo`] : []),
      ...(c.flaky ? [this.c('35', `${c.flaky} flaky`)] : []),
    ];
    this.o.write(`\n${parts.join(', ')} (${c.scenarios} scenarios, ${formatDuration(result.durationMs)})${result.interrupted ? this.c('31', ' — interrupted') : ''}\n`);
  }

  private formatScenario(r: ScenarioResult): string {
    const mark = r.status === 'passed' ? this.c('32', '✔') : r.status === 'skipped' ? this.c('33', '–') : this.c('31', '✘');
    let out = `${mark} ${this.c('1', visible(r.title))} ${this.c('2', `${visible(r.id)} ${formatDuration(r.durationMs)}`)}\n`;
    if (r.skipReason && !r.steps.length) out += `    ${this.c('33', `skipped: ${visible(r.skipReason)}`)}\n`;
    for (const p of r.problems) {
      const where = p.at ? `${visible(p.at.file)}:${p.at.line}:${p.at.col}: ` : '';
      out += `    ${this.c('31', `${p.phase} failed`)} ${where}${visible(p.message)}\n`;
    }
    for (const s of r.steps) out += this.formatStep(s);
    if (r.workDir) out += `    ${this.c('2', `work directory kept: ${r.workDir}`)}\n`;
    return out;
  }

  private formatStep(s: StepOutcome): string {
    const icon = { passed: this.c('32', '✔'), failed: this.c('31', '✘'), skipped: this.c('33', '–'), todo: this.c('36', '○'), flaky: this.c('35', '✔') }[s.status];
    const note = s.status === 'flaky' ? this.c('35', ` (flaky: passed on attempt ${s.attempts})`) : s.status === 'skipped' ? this.c('33', ` (skipped: ${visible(s.reason ?? '')})`) : s.status === 'todo' ? this.c('36', ` (todo: ${visible(s.reason ?? '')})`) : '';
    let out = `  ${icon} ${visible(s.name)}${note} ${this.c('2', formatDuration(s.durationMs))}\n`;
    if (s.status === 'failed') {
      if (s.at) out += `      ${this.c('2', `${visible(s.at.file)}:${s.at.line}`)}  ${visible(s.sourceLine ?? '')}\n`;
      for (const a of s.assertions.filter((x) => !x.ok)) {
        out += `      ${this.c('31', visible(a.path))}: expected ${this.c('32', visible(a.expected))}\n`;
        out += `      ${' '.repeat(a.path.length)}  actual   ${this.c('31', visible(show(a.actual)))}\n`;
      }
      if (s.cause) out += `      ${this.c('2', 'cause:')} ${visible(s.cause)}\n`;
      const stderr = typeof s.result?.stderr === 'string' ? s.result.stderr.trim() : '';
      if (stderr) out += `      ${this.c('2', 'stderr:')} ${stderr.split('\n').slice(-5).map((l) => visible(l)).join('\n              ')}\n`;
    }
    return out;
  }

  private print(text: string): void {
    this.clearStatus();
    this.o.write(text);
    this.drawStatus();
  }

  private drawStatus(): void {
    if (!this.o.live || !this.running.size) return;
    const now = performance.now();
    const [first] = this.running.values();
    const extra = this.running.size > 1 ? ` (+${this.running.size - 1} more)` : '';
    const line = visible(`… ${first!.scenario} › ${first!.step}${first!.progress ? ` — ${first!.progress}` : ''} ${formatDuration(now - first!.since)}${extra}`);
    this.o.write(`\r\x1b[2K${this.c('2', line.slice(0, (this.o.columns ?? 100) - 1))}`);
    this.statusShown = true;
  }

  private clearStatus(): void {
    if (this.statusShown) this.o.write('\r\x1b[2K');
    this.statusShown = false;
  }
}
