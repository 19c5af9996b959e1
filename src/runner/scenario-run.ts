// The life of one scenario: work directory, peers check, PKI, services, steps, teardown.
// Teardown is registered before each setup, and always runs, in reverse order.
import { setTimeout as delay } from 'node:timers/promises';
import type { Scenario, StepDecl } from '../scenario/types.ts';
import { interpolate, UnresolvedReferenceError, type Scope } from '../scenario/interpolate.ts';
import { OutsideWorkDirError } from '../scenario/work-path.ts';
import { evaluate, type Assertion } from '../expect/evaluate.ts';
import { buildWorld, isWorld, type World, type WorldOptions } from './world.ts';
import { undeclaredIn, type SharedWorld } from './shared-world.ts';
import { summarizePki, type PkiCertificateSummary } from '../pki/summary.ts';
import type { Catalog } from './catalog.ts';
import type { ScenarioInfo, ScenarioResult, StepOutcome, SetupOutcome, WorkFile } from './events.ts';
import { listFiles } from '../util/list-files.ts';
import { OWNER_FILE } from './stale.ts';
import type { ReporterMultiplexer } from '../report/multiplexer.ts';
import { TeardownStack } from './teardown.ts';
import { redact } from '../util/redact.ts';
import { peerAvailable } from '../runtime/index.ts';
import type { AnyStepKind, StepContext, TimelineMark } from '../steps/types.ts';
import { causeOf } from '../expect/cause.ts';
import { ShellSyntaxError } from '../scenario/command.ts';

export interface ScenarioRunOptions {
  catalog: Catalog;
  reporters: ReporterMultiplexer;
  /** Aborted on Ctrl-C or --bail: stop at the next safe point, then tear down. */
  signal: AbortSignal;
  env: Record<string, string | undefined>;
  /** Default per-step timeout in milliseconds. */
  stepTimeoutMs: number;
  /** Default retries for every step (a step's own `retries:` wins). */
  retries: number;
  keep: boolean;
  /** A missing peer program fails the scenario instead of skipping it (CI). */
  requirePeers: boolean;
  /** Install hints for peers, e.g. nginx -> "apt-get install nginx-light". */
  peerHints: Record<string, string>;
  /** Where work directories are made (default: the system temp dir). */
  tmpRoot?: string;
  /** The runtime this run is on, for steps' skipOn. */
  runtime: 'node' | 'bun' | 'deno';
}

export function scenarioInfo(s: Scenario, id: string): ScenarioInfo {
  // Real deployments the scenario talks to (declared `external`, or swapped in by --target).
  const targets = Object.fromEntries(Object.values(s.services).filter((d) => d.kind === 'external').map((d) => [d.name, String(d.spec.url)]));
  const services = Object.values(s.services).map((d) => ({ name: d.name, kind: d.kind, usesPki: d.usesPki }));
  const pkiFiles = Object.fromEntries(Object.values(s.pki).flatMap((d) => (typeof d.spec.certFile === 'string' ? [[d.name, d.spec.certFile]] : [])));
  return {
    id, file: s.file, title: s.title, ...(s.source ? { source: s.source } : {}), tags: s.tags, stepCount: s.steps.length,
    ...(Object.keys(targets).length ? { targets } : {}), ...(Object.keys(pkiFiles).length ? { pkiFiles } : {}), ...(services.length ? { services } : {}),
  };
}

/** Time a step that ignores its abort signal gets to wind down before it is abandoned. */
const ABORT_GRACE_MS = 3000;

