// `openssl`: the real openssl binary, run in the work directory with exactly the arguments
// written (nothing is added: write -subj and -passout/-passin so nothing prompts).
//
//   - name: Create the CA Key (document 001)
//     openssl: genrsa -des3 -passout pass:secret -out ca.key 4096
//   - openssl: { args: [req, -new, -key, client.key, -subj, "/CN=api client", -out, client.csr] }
import { s, type Infer } from '../scenario/schema.ts';
import { runProcess } from '../clients/process.ts';
import { interpolate } from '../scenario/interpolate.ts';
import { argumentLine, argumentLineProblem, argumentLineSchema, displayArgv } from '../scenario/command.ts';
import { processExpect, type ExecResult } from './exec.ts';
import type { StepKind } from './types.ts';

const opensslSchema = s.anyOf([
  s.string({ check: (v) => notBlank(v) ?? argumentLineProblem(v) }),
  s.array(s.string(), { minItems: 1 }),
  s.object({ args: argumentLineSchema('openssl arguments'), stdin: s.string({ description: 'text on standard input' }), env: s.map(s.string(), 'extra environment variables') }, { required: ['args'] }),
]);
type OpensslSpec = Extract<Infer<typeof opensslSchema>, { args: unknown }>;

function normalize(spec: string | string[] | OpensslSpec): OpensslSpec {
  return typeof spec === 'string' || Array.isArray(spec) ? { args: spec } : spec;
}

/** The document's commands start with the program's name; the step runs openssl anyway. */
const withoutProgram = (line: string) => line.replace(/^\s*openssl\s+/, '');
const NO_REFS = () => undefined;

function notBlank(v: string): string | undefined {
  return v.trim() ? undefined : 'is empty: give the openssl arguments, e.g. "x509 -in ca.crt -noout -subject"';
}

export const opensslStep: StepKind<Infer<typeof opensslSchema>, ExecResult> = {
  kind: 'openssl',
  summary: 'run the real openssl with these arguments, in the work directory (a string is split like a shell would, without running one)',
  schema: opensslSchema,
  expect: processExpect,
  defaultExpect: () => ({ exit: 0 }),
  peers: () => ['openssl'],
  prepare(raw, scope) {
    const { args, ...rest } = normalize(raw);
    return { ...interpolate(rest, scope), args: typeof args === 'string' ? argumentLine(withoutProgram(args), scope) : interpolate(args, scope) };
  },
  async execute(raw, ctx) {
    const spec = normalize(raw);
    const args = typeof spec.args === 'string' ? argumentLine(withoutProgram(spec.args), NO_REFS) : spec.args;
    // OPENSSL_CONF is left as the user has it: the document's commands run as they would on their machine.
    const r = await runProcess(['openssl', ...args], { cwd: ctx.workDir, env: { ...ctx.env, ...spec.env }, signal: ctx.signal, ...(spec.stdin !== undefined ? { stdin: spec.stdin } : {}) });
    return { ...r, command: displayArgv(['openssl', ...args]) };
  },
};
