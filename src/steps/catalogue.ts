// `catalogue`: holds a client program of your own to the catalogue of misconfigured TLS
// endpoints. The command runs once per case of a `catalogue` service, with the case in its
// environment, and each run is judged: exit 0 is an acceptance, any other exit a rejection (only
// one whose output matches `refusal`, when given). The step fails when a case comes out other
// than a correct client's verdict, unless `deviations` says the client is known to do otherwise.
//
//   services:
//     catalogue: { kind: catalogue }
//   steps:
//     - name: my client accepts what it must and refuses what it must
//       catalogue:
//         endpoints: catalogue
//         command: 'curl -sS --cacert "$CATALOGUE_CA_FILE" --resolve "$CATALOGUE_RESOLVE" "$CATALOGUE_URL"'
//         refusal: 'SSL certificate problem|no alternative certificate subject name|alert'
//         deviations: { cn-only: curl falls back to the Common Name, must-staple: curl ignores Must-Staple }
import { s, stringOrList } from '../scenario/schema.ts';
import { matcher } from '../expect/vocabulary.ts';
import { displayArgv, type ShellCommand } from '../scenario/command.ts';
import { commandArgv, prepareCommand } from './exec.ts';
import { compilePattern, patternProblem, type Pattern } from '../scenario/pattern.ts';
import { runProcess, type ProcessResult } from '../clients/process.ts';
import { HTTPS_CASES, CASE_ENDPOINT_FIELDS, CLIENT_CERTIFICATE_SEEN, casePageLine, type CatalogueCase } from '../catalogue/cases.ts';
import { defineStep, type StepContext } from './types.ts';
import { runtimeInfo } from '../runtime/index.ts';

const CASE_NAMES = HTTPS_CASES.map((c) => c.name);

const catalogueSchema = s.object(
  {
    endpoints: s.string({ ref: 'service', description: 'the catalogue service whose cases the client is held to' }),
    command: stringOrList('the client, run once per case in the work directory with the case in its environment (CATALOGUE_URL, CATALOGUE_HOST, CATALOGUE_PORT, CATALOGUE_SERVERNAME, CATALOGUE_RESOLVE, CATALOGUE_CA_FILE, CATALOGUE_EXPECT, and CATALOGUE_CLIENT_CERT, _KEY, _P12, _P12_PASSWORD for a case where it presents a certificate; docs/catalogue.md): a shell command line, or an argv list'),
    stdin: s.string({ description: 'text written to standard input of each run' }),
    cases: s.array(s.enum(CASE_NAMES), { minItems: 1, description: 'the cases to run (default: every case the service serves)' }),
    page: s.boolean('an acceptance counts only when stdout holds the page the case serves (its first line, `certharness catalogue: <case> (<group>)`): for clients that print what they fetched'),
    refusal: s.string({ description: 'a rejection counts only when stderr or stdout matches this (RE2, ^ and $ at each line): a client that failed for another reason is no verdict', check: patternProblem }),
    deviations: s.map(s.string(), 'cases where the client is known to do the opposite of a correct client, each with why: the step holds it to that, and says so'),
  },
  { required: ['endpoints', 'command'] },
);

const CONCURRENT_RUNS = 4;

/** presented: exit 0, and the page says the server saw the certificate a `withholds` case is about. */
type Verdict = 'accepted' | 'presented' | 'rejected' | 'no-verdict';

interface CaseRun {
  name: string;
  verdict: Verdict;
  /** What the run showed: the exit status and the first line of its error output. */
  evidence: string;
}