/** Runs one scenario in a world of its own, or in `shared`, which it releases when done. */
export async function runScenario(scenario: Scenario, info: ScenarioInfo, sourceText: string, o: ScenarioRunOptions, shared?: SharedWorld): Promise<ScenarioResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const problems: SetupOutcome[] = [];
  const steps: StepOutcome[] = [];
  const teardown = new TeardownStack();
  const sourceLines = sourceText.split(/\r?\n/);
  let workDir: string | undefined;
  let skipReason: string | undefined;
  let setupMs: ScenarioResult['setupMs'];
  let summarize: (() => PkiCertificateSummary[]) | undefined;
  let files: WorkFile[] | undefined;
  o.reporters.emit('onScenarioStart', info);
  // Released however the scenario ends, skipped included: the last to release tears the world down.
  if (shared) teardown.push('leave the shared world', async () => {
    const failures = await shared.release();
    if (failures.length) throw new Error(failures.join('; '));
  });

  const finish = async (): Promise<ScenarioResult> => {
    for (const f of await teardown.unwind()) problems.push({ phase: 'teardown', message: f });
    const failed = problems.some((p) => p.phase !== 'peers' || o.requirePeers) || steps.some((s) => s.status === 'failed');
    const result: ScenarioResult = {
      ...info,
      status: skipReason && !failed ? 'skipped' : failed ? 'failed' : steps.length && steps.every((s) => s.status === 'skipped') ? 'skipped' : 'passed',
      durationMs: performance.now() - started,
      startedAt,
      steps,
      problems,
      ...(skipReason ? { skipReason } : {}),
      ...(o.keep && workDir ? { workDir } : {}),
      ...(setupMs ? { setupMs } : {}),
      ...pkiOf(summarize),
      ...(files?.length ? { files } : {}),
    };
    o.reporters.emit('onScenarioEnd', result);
    return result;
  };

  // ---- peers: programs the scenario runs (nginx, pebble...). Missing: skip, or fail in CI.
  const missing = requiredPeers(scenario, o.catalog).filter((p) => !peerAvailable(p, o.env));
  if (missing.length) {
    const reason = missing.map((p) => `${p} not found: ${o.peerHints[p] ?? `install ${p}`}`).join('; ');
    if (o.requirePeers) problems.push({ phase: 'peers', message: `${reason} (peers are required: CI is set or --require-peers was given)` });
    else skipReason = reason;
    return finish();
  }

  try {
    const listWorkDir = async (dir: string) => void (files = (await listFiles(dir)).filter((f) => f.path !== OWNER_FILE));
    const options = { catalog: o.catalog, signal: o.signal, env: o.env, keep: o.keep, ...(o.tmpRoot ? { tmpRoot: o.tmpRoot } : {}) };
    const entered = shared ? await enterShared(shared, scenario, options, teardown, listWorkDir) : { world: await buildWorld(scenario, { ...options, beforeRemoval: listWorkDir }, teardown), built: true };
    const world = entered.world;
    if (!isWorld(world)) {
      problems.push(redact(world));
      return await finish();
    }
    workDir = world.workDir;
    // A shared world's setup is the time of the scenario that built it, and its certificates those this one declares.
    if (entered.built) setupMs = world.timings;
    summarize = () => summarizePki(shared ? pick(world.pki, Object.keys(scenario.pki)) : world.pki, world.revocations);
    const { scope } = world;
    const log = shared ? (line: string) => world.log(`[${info.id}] ${line}`) : world.log;

    // ---- steps
    const hasOnly = scenario.steps.some((s) => s.only);
    const state = new Map<string, unknown>();
    let closedGate: string | undefined;
    for (const step of scenario.steps) {
      const base = { index: step.index, name: step.name, kind: step.kind, ...(step.at ? { at: step.at, sourceLine: sourceLines[step.at.line - 1]?.trim() ?? '' } : {}), ...(step.usesPki.length ? { usesPki: step.usesPki } : {}) };
      if (o.signal.aborted) {
        steps.push({ ...base, status: 'skipped', attempts: 0, durationMs: 0, assertions: [], reason: 'run interrupted' });
        continue;
      }
      const runtimeSkip = step.skipOn?.[o.runtime];
      // A step that uses a PKI item the given files cannot make (an operator's CA without its key) is skipped, saying why.
      const lacking = step.usesPki.find((item) => item in world.unavailable);
      if (closedGate || step.skip || runtimeSkip || lacking || (hasOnly && !step.only)) {
        const reason = closedGate ?? step.skip ?? (runtimeSkip ? `on ${o.runtime}: ${runtimeSkip}` : lacking ? `needs pki item ${lacking}, which cannot be made: ${world.unavailable[lacking]}` : 'not marked only');
        const outcome: StepOutcome = { ...base, status: 'skipped', attempts: 0, durationMs: 0, assertions: [], reason };
        steps.push(outcome);
        o.reporters.emit('onStepEnd', info, outcome);
        continue;
      }
      o.reporters.emit('onStepStart', info, { index: step.index, name: step.name });
      const ctx: Omit<StepContext, 'signal'> = {
        workDir: world.workDir,
        env: o.env,
        state,
        log: (line) => log(`[step ${step.index + 1}] ${line}`),
        progress: (text) => o.reporters.emit('onStepProgress', info, { index: step.index, name: step.name }, text),
        world: { pki: world.pki, services: world.services, scenarioDir: scenario.dir, startService: world.startService, restartService: world.restartService, revocations: world.revocations },
      };
      // Redacted here, where results become events: every reporter sees the same safe text.
      const outcome = redact(await runStep(step, ctx, scope, o));
      if (outcome.status === 'failed') {
        const stderr = typeof outcome.result?.stderr === 'string' ? outcome.result.stderr.trim().slice(-500) : '';
        log(`[step ${step.index + 1}] failed: ${outcome.assertions.filter((a) => !a.ok).map((a) => a.message).join('; ')}${stderr ? ` | stderr: ${stderr}` : ''}`);
      }
      if (outcome.status === 'failed' && step.gate) closedGate = `not run: step ${step.index + 1} failed, and the steps after it need it: ${step.gate}`;
      steps.push({ ...base, ...outcome });
      o.reporters.emit('onStepEnd', info, { ...base, ...outcome });
    }
  } catch (e) {
    problems.push({ phase: 'workdir', message: `harness error: ${(e as Error).stack ?? String(e)}` });
  }
  return finish();
}

