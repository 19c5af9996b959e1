// Fans events out to several reporters. One broken reporter must not kill the run: its
// exception becomes a notice on the others, and it gets no further events.
import type { Reporter, RunResult } from '../runner/events.ts';

type Hook = Exclude<keyof Reporter, 'onRunEnd'>;

export class ReporterMultiplexer {
  private readonly failures: string[] = [];
  private readonly broken = new Set<Reporter>();
  private readonly reporters: Reporter[];
  constructor(reporters: Reporter[]) {
    this.reporters = reporters;
  }

  emit<K extends Hook>(hook: K, ...args: Parameters<NonNullable<Reporter[K]>>): void {
    for (const r of this.reporters) {
      if (this.broken.has(r)) continue;
      try {
        (r[hook] as ((...a: unknown[]) => void) | undefined)?.apply(r, args);
      } catch (e) {
        this.fail(r, hook, e);
      }
    }
  }

  async end(result: RunResult): Promise<void> {
    for (const r of this.reporters) {
      if (this.broken.has(r)) continue;
      try {
        await r.onRunEnd?.(result);
      } catch (e) {
        this.fail(r, 'onRunEnd', e);
      }
    }
  }

  /** Sends a finished run through every reporter as a live run would (merge, bad input). */
  async replay(result: RunResult): Promise<void> {
    this.emit('onRunStart', { scenarios: result.scenarios, jobs: 1, runtime: result.runtime });
    for (const s of result.scenarios) {
      this.emit('onScenarioStart', s);
      for (const st of s.steps) this.emit('onStepEnd', s, st);
      this.emit('onScenarioEnd', s);
    }
    await this.end(result);
  }

  /** Messages of reporters that failed (e.g. a report file that could not be written). */
  get errors(): readonly string[] {
    return this.failures;
  }

  private fail(r: Reporter, hook: string, e: unknown): void {
    this.broken.add(r);
    const msg = `reporter ${r.constructor?.name ?? 'reporter'} failed in ${hook}: ${(e as Error)?.message ?? String(e)}`;
    this.failures.push(msg);
    for (const other of this.reporters) if (!this.broken.has(other)) other.onNotice?.(msg);
  }
}
