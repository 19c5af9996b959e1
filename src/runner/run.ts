// A run: load every scenario (all problems before anything starts), select, then run them
// with a bounded number in parallel. Returns the result; the CLI maps it to an exit code.
import { relative } from 'node:path';
import { tmpdir } from 'node:os';
import { removeStaleWorkDirs } from './stale.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import type { Problem } from '../scenario/problem.ts';
import type { Scenario } from '../scenario/types.ts';
import type { Catalog } from './catalog.ts';
import { countRun, type RunResult, type ScenarioResult, type ScenarioInfo } from './events.ts';
import { runScenario, scenarioInfo, type ScenarioRunOptions } from './scenario-run.ts';
import { runtimeInfo } from '../runtime/index.ts';
import type { SharedWorld } from './shared-world.ts';
import { redactText } from '../util/redact.ts';

function notRun(info: ScenarioInfo, reason: string): ScenarioResult {
  return { ...info, status: 'skipped', durationMs: 0, startedAt: new Date().toISOString(), steps: [], problems: [], skipReason: reason };
}

export interface Selection {
  tags?: string[];
  /** Regular expression over "title" and "file"; matching scenarios run. */
  grep?: string;
  /** 1-based shard index and total, e.g. {index: 2, total: 4}. */
  shard?: { index: number; total: number };
}

export interface LoadedScenario {
  scenario: Scenario;
  source: string;
  id: string;
  /** A world it shares with other scenarios of the run, instead of one of its own. */
  world?: SharedWorld;
}

export function loadAll(files: string[], catalog: Catalog, env: Record<string, string | undefined>, vars: Record<string, string>): { loaded: LoadedScenario[]; problems: Problem[] } {
  const loaded: LoadedScenario[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    const r = loadScenarioFile(file, { catalog: catalog.format, env, vars });
    problems.push(...r.problems);
    if (r.scenario) loaded.push({ scenario: r.scenario, source: r.source, id: displayPath(file) });
  }
  return { loaded, problems };
}

/** The path as reports show it: relative to the current directory when inside it. */
function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

export function select(all: LoadedScenario[], sel: Selection): LoadedScenario[] {
  let list = all;
  if (sel.tags?.length) list = list.filter((l) => sel.tags!.some((t) => l.scenario.tags.includes(t)));
  if (sel.grep) {
    const re = new RegExp(sel.grep, 'i');
    list = list.filter((l) => re.test(l.scenario.title) || re.test(l.id));
  }
  if (sel.shard) {
    // Deterministic: sort by id, then deal round-robin, so every CI job computes the same split.
    const { index, total } = sel.shard;
    list = [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).filter((_, i) => i % total === index - 1);
  }
  return list;
}

export interface RunOptions extends Omit<ScenarioRunOptions, 'signal' | 'runtime'> {
  jobs: number;
  bail: boolean;
  signal: AbortSignal;
  shard?: { index: number; total: number };
}

export async function runAll(scenarios: LoadedScenario[], o: RunOptions): Promise<RunResult> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const runtime = runtimeInfo();
  const infos: ScenarioInfo[] = scenarios.map((l) => scenarioInfo(l.scenario, l.id));
  // A killed earlier run left its work directory (and its keys): remove it before making ours.
  await removeStaleWorkDirs(o.tmpRoot ?? tmpdir());
  o.reporters.emit('onRunStart', { scenarios: infos, jobs: o.jobs, runtime });
  // --bail stops new work after the first failure; Ctrl-C stops everything. Both tear down.
  const stop = new AbortController();
  const signal = AbortSignal.any([o.signal, stop.signal]);
  const results: (ScenarioResult | undefined)[] = new Array(scenarios.length);
  let next = 0;
  let bailedAfter: string | undefined;
  const worker = async () => {
    while (next < scenarios.length && !signal.aborted) {
      const i = next++;
      const l = scenarios[i]!;
      const r = await runScenario(l.scenario, infos[i]!, l.source, { ...o, signal, runtime: runtime.name }, l.world);
      results[i] = r;
      if (o.bail && r.status === 'failed' && !stop.signal.aborted) {
        bailedAfter = r.title;
        stop.abort('bail');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.jobs, scenarios.length)) }, worker));
  // A stop can keep a shared world's last scenarios from starting; its services stop now.
  await Promise.all([...new Set(scenarios.flatMap((l) => l.world ?? []))].map((w) => w.close()));
  // Scenarios a stop kept from starting are reported, skipped with why: the reports list every selected scenario.
  const why = bailedAfter !== undefined ? `not run: --bail stopped the run after "${bailedAfter}" failed` : 'not run: the run was interrupted';
  for (let i = 0; i < results.length; i++) {
    if (results[i]) continue;
    results[i] = notRun(infos[i]!, why);
    o.reporters.emit('onScenarioEnd', results[i]!);
  }
  const done = results as ScenarioResult[];
  const result: RunResult = {
    reportVersion: 1,
    startedAt,
    durationMs: performance.now() - started,
    runtime,
    ...(o.shard ? { shard: o.shard } : {}),
    scenarios: done,
    counts: countRun(done),
    interrupted: o.signal.aborted,
    ...(bailedAfter !== undefined ? { bailedAfter } : {}),
  };
  await o.reporters.end(result);
  return result;
}

/**
 * A run that never started because its input was refused: one failed scenario per file with
 * a problem (one `input` problem each), so that every report shows why CI went red.
 */
export function badInputRun(problems: Problem[], describe: (p: Problem) => string): RunResult {
  const byFile = new Map<string, Problem[]>();
  for (const p of problems) {
    const file = p.at?.file ?? 'command line';
    byFile.set(file, [...(byFile.get(file) ?? []), p]);
  }
  const startedAt = new Date().toISOString();
  const scenarios: ScenarioResult[] = [...byFile].map(([file, list]) => ({
    id: file,
    file,
    title: file,
    tags: [],
    stepCount: 0,
    status: 'failed',
    durationMs: 0,
    startedAt,
    steps: [],
    // Redacted as step outcomes are: a problem may quote a value (a password written in the file).
    problems: list.map((p) => ({ phase: 'input', name: p.code, code: p.code, message: redactText(describe(p)), ...(p.at ? { at: p.at } : {}) })),
  }));
  return { reportVersion: 1, startedAt, durationMs: 0, runtime: runtimeInfo(), scenarios, counts: countRun(scenarios), interrupted: false };
}