/** Enters the shared world; the work directory is listed for the report before the world is left. */
async function enterShared(shared: SharedWorld, scenario: Scenario, options: Omit<WorldOptions, 'beforeRemoval'>, teardown: TeardownStack, listWorkDir: (dir: string) => Promise<void>): Promise<{ world: World | SetupOutcome; built: boolean }> {
  const undeclared = undeclaredIn(shared.scenario, scenario);
  if (undeclared.length) throw new Error(`the shared world does not declare, as this scenario does: ${undeclared.join(', ')}`);
  const entered = await shared.acquire(options);
  if (isWorld(entered.world)) teardown.push('look at the work directory', () => listWorkDir((entered.world as World).workDir));
  return entered;
}

function pick<T>(record: Record<string, T>, names: string[]): Record<string, T> {
  return Object.fromEntries(names.filter((n) => n in record).map((n) => [n, record[n]!]));
}

type StepRun = Omit<StepOutcome, 'index' | 'name' | 'kind' | 'at' | 'sourceLine' | 'usesPki'>;

async function runStep(step: StepDecl, ctx: Omit<StepContext, 'signal'>, scope: Scope, o: ScenarioRunOptions): Promise<StepRun> {
  const kind = o.catalog.steps.get(step.kind)!;
  const retries = step.retries || o.retries;
  const earlier: string[] = [];
  const started = performance.now();
  let last: { assertions: Assertion[]; result: Record<string, unknown> } | undefined;
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    last = await attemptStep(step, kind, ctx, scope, o);
    const failed = last.assertions.filter((a) => !a.ok);
    if (!failed.length) {
      const status = step.todo ? 'todo' : attempt > 1 ? 'flaky' : 'passed';
      return { status, ...(step.todo ? { passedAnyway: true, reason: step.todo } : {}), attempts: attempt, durationMs: performance.now() - started, assertions: last.assertions, result: trimResult(last.result), ...(earlier.length ? { earlierFailures: earlier } : {}), ...timelineOf(kind, last.result) };
    }
    earlier.push(failed.map((a) => a.message).join('; '));
    if (o.signal.aborted) break;
  }
  earlier.pop(); // the last failure is the outcome itself
  const cause = causeOf(last!.result);
  return {
    status: step.todo ? 'todo' : 'failed',
    ...(step.todo ? { reason: step.todo } : {}),
    attempts: earlier.length + 1,
    durationMs: performance.now() - started,
    assertions: last!.assertions,
    ...(cause ? { cause } : {}),
    result: trimResult(last!.result),
    ...(earlier.length ? { earlierFailures: earlier } : {}),
    ...timelineOf(kind, last!.result),
  };
}

/** The moments the kind reads from its result; a result it cannot read (an error) has none. */
function timelineOf(kind: AnyStepKind, result: Record<string, unknown>): { timeline?: TimelineMark[] } {
  if (!kind.timeline || result.error) return {};
  try {
    const marks = kind.timeline(result).filter((m) => !Number.isNaN(Date.parse(m.at)));
    return marks.length ? { timeline: marks } : {};
  } catch {
    return {};
  }
}

