// What a step kind is: a schema for its spec, the fields of its result that `expect` may
// check, and an execute function that returns plain data. A failed expectation is data,
// not an exception; only bugs throw.
import type { Infer, Schema } from '../scenario/schema.ts';
import type { ResultOf } from '../expect/vocabulary.ts';
import type { Scope } from '../scenario/interpolate.ts';
import type { Revocations } from '../pki/revocations.ts';
import type { PkiItems } from '../pki/build.ts';
import type { PkiItemDecl } from '../scenario/types.ts';

export interface StepContext {
  /** The scenario's work directory (0700); relative paths in steps resolve against it. */
  workDir: string;
  /** Aborted on timeout and on Ctrl-C: long operations must stop when it fires. */
  signal: AbortSignal;
  /** Environment for child processes. */
  env: Record<string, string | undefined>;
  /** State that lives for one scenario run and that step kinds may share (e.g. a simulated Keychain). */
  state: Map<string, unknown>;
  /** Writes a line to the scenario's log (kept with --keep). */
  log(line: string): void;
  /** Reports progress of a long step; the console reporter shows the latest. */
  progress(text: string): void;
  /** Runtime facts and the PKI and services of the scenario, for steps that need objects rather than {{refs}}. */
  world: StepWorld;
}

export interface StepWorld {
  pki: PkiItems;
  services: Record<string, Record<string, unknown>>;
  /** Directory of the scenario file, for inputs named relative to it. */
  scenarioDir: string;
  /** Starts a service declared with `start: step`; returns why it failed, if it did. */
  startService(name: string): Promise<string | undefined>;
  /** Stops a running service and starts it again (with its files as they are now). */
  restartService(name: string): Promise<string | undefined>;
  /** What the scenario has revoked, per CA item (the revoke step adds, the crl service serves). */
  revocations: Revocations;
}

export interface StepResultBase {
  /** Set when the step could not complete; expect.error makes this the expected outcome. */
  error?: { code: string; message: string; [k: string]: unknown };
  /** Extra text for reports (captured output, the command that ran). */
  [k: string]: unknown;
}

export interface StepKind<Spec = unknown, Result extends StepResultBase = StepResultBase> {
  kind: string;
  /** One line, for --help, the JSON Schema and the reference (docs/reference/). */
  summary: string;
  schema: Schema;
  /** Result fields `expect` may name. */
  expect: Record<string, Schema>;
  /** Checked when the step has no `expect:` of its own. */
  defaultExpect?: (spec: Spec) => Record<string, unknown>;
  /** External programs the step needs, given its spec (e.g. ['openssl']). */
  peers?: (spec: Spec) => string[];
  /**
   * Substitutes the {{refs}} itself, for kinds with command lines among their fields, so that a
   * value never becomes shell syntax (scenario/command.ts). Without it every string of the spec
   * is interpolated as text.
   */
  prepare?: (spec: Spec, scope: Scope) => Spec;
  /**
   * What the step asks of the scenario's PKI declarations that a schema cannot say (revoke: an
   * item a CA item of the scenario issues), checked when the file is loaded: a problem is exit 2.
   */
  checkScenario?: (spec: Spec, pki: Record<string, PkiItemDecl>) => string | undefined;
  execute(spec: Spec, ctx: StepContext): Promise<Result>;
  /** The moments of the scenario's clock a result records (a clock step's new now, an issuance), for the report's timeline. */
  timeline?(result: Result): TimelineMark[];
}

/** A moment a step put on the scenario's clock, and what happened then, in a few words. */
export interface TimelineMark {
  at: string;
  what: string;
}

/**
 * A step kind in a collection of kinds. Its spec is `any` to the runner, which never builds one:
 * it passes on what the loader validated against this kind's own schema.
 */
export type AnyStepKind = StepKind<any, StepResultBase>;

/** The spec type of a step kind, read from its schema. */
export type SpecOf<K> = K extends StepKind<infer Spec, any> ? Spec : never;

/**
 * Declares a step kind once: the spec type is inferred from `schema` and the result type from
 * `expect`, so execute's argument and the fields it returns are checked against the same
 * declarations the loader validates and the reference documents.
 */
export function defineStep<S extends Schema, E extends Record<string, Schema>>(
  kind: Omit<StepKind<Infer<S>, ResultOf<E> & StepResultBase>, 'schema' | 'expect'> & { schema: S; expect: E },
): StepKind<Infer<S>, ResultOf<E> & StepResultBase> {
  return kind;
}