export const catalogueStep = defineStep({
  kind: 'catalogue',
  summary: 'runs a client command once per case of a catalogue service and holds it to what a correct client does with each: exit 0 accepts, any other exit rejects',
  schema: catalogueSchema,
  expect: {
    cases: matcher('number', 'how many cases ran'),
    accepted: matcher('any', 'the cases the client accepted (exit 0)'),
    presented: matcher('any', 'the accepted cases about what a client sends (client-cert-unacceptable) where the server saw the certificate it did not name'),
    rejected: matcher('any', 'the cases the client rejected'),
    unexpected: matcher('any', 'each case whose outcome is not the one expected, with what the client did and what a correct client does'),
    deviations: matcher('any', 'the cases where the client did what `deviations` says it does'),
    skipped: matcher('any', 'the cases not run on this runtime, with why (Bun and Deno staple nothing, so revoked-stapled is not what it says there)'),
    error: matcher('any'),
  },
  defaultExpect: () => ({ unexpected: { length: 0 } }),
  prepare: (spec, scope) => prepareCommand(spec, scope),
  checkScenario(spec) {
    const unknown = Object.keys(spec.deviations ?? {}).find((n) => !CASE_NAMES.includes(n));
    if (unknown) return `deviations names ${unknown}, which is not a case of the catalogue (${CASE_NAMES.slice(0, 6).join(', ')}...)`;
    return spec.cases ? withoutControl(HTTPS_CASES.filter((c) => spec.cases!.includes(c.name)), spec) : undefined;
  },
  async execute(spec, ctx) {
    const props = ctx.world.services[spec.endpoints];
    if (typeof props?.caFile !== 'string' || typeof props.cases !== 'string') return { error: { code: 'not-a-catalogue', message: `service ${spec.endpoints} is not a catalogue service (kind: catalogue)` } };
    const served = props.cases.split(',');
    const missing = (spec.cases ?? []).find((n) => !served.includes(n));
    if (missing) return { error: { code: 'case-not-served', message: `case ${missing} is not served by ${spec.endpoints}: add it to its cases` } };
    const chosen = HTTPS_CASES.filter((c) => (spec.cases ?? served).includes(c.name));
    const uncontrolled = withoutControl(chosen, spec);
    if (uncontrolled) return { error: { code: 'no-control', message: uncontrolled } };
    // A case this runtime's TLS server cannot serve as it says is no test of the client here.
    // And a case about what the client sends is judged on its page alone, which only `page: true` reads.
    const skipReason = (c: CatalogueCase) => c.skipOn?.[runtimeInfo().name as 'bun' | 'deno'] ?? (c.withholds && !spec.page ? "judged on the page's line that says what client certificate the server saw: add page: true" : undefined);
    const cases = chosen.filter((c) => !skipReason(c));
    const skipped = chosen.filter(skipReason).map((c) => `${c.name}: ${skipReason(c)}`);
    let refusal: Refusal | undefined;
    try {
      refusal = spec.refusal === undefined ? undefined : refusalPattern(spec.refusal);
    } catch (e) {
      return { error: { code: 'bad-pattern', message: `refusal ${spec.refusal}: ${(e as Error).message}` } };
    }
    const runs: CaseRun[] = [];
    // A few at a time: each run is a client starting up, and the endpoints are independent.
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < cases.length && !ctx.signal.aborted; i = next++) {
        runs[i] = await runCase(cases[i]!, { ...(spec as typeof spec & { shell?: ShellCommand }), refusal }, caseEnvironment(cases[i]!, props), ctx);
        ctx.progress(`${runs.filter(Boolean).length}/${cases.length} cases`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT_RUNS }, worker));
    return { ...judge(cases, runs.filter(Boolean), spec.deviations ?? {}, typeof spec.command === 'string' ? spec.command : displayArgv(spec.command)), skipped };
  },
});

/**
 * Why the cases cannot tell a client that refuses from one that fails, if they cannot: with no
 * case the client is to accept and no `refusal` to recognise, a client that cannot connect at all
 * would pass every one.
 */
function withoutControl(cases: readonly CatalogueCase[], spec: { refusal?: string; deviations?: Record<string, string> }): string | undefined {
  if (spec.refusal !== undefined) return undefined;
  const toAccept = cases.some((c) => (c.expect === 'accept') !== Boolean(spec.deviations?.[c.name]));
  return toAccept ? undefined : 'every case it runs is one to reject and there is no refusal: to tell a refusal from a client that fails for any reason, add refusal: (what the client prints when it refuses) or a case to accept, such as good';
}

function caseEnvironment(c: CatalogueCase, props: Record<string, unknown>): Record<string, string> {
  const field = (f: (typeof CASE_ENDPOINT_FIELDS)[number]) => String(props[`${c.name}.${f}`]);
  const own = (f: string) => (c.clientCert ? String(props[`${c.clientCert.item}.${f}`]) : '');
  return {
    CATALOGUE_CASE: c.name, CATALOGUE_URL: field('url'), CATALOGUE_HOST: field('host'), CATALOGUE_PORT: field('port'), CATALOGUE_SERVERNAME: field('servername'), CATALOGUE_RESOLVE: field('resolve'), CATALOGUE_EXPECT: field('expect'), CATALOGUE_CA_FILE: String(props.caFile),
    CATALOGUE_CLIENT_CERT: own('certFile'), CATALOGUE_CLIENT_KEY: own('keyFile'), CATALOGUE_CLIENT_P12: own('p12File'), CATALOGUE_CLIENT_P12_PASSWORD: own('p12Password'),
  };
}

