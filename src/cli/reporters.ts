// --reporter console | tap[=PATH] | junit=PATH | json=PATH | html=DIR (repeatable).
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, RunResult } from '../runner/events.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { ConsoleReporter } from '../report/console.ts';
import { TapReporter } from '../report/tap.ts';
import { UsageError } from './exit-codes.ts';
import { isCi, type CliIo } from './io.ts';
import { didYouMean } from '../scenario/suggest.ts';

const KINDS = ['console', 'tap', 'junit', 'json', 'html'];

/** Whether a --reporter spec writes to standard output (no file, or '-'). */
export function writesStdout(spec: string): boolean {
  const eq = spec.indexOf('=');
  return eq === -1 || spec.slice(eq + 1) === '-';
}

export function createReporters(specs: string[], io: CliIo): Reporter[] {
  const list = specs.length ? specs : [io.stdoutIsTTY ? 'console' : 'tap'];
  let stdoutTaken = false;
  const reporters: Reporter[] = [];
  for (const spec of list) {
    const eq = spec.indexOf('=');
    const kind = eq === -1 ? spec : spec.slice(0, eq);
    const path = eq === -1 ? undefined : spec.slice(eq + 1);
    if (!KINDS.includes(kind)) throw new UsageError(`--reporter ${spec}: unknown reporter '${kind}'${hint(kind)}; use console[=PATH], tap[=PATH], junit=PATH, json=PATH or html=DIR`);
    if ((kind === 'junit' || kind === 'json') && !path) throw new UsageError(`--reporter ${kind} needs a file: --reporter ${kind}=report.${kind === 'junit' ? 'xml' : 'json'}`);
    if (kind === 'html' && (!path || path === '-')) throw new UsageError('--reporter html needs a directory: --reporter html=report (it writes report/index.html)');
    if (!path || path === '-') {
      if (stdoutTaken) throw new UsageError(`--reporter ${spec}: only one reporter can write to standard output; give the others a file (tap=report.tap)`);
      stdoutTaken = true;
    }
    if (path && path !== '-') checkWritable(kind === 'html' ? reportDirectory(path, spec) : path, spec);
    switch (kind) {
      case 'console': {
        if (path && path !== '-') {
          reporters.push(new BufferedFileReporter(path, (w) => new ConsoleReporter({ write: w, color: false, live: false })));
          break;
        }
        const color = io.stdoutIsTTY && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb';
        reporters.push(new ConsoleReporter({ write: io.stdout, color, live: io.stdoutIsTTY && !isCi(io.env), ...(io.columns ? { columns: io.columns } : {}) }));
        break;
      }
      case 'tap':
        reporters.push(path && path !== '-' ? new BufferedFileReporter(path, (w) => new TapReporter(w)) : new TapReporter(io.stdout));
        break;
      case 'junit':
        reporters.push(new AtRunEnd(async () => new (await import('../report/junit.ts')).JUnitReporter(path!)));
        break;
      case 'json':
        reporters.push(new AtRunEnd(async () => new (await import('../report/json.ts')).JsonReporter(path!)));
        break;
      case 'html':
        reporters.push(new AtRunEnd(async () => new (await import('../report/html.ts')).HtmlReporter(path!)));
        break;
    }
  }
  return reporters;
}

function hint(kind: string): string {
  const h = didYouMean(kind, KINDS);
  return h ? ` (${h})` : '';
}

/** The HTML report's directory, made now (so that a path that cannot be one fails before the run); returns the page's path. */
function reportDirectory(dir: string, spec: string): string {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(`--reporter ${spec}: cannot make the directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return join(dir, 'index.html');
}

/** Fails before the run rather than after it, when a report cannot be written. */
function checkWritable(path: string, spec: string): void {
  try {
    writeFileSync(`${path}.certharness-check`, '');
    rmSync(`${path}.certharness-check`, { force: true });
  } catch (e) {
    throw new UsageError(`--reporter ${spec}: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * A reporter that writes only when the run ends, loaded then: a run that fails on its input, or
 * asks for TAP alone, never loads the XML builder or the HTML renderer.
 */
class AtRunEnd implements Reporter {
  private readonly load: () => Promise<Reporter>;
  constructor(load: () => Promise<Reporter>) {
    this.load = load;
  }
  async onRunEnd(result: RunResult): Promise<void> {
    await (await this.load()).onRunEnd?.(result);
  }
}

/** A streaming reporter whose output goes to a file, written atomically at the end. */
class BufferedFileReporter implements Reporter {
  private readonly chunks: string[] = [];
  private readonly inner: Reporter;
  private readonly path: string;
  constructor(path: string, make: (write: (t: string) => void) => Reporter) {
    this.path = path;
    this.inner = make((t) => void this.chunks.push(t));
    for (const hook of ['onRunStart', 'onScenarioStart', 'onStepStart', 'onStepProgress', 'onStepEnd', 'onScenarioEnd', 'onNotice'] as const) {
      const fn = this.inner[hook] as ((...a: unknown[]) => void) | undefined;
      if (fn) (this as Record<string, unknown>)[hook] = (...a: unknown[]) => fn.apply(this.inner, a);
    }
  }
  async onRunEnd(result: RunResult): Promise<void> {
    await this.inner.onRunEnd?.(result);
    await writeFileAtomic(this.path, this.chunks.join(''));
  }
}