async function attemptStep(step: StepDecl, kind: NonNullable<ReturnType<Catalog['steps']['get']>>, ctx: Omit<StepContext, 'signal'>, scope: Scope, o: ScenarioRunOptions) {
  let spec: unknown;
  let expect: Record<string, unknown>;
  try {
    spec = kind.prepare ? kind.prepare(step.spec, scope) : interpolate(step.spec, scope);
    expect = interpolate(step.expect ?? kind.defaultExpect?.(spec) ?? {}, scope);
  } catch (e) {
    if (e instanceof UnresolvedReferenceError) {
      const a: Assertion = { path: 'spec', ok: false, expected: 'every {{reference}} to have a value', actual: e.expr, message: e.message };
      return { assertions: [a], result: {} };
    }
    if (e instanceof ShellSyntaxError) {
      const a: Assertion = { path: 'spec', ok: false, expected: 'arguments without shell syntax', actual: e.message, message: e.message };
      return { assertions: [a], result: {} };
    }
    throw e;
  }
  const timeoutMs = step.timeoutMs ?? o.stepTimeoutMs;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([o.signal, timeout]);
  let result: Record<string, unknown>;
  try {
    const running = kind.execute(spec, { ...ctx, signal });
    running.catch(() => {}); // a step abandoned after its grace period may still reject
    const abandoned = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => void delay(ABORT_GRACE_MS).then(() => reject(new Error('abandoned'))), { once: true }),
    );
    result = await Promise.race([running, abandoned]);
  } catch (e) {
    if (e instanceof OutsideWorkDirError) {
      result = { error: { code: e.code, message: e.message } };
    } else if ((e as Error).message !== 'abandoned' && !signal.aborted) {
      // A step kind threw: that is a bug in the harness, reported as such and not as the user's failure.
      result = { error: { code: 'HARNESS_BUG', message: `the ${step.kind} step crashed: ${(e as Error).stack ?? String(e)}` } };
    } else result = {}; // abandoned, or stopped by its signal: the timeout or interruption below is the cause
  }
  if (signal.aborted) {
    const why = timeout.aborted ? `timed out after ${timeoutMs}ms` : 'interrupted';
    result.error ??= { code: timeout.aborted ? 'ETIMEDOUT' : 'EINTR', message: `step ${why}` };
    if (!('error' in expect) || !timeout.aborted) {
      return { assertions: [{ path: 'step', ok: false, expected: `to finish within ${timeoutMs}ms`, actual: why, message: `step ${why}` }], result };
    }
  }
  const assertions = evaluate(expect, result);
  const err = result.error as { code?: string; message?: string } | undefined;
  // An expected refusal judges the error itself; `refused: false` excuses no error.
  const refusalExpected = 'refused' in expect && expect.refused !== false;
  if (err && !('error' in expect) && !refusalExpected) {
    assertions.unshift({ path: 'error', ok: false, expected: 'no error', actual: err, message: `${err.message ?? err.code} (add expect.error if this failure is the expected outcome)` });
  }
  return { assertions, result };
}

/** Keeps reports readable: long text fields are cut, internal objects dropped. */
function trimResult(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (typeof v === 'string') out[k] = v.length > 4000 ? `${v.slice(0, 4000)}… (${v.length} chars)` : v;
    else if (v === undefined || typeof v === 'function') continue;
    else out[k] = v;
  }
  return out;
}

function requiredPeers(s: Scenario, catalog: Catalog): string[] {
  const peers = new Set<string>(s.requires);
  for (const svc of Object.values(s.services)) for (const p of catalog.services.get(svc.kind)?.peers?.(svc.spec) ?? []) peers.add(p);
  for (const st of s.steps) for (const p of catalog.steps.get(st.kind)?.peers?.(st.spec) ?? []) peers.add(p);
  return [...peers];
}

/** The scenario's certificates for the report; one that cannot be read is no reason to lose the run's result. */
function pkiOf(summarize: (() => PkiCertificateSummary[]) | undefined): { pki?: PkiCertificateSummary[] } {
  if (!summarize) return {};
  try {
    const pki = summarize();
    return pki.length ? { pki } : {};
  } catch {
    return {};
  }
}
