// The run's events and results: plain data, the only thing reporters see.
import type { Assertion } from '../expect/evaluate.ts';
import type { SourcePosition } from '../scenario/problem.ts';
import type { PkiCertificateSummary } from '../pki/summary.ts';
import type { TimelineMark } from '../steps/types.ts';
import type { ListedFile } from '../util/list-files.ts';
export type { PkiCertificateSummary, TimelineMark };

export type StepStatus = 'passed' | 'failed' | 'skipped' | 'todo' | 'flaky';
export type ScenarioStatus = 'passed' | 'failed' | 'skipped';

export interface StepOutcome {
  index: number;
  name: string;
  kind: string;
  status: StepStatus;
  /** For todo steps: whether the step did pass after all. */
  passedAnyway?: boolean;
  attempts: number;
  durationMs: number;
  assertions: Assertion[];
  /** A failed step's underlying error in one line (error code and message, TLS label, curl's error, stderr's end). */
  cause?: string;
  /** Failure messages of earlier attempts, when the step was retried. */
  earlierFailures?: string[];
  /** Why it was skipped or is expected to fail. */
  reason?: string;
  /** The step's result, trimmed for reports (stdout, stderr, status, TLS details...). */
  result?: Record<string, unknown>;
  at?: SourcePosition;
  /** The step's source line, for the console reporter. */
  sourceLine?: string;
  /** The PKI items the step names or refers to (its client certificate, its trust). */
  usesPki?: string[];
  /** Moments on the scenario's clock the step set or saw (a clock step's new now, an issuance, a revocation). */
  timeline?: TimelineMark[];
}

/** A service of the scenario, and the PKI items it names (the certificate it presents, the CA it trusts). */
export interface ServiceUse {
  name: string;
  kind: string;
  usesPki: string[];
}

export interface SetupOutcome {
  /** `input`: the scenario file or the command line was refused before anything ran (exit 2). */
  phase: 'input' | 'workdir' | 'peers' | 'pki' | 'service' | 'teardown';
  /** For input problems: the problem code (unknown-key, bad-value...). */
  code?: string;
  name?: string;
  message: string;
  at?: SourcePosition;
}

export interface ScenarioInfo {
  id: string;
  file: string;
  title: string;
  source?: string;
  tags: string[];
  stepCount: number;
  /** Service name -> URL of a real deployment that stands in for it. */
  targets?: Record<string, string>;
  /** PKI item -> the certificate file it is loaded from (`--pki`, or the scenario's own certFile:). */
  pkiFiles?: Record<string, string>;
  services?: ServiceUse[];
}

export interface ScenarioResult extends ScenarioInfo {
  status: ScenarioStatus;
  durationMs: number;
  startedAt: string;
  steps: StepOutcome[];
  /** Setup or teardown problems (a service that did not start, a peer not installed). */
  problems: SetupOutcome[];
  /** Set when the scenario was skipped as a whole (a peer is missing). */
  skipReason?: string;
  /** Where the work directory was kept (--keep). */
  workDir?: string;
  /** How long PKI creation and service start-up took, in milliseconds. */
  setupMs?: { pki: number; services: number };
  /** The certificates the scenario made or loaded, as they stood at its end (revocations included). */
  pki?: PkiCertificateSummary[];
  /** What the work directory held at the end, before it was removed (or kept): paths relative to it. */
  files?: WorkFile[];
}

/** A file of the work directory: its path relative to it, and its size. */
export type WorkFile = ListedFile;

import type { RuntimeInfo } from '../runtime/index.ts';
export type { RuntimeInfo };

export interface RunResult {
  /** Report format version, bumped when the JSON report changes incompatibly. */
  reportVersion: 1;
  startedAt: string;
  durationMs: number;
  runtime: RuntimeInfo;
  shard?: { index: number; total: number };
  scenarios: ScenarioResult[];
  counts: Counts;
  interrupted: boolean;
  /** --bail: the title of the failed scenario after which the run stopped. */
  bailedAfter?: string;
}

/** What a run or a scenario adds up to; `tests` is the sum of the others but `scenarios`. */
export interface Counts {
  scenarios: number;
  tests: number;
  /** Steps that passed on their first attempt. */
  passed: number;
  /** Steps that failed. */
  failed: number;
  /** Setup and teardown problems that failed a scenario (a service that did not start, a peer missing under CI). */
  errors: number;
  /** Skipped steps, and scenarios skipped whole (one each). */
  skipped: number;
  /** Steps marked todo, whatever their outcome. */
  todo: number;
  /** Steps that passed on a retry. */
  flaky: number;
}

export interface RunStartInfo {
  scenarios: ScenarioInfo[];
  jobs: number;
  runtime: RuntimeInfo;
}

/** Playwright-style optional hooks; the multiplexer catches what a reporter throws. */
export interface Reporter {
  onRunStart?(info: RunStartInfo): void;
  onScenarioStart?(s: ScenarioInfo): void;
  onStepStart?(s: ScenarioInfo, step: { index: number; name: string }): void;
  onStepProgress?(s: ScenarioInfo, step: { index: number; name: string }, text: string): void;
  onStepEnd?(s: ScenarioInfo, step: StepOutcome): void;
  onScenarioEnd?(result: ScenarioResult): void;
  /** Reporters that write files do it here (atomically). */
  onRunEnd?(result: RunResult): void | Promise<void>;
  /** Messages about the run itself (a reporter failed, interrupted...). */
  onNotice?(text: string): void;
}

/**
 * Setup and teardown problems that fail the scenario. A missing peer outside CI only explains
 * a skip; under CI (or --require-peers) it fails the scenario, and then it counts as an error.
 */
export function failingProblems(s: ScenarioResult): SetupOutcome[] {
  return s.problems.filter((p) => p.phase !== 'peers' || s.status === 'failed');
}

/** Whether the scenario was skipped as a whole: no step ran, and it reports one skipped test. */
export function skippedWhole(s: ScenarioResult): boolean {
  return Boolean(s.skipReason) && s.steps.length === 0;
}

/**
 * The one count of a scenario's tests, which every reporter shows. A test is a step, a problem
 * that fails the scenario (an error), or the scenario itself when it was skipped whole.
 */
export function countScenario(s: ScenarioResult): Counts {
  const c: Counts = { scenarios: 1, tests: 0, passed: 0, failed: 0, errors: failingProblems(s).length, skipped: skippedWhole(s) ? 1 : 0, todo: 0, flaky: 0 };
  for (const st of s.steps) c[st.status]++;
  c.tests = c.passed + c.failed + c.errors + c.skipped + c.todo + c.flaky;
  return c;
}

export function countRun(scenarios: ScenarioResult[]): Counts {
  const total: Counts = { scenarios: 0, tests: 0, passed: 0, failed: 0, errors: 0, skipped: 0, todo: 0, flaky: 0 };
  for (const s of scenarios) {
    const c = countScenario(s);
    for (const k of Object.keys(total) as (keyof Counts)[]) total[k] += c[k];
  }
  return total;
}
