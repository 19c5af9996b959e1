// The run's events and results: plain data, the only thing reporters see.
import type { Assertion } from '../expect/evaluate.ts';
import type { SourcePosition } from '../scenario/problem.ts';

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
  /** Failure messages of earlier attempts, when the step was retried. */
  earlierFailures?: string[];
  /** Why it was skipped or is expected to fail. */
  reason?: string;
  /** The step's result, trimmed for reports (stdout, stderr, status, TLS details...). */
  result?: Record<string, unknown>;
  at?: SourcePosition;
  /** The step's source line, for the console reporter. */
  sourceLine?: string;
}

export interface SetupOutcome {
  phase: 'workdir' | 'peers' | 'pki' | 'service' | 'teardown';
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
}

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
}

export interface Counts {
  scenarios: number;
  passed: number;
  failed: number;
  skipped: number;
  todo: number;
  flaky: number;
  steps: number;
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

export function countSteps(scenarios: ScenarioResult[]): Counts {
  const c: Counts = { scenarios: scenarios.length, passed: 0, failed: 0, skipped: 0, todo: 0, flaky: 0, steps: 0 };
  for (const s of scenarios) {
    if (s.status === 'skipped' && s.steps.length === 0) {
      c.skipped += s.stepCount || 1;
      c.steps += s.stepCount || 1;
      continue;
    }
    for (const st of s.steps) {
      c.steps++;
      c[st.status]++;
    }
    // A setup failure fails the scenario even when no step ran.
    if (s.status === 'failed' && !s.steps.some((st) => st.status === 'failed')) c.failed++;
  }
  return c;
}