async function runCase(c: CatalogueCase, spec: { command: string | string[]; shell?: ShellCommand; stdin?: string; refusal: Refusal | undefined; page?: boolean }, caseEnv: Record<string, string>, ctx: StepContext): Promise<CaseRun> {
  const r = await runProcess(commandArgv(spec), { cwd: ctx.workDir, env: { ...ctx.env, ...spec.shell?.env, ...caseEnv }, signal: ctx.signal, ...(spec.stdin !== undefined ? { stdin: spec.stdin } : {}) });
  const run = { name: c.name, ...verdictOf(r, spec.refusal, spec.page ? casePageLine(c) : undefined) };
  if (c.withholds && run.verdict === 'accepted' && r.stdout.includes(CLIENT_CERTIFICATE_SEEN.presented)) Object.assign(run, { verdict: 'presented', evidence: `exit 0, and the server saw its ${c.clientCert!.item} certificate` });
  ctx.log(`catalogue ${c.name}: ${run.verdict} (${run.evidence})`);
  return run;
}

/**
 * Exit 0 accepts (with the case's page on stdout, when asked); a non-zero exit rejects, unless
 * the program could not run (126, 127, a signal) or its output lacks the refusal asked for.
 */
function verdictOf(r: ProcessResult, refusal: Refusal | undefined, page: string | undefined): { verdict: Verdict; evidence: string } {
  const line = firstLine(r.stderr) || firstLine(r.stdout);
  if (r.error) return { verdict: 'no-verdict', evidence: `${r.error.code}: ${r.error.message}` };
  if (r.signal) return { verdict: 'no-verdict', evidence: `ended by ${r.signal}` };
  if (r.exit === 0 && page && !r.stdout.includes(page)) return { verdict: 'no-verdict', evidence: `exit 0 without the case's page on stdout (${page})${line ? `: ${line}` : ''}` };
  if (r.exit === 0) return { verdict: 'accepted', evidence: 'exit 0' };
  if (r.exit === 126 || r.exit === 127) return { verdict: 'no-verdict', evidence: `exit ${r.exit}: the command could not run${line ? `: ${line}` : ''}` };
  if (refusal && !refusal.test(r.stderr) && !refusal.test(r.stdout)) return { verdict: 'no-verdict', evidence: `exit ${r.exit} without a refusal matching ${refusal.source}${line ? `: ${line}` : ''}` };
  return { verdict: 'rejected', evidence: `exit ${r.exit}${line ? `: ${line}` : ''}` };
}

/** The refusal pattern, with ^ and $ at every line (`/re/flags` keeps its own), and its text for messages. */
type Refusal = Pattern & { source: string };

function refusalPattern(source: string): Refusal {
  return { ...compilePattern(source.startsWith('/') ? source : `/${source}/m`), source };
}

function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find(Boolean)?.slice(0, 200) ?? '';
}

function judge(cases: readonly CatalogueCase[], runs: readonly CaseRun[], deviations: Record<string, string>, command: string) {
  const unexpected: string[] = [];
  const seen: string[] = [];
  for (const run of runs) {
    const c = cases.find((x) => x.name === run.name)!;
    const correct: Verdict = c.expect === 'accept' ? 'accepted' : 'rejected';
    const known = deviations[c.name];
    // A known deviation is the opposite: of accepting, rejecting, and of withholding the certificate, presenting it.
    const wanted: Verdict = known ? (c.withholds ? 'presented' : correct === 'accepted' ? 'rejected' : 'accepted') : correct;
    if (run.verdict === wanted && known) seen.push(`${c.name}: ${run.verdict} (${run.evidence}); known deviation: ${known}`);
    if (run.verdict === wanted) continue;
    const why = run.verdict === 'no-verdict' ? `no verdict (${run.evidence})` : `${run.verdict} (${run.evidence})`;
    unexpected.push(known ? `${c.name}: ${why}, expected the known deviation (${known})` : `${c.name}: ${why}; a correct client ${c.withholds ? `accepts it without its ${c.clientCert!.item} certificate` : `${c.expect}s it`}: ${c.reason}`);
  }
  return {
    command,
    cases: runs.length,
    accepted: runs.filter((r) => r.verdict === 'accepted' || r.verdict === 'presented').map((r) => r.name),
    presented: runs.filter((r) => r.verdict === 'presented').map((r) => r.name),
    rejected: runs.filter((r) => r.verdict === 'rejected').map((r) => r.name),
    unexpected,
    deviations: seen,
    ...(runs.length < cases.length ? { error: { code: 'EINTR', message: `stopped after ${runs.length} of ${cases.length} cases` } } : {}),
  };
}
