// `exec`: run a command in the work directory.
//
//   - name: openssl can read the key
//     exec: openssl pkey -in client.key -noout          # a string runs through /bin/sh
//     expect: { exit: 0 }
//   - exec: { command: [curl, -sk, "{{upstream.url}}"], env: { SSLKEYLOGFILE: keys.log }, stdin: "..." }
import { s, stringOrList, type Infer } from '../scenario/schema.ts';
import { resolveWorkPath, workFile } from '../scenario/work-path.ts';
import { matcher, errorFields } from '../expect/vocabulary.ts';
import { runProcess, type ProcessResult } from '../clients/process.ts';
import type { StepKind } from './types.ts';
import { interpolate, type Scope } from '../scenario/interpolate.ts';
import { shellCommand, displayArgv, type ShellCommand } from '../scenario/command.ts';

const execSchema = s.anyOf([
  s.string({ check: (v) => (v.trim() ? undefined : 'is an empty command') }),
  s.array(s.string(), { minItems: 1 }),
  s.object(
    {
      command: stringOrList('a shell command line, or an argv list'),
      env: s.map(s.anyOf([s.string(), s.number(), s.boolean()]), 'extra environment variables'),
      stdin: s.string({ description: 'text written to standard input' }),
      cwd: workFile('write', 'directory relative to the work directory'),
    },
    { required: ['command'] },
  ),
]);

export type ExecSpec = Infer<typeof execSchema>;
export type ExecSpecObject = Extract<ExecSpec, { command: unknown }> & {
  /** Set by prepare: the shell command line with its values kept out of the script. */
  shell?: ShellCommand;
};

export interface ExecResult extends Omit<ProcessResult, 'error'> {
  command: string;
  error?: { code: string; message: string };
  [k: string]: unknown;
}

/**
 * Substitutes the {{refs}} of a spec with a `command`: an argv list value by value, a shell line
 * with its values kept out of the script (scenario/command.ts); the other fields as text.
 */
export function prepareCommand<S extends { command: string | string[] }>(spec: S, scope: Scope): S & { shell?: ShellCommand } {
  const { command, ...rest } = spec;
  const others = interpolate(rest, scope);
  if (typeof command !== 'string') return { ...others, command: interpolate(command, scope) } as S;
  const shell = shellCommand(command, scope);
  return { ...others, command: shell.display, shell } as S & { shell: ShellCommand };
}

/** What to spawn for a prepared command: a shell line through /bin/sh, an argv list as it is. */
export function commandArgv(spec: { command: string | string[]; shell?: ShellCommand }): string[] {
  const script = spec.shell?.script ?? spec.command;
  return typeof script === 'string' ? ['/bin/sh', '-c', script] : script;
}

export function normalizeExec(spec: ExecSpec | ExecSpecObject): ExecSpecObject {
  return typeof spec === 'string' || Array.isArray(spec) ? { command: spec } : spec;
}

/** Fields every process-running step (exec, openssl, curl) exposes to expect. */
export const processExpect = {
  exit: matcher('number', 'exit status of the process'),
  stdout: matcher('string', 'standard output'),
  stderr: matcher('string', 'standard error'),
  signal: matcher('string', 'signal that ended the process, e.g. SIGTERM'),
  durationMs: matcher('number', 'wall time in milliseconds'),
  command: matcher('string', 'the command as run'),
  error: errorFields(),
};

export const execStep: StepKind<ExecSpec | ExecSpecObject, ExecResult> = {
  kind: 'exec',
  summary: 'run a command in the work directory (a string runs through /bin/sh, a list runs as argv)',
  schema: execSchema,
  expect: processExpect,
  defaultExpect: () => ({ exit: 0 }),
  prepare: (raw, scope) => prepareCommand(normalizeExec(raw), scope),
  async execute(raw, ctx) {
    const spec = normalizeExec(raw);
    const argv = commandArgv(spec);
    const env = { ...ctx.env, ...Object.fromEntries(Object.entries(spec.env ?? {}).map(([k, v]) => [k, String(v)])), ...spec.shell?.env };
    const r = await runProcess(argv, { cwd: resolveWorkPath(ctx.workDir, spec.cwd ?? '.', 'write', 'exec cwd'), env, signal: ctx.signal, ...(spec.stdin !== undefined ? { stdin: spec.stdin } : {}) });
    return { ...r, command: typeof spec.command === 'string' ? spec.command : displayArgv(spec.command) };
  },
};
