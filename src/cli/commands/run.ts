// `certharness run`: the main job.
import { parseOptions } from '../options.ts';
import type { ParseArgsConfig } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, UsageError } from '../exit-codes.ts';
import { isCi, type CliIo } from '../io.ts';
import { expandScenarioArgs } from '../files.ts';
import { createReporters } from '../reporters.ts';
import { createCatalog } from '../../runner/catalog.ts';
import { loadAll, select, runAll, badInputRun } from '../../runner/run.ts';
import { ReporterMultiplexer } from '../../report/multiplexer.ts';
import { ConsoleReporter } from '../../report/console.ts';
import type { Reporter } from '../../runner/events.ts';
import { formatProblem, type Problem } from '../../scenario/problem.ts';
import { parseDuration } from '../../scenario/duration.ts';
import { findRefs } from '../../scenario/interpolate.ts';
import { didYouMean } from '../../scenario/suggest.ts';
import type { Scenario } from '../../scenario/types.ts';
import { printProblems } from '../problems.ts';
import { PEER_HINTS } from '../peers.ts';
import { applyOverrides, overrideProblems, type PkiFiles } from '../../runner/overrides.ts';
import { externalProps } from '../../services/external/index.ts';
import { keyPairProblem } from '../../pki/inspect.ts';
import { publicClientCertificateNote } from '../../pki/public-roots.ts';

export const RUN_HELP = `Usage: certharness run <scenario.yaml|dir|glob>... [options]

Runs scenarios: creates each one's PKI in a fresh work directory, starts its services on
loopback, runs its steps, tears everything down, and reports.

Options:
  --reporter R       console[=PATH] | tap[=PATH] | junit=PATH | json=PATH | html=DIR;
                     repeatable (default: console on a terminal, tap otherwise)
  --tag T            run scenarios with this tag; repeatable (any of them)
  --grep RE          run scenarios whose title or file matches RE
  --jobs N           scenarios in parallel (default: number of cores)
  --timeout D        per-step timeout, e.g. 30s, 500ms (default 30s)
  --retries N        retry failing steps N times; a pass on retry is reported flaky
  --bail             stop after the first failed scenario (teardown still runs)
  --keep             keep work directories (PKI files, configs, logs) and print where
  --var K=V          set {{vars.K}}; repeatable
  --list             print what would run, start nothing
  --shard I/N        run the I-th of N deterministic shards (CI matrices)
  --require-peers    fail, rather than skip, when nginx/pebble/... is not installed
                     (always on when the CI environment variable is set)
  --target NAME=URL  do not start service NAME: its steps talk to the real deployment at
                     URL instead ({{NAME.url}}, .host, .port come from it); repeatable
  --pki NAME=CRT[,KEY]
                     load PKI item NAME from these PEM files instead of generating it
                     (your CA, your client certificate); without KEY it is trusted only,
                     and steps needing what it would issue are skipped; repeatable

Examples:
  certharness run scenarios/*.yaml
  certharness run scenarios --tag mtls --reporter console --reporter junit=report.xml
  certharness run scenarios --shard 2/4 --reporter json=shard-2.json
  certharness run scenarios/001-deployment-check.yaml --target upstream=https://api.example.net:8443 \\
      --pki ca=ca.crt,ca.key --pki client=client.crt,client.key

Exit codes: 0 passed, 1 a scenario failed, 2 bad input, 3 internal error, 130 interrupted.
`;

/** `NAME=VALUE` of a repeatable option, split at the first `=`; `example` shows the form when it is not. */
function splitAssignment(flag: string, text: string, example: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq < 1) throw new UsageError(`${flag} ${text}: expected ${example}`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

export function parseVars(list: string[]): Record<string, string> {
  return Object.fromEntries(list.map((v) => splitAssignment('--var', v, 'NAME=VALUE')));
}

/** --target NAME=URL, each URL one `external` service can stand for. */
export function parseTargets(list: string[]): Record<string, string> {
  const targets: Record<string, string> = {};
  for (const t of list) {
    const [name, url] = splitAssignment('--target', t, 'NAME=URL, e.g. --target upstream=https://api.example.net:8443');
    try {
      externalProps(url);
    } catch (e) {
      throw new UsageError(`--target ${t}: ${(e as Error).message}`);
    }
    targets[name] = url;
  }
  return targets;
}

/** --pki NAME=CERT[,KEY]: the files must exist; paths are taken from the current directory. */
export function parsePkiFiles(list: string[]): Record<string, PkiFiles> {
  const out: Record<string, PkiFiles> = {};
  for (const p of list) {
    const m = /^([A-Za-z_][\w-]*)=([^,]+)(?:,([^,]+))?$/.exec(p);
    if (!m) throw new UsageError(`--pki ${p}: expected NAME=CERT or NAME=CERT,KEY, e.g. --pki client=client.crt,client.key`);
    const certFile = resolve(m[2]!);
    const keyFile = m[3] !== undefined ? resolve(m[3]) : undefined;
    for (const f of [certFile, keyFile]) if (f !== undefined && !existsSync(f)) throw new UsageError(`--pki ${p}: ${f}: no such file`);
    const mismatch = keyFile ? keyPairProblem(readFileSync(certFile), readFileSync(keyFile), m[2]!, m[3]!) : undefined;
    if (mismatch) throw new UsageError(`--pki ${p}: ${mismatch}`);
    out[m[1]!] = { certFile, ...(keyFile ? { keyFile } : {}) };
  }
  return out;
}

/** The overridden items some scenario declares as client certificates. */
function clientItems(scenarios: Scenario[], names: string[]): string[] {
  return names.filter((name) => scenarios.some((s) => {
    const spec = s.pki[name]?.spec as { usage?: string; extendedKeyUsage?: string[] } | undefined;
    return spec?.usage === 'client' || spec?.usage === 'server+client' || spec?.extendedKeyUsage?.includes('clientAuth');
  }));
}

export function parseShard(text: string | undefined): { index: number; total: number } | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const total = Number(m?.[2]);
  if (!m || total < 1 || index < 1 || index > total) throw new UsageError(`--shard ${text}: expected I/N with 1 <= I <= N, e.g. --shard 1/3`);
  return { index, total };
}

function positiveInt(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} ${text}: expected a whole number >= ${min}`);
  return n;
}

/** Why no scenario was selected, with the tags that exist and the nearest one. */
function nothingSelected(scenarios: Scenario[], tags: string[], grep: string | undefined, shard: string | undefined): string {
  const known = [...new Set(scenarios.flatMap((s) => s.tags))].sort();
  const filters = [...tags.map((t) => `--tag ${t}`), ...(grep !== undefined ? [`--grep ${grep}`] : []), ...(shard ? [`--shard ${shard}`] : [])].join(' ');
  const near = tags.map((t) => (known.includes(t) ? undefined : didYouMean(t, known))).find(Boolean);
  return `no scenario selected: ${filters} matched none of the ${scenarios.length} scenario(s)${near ? ` (${near})` : ''}${known.length ? `; tags in use: ${known.join(', ')}` : ''}`;
}

/** A --var that no selected scenario reads ({{vars.NAME}}) is a typo or a leftover. */
function unusedVars(names: string[], chosen: { source: string }[]): string | undefined {
  const read = new Set(chosen.flatMap((l) => findRefs(l.source).filter((r) => r.root === 'vars' && r.prop).map((r) => r.prop!)));
  const unused = names.find((n) => !read.has(n));
  if (unused === undefined) return undefined;
  const hint = didYouMean(unused, [...read]);
  return `--var ${unused}: no selected scenario reads {{vars.${unused}}}${hint ? ` (${hint})` : read.size ? `; they read ${[...read].join(', ')}` : ''}`;
}

const RUN_OPTIONS = {
      reporter: { type: 'string', multiple: true, default: [] },
      tag: { type: 'string', multiple: true, default: [] },
      grep: { type: 'string' },
      jobs: { type: 'string' },
      timeout: { type: 'string' },
      retries: { type: 'string' },
      bail: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      var: { type: 'string', multiple: true, default: [] },
      list: { type: 'boolean', default: false },
      shard: { type: 'string' },
      'require-peers': { type: 'boolean', default: false },
      target: { type: 'string', multiple: true, default: [] },
      pki: { type: 'string', multiple: true, default: [] }
    } satisfies NonNullable<ParseArgsConfig['options']>;

const parseRunArgs = (argv: string[]) => parseOptions(argv, RUN_OPTIONS, 'run');

export async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseRunArgs(argv);
  if (values.help) {
    io.stdout(RUN_HELP);
    return EXIT.ok;
  }
  // Made first, so that input refused below still reaches the reports CI reads.
  const reporters = createReporters(values.reporter, io);
  try {
    return await runSelected(values, positionals, reporters, io);
  } catch (e) {
    if (e instanceof UsageError) await reportBadInput(reporters, [{ code: 'bad-input', message: e.message }]);
    throw e;
  }
}

/**
 * Bad input as reports: a failed test per problem, in every report but the console on
 * standard output (standard error already shows each problem).
 */
async function reportBadInput(reporters: Reporter[], problems: Problem[]): Promise<void> {
  const mux = new ReporterMultiplexer(reporters.filter((r) => !(r instanceof ConsoleReporter)));
  await mux.replay(badInputRun(problems, formatProblem));
}

type RunValues = ReturnType<typeof parseRunArgs>['values'];

async function runSelected(values: RunValues, positionals: string[], reporterList: Reporter[], io: CliIo): Promise<number> {
  if (!positionals.length) throw new UsageError('run needs at least one scenario file, e.g. certharness run scenarios/*.yaml');
  const timeoutMs = values.timeout === undefined ? 30_000 : parseDuration(values.timeout);
  if (timeoutMs === undefined || timeoutMs <= 0) throw new UsageError(`--timeout ${values.timeout}: expected a duration like 30s or 500ms`);
  if (values.grep !== undefined) {
    try {
      new RegExp(values.grep);
    } catch (e) {
      throw new UsageError(`--grep ${values.grep}: ${(e as Error).message}`);
    }
  }
  const jobs = positiveInt('jobs', values.jobs, io.cores);
  const retries = positiveInt('retries', values.retries, 0, 0);
  const shard = parseShard(values.shard);
  const vars = parseVars(values.var);
  const overrides = { targets: parseTargets(values.target), pki: parsePkiFiles(values.pki) };
  const files = expandScenarioArgs(positionals);

  const catalog = createCatalog();
  const all = loadAll(files, catalog, io.env, vars);
  if (all.problems.length) {
    printProblems(all.problems, io);
    await reportBadInput(reporterList, all.problems);
    return EXIT.badInput;
  }
  const misfits = overrideProblems(all.loaded.map((l) => l.scenario), overrides);
  for (const name of clientItems(all.loaded.map((l) => l.scenario), Object.keys(overrides.pki))) {
    const note = publicClientCertificateNote(readFileSync(overrides.pki[name]!.certFile, 'latin1'));
    if (note) io.stderr(`certharness: note: --pki ${name}: ${note}\n`);
  }
  if (misfits.length) throw new UsageError(misfits[0]!);
  const loaded = all.loaded.map((l) => ({ ...l, scenario: applyOverrides(l.scenario, overrides) }));
  const chosen = select(loaded, { tags: values.tag, ...(values.grep ? { grep: values.grep } : {}), ...(shard ? { shard } : {}) });
  // A run that selected nothing, or a --var nothing reads, is a mistake in the command: never a green run.
  if (!chosen.length) throw new UsageError(nothingSelected(loaded.map((l) => l.scenario), values.tag, values.grep, values.shard));
  const unused = unusedVars(Object.keys(vars), chosen);
  if (unused) throw new UsageError(unused);
  if (values.list) {
    for (const l of chosen) io.stdout(`${l.id}\t${l.scenario.title}\t${l.scenario.steps.length} steps${l.scenario.tags.length ? `\t[${l.scenario.tags.join(', ')}]` : ''}\n`);
    io.stdout(`${chosen.length} of ${loaded.length} scenarios selected\n`);
    return EXIT.ok;
  }
  const reporters = new ReporterMultiplexer(reporterList);
  const result = await runAll(chosen, {
    catalog,
    reporters,
    signal: io.signal,
    env: io.env,
    stepTimeoutMs: timeoutMs,
    retries,
    keep: values.keep,
    requirePeers: values['require-peers'] || isCi(io.env),
    peerHints: PEER_HINTS,
    jobs,
    bail: values.bail,
    ...(shard ? { shard } : {}),
  });
  for (const e of reporters.errors) io.stderr(`certharness: ${e}\n`);
  if (result.interrupted) return EXIT.interrupted;
  if (reporters.errors.length) return EXIT.internal;
  if (result.scenarios.some((s) => s.status === 'failed')) return EXIT.failed;
  // Every scenario skipped (peers missing, every step skipped on this runtime): the reports say why, and nothing was checked.
  if (result.scenarios.every((s) => s.status === 'skipped')) {
    io.stderr(`certharness: nothing was checked: every selected scenario was skipped (${result.scenarios.map((s) => `${s.title}: ${s.skipReason ?? 'every step is skipped'}`).join('; ')})\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}
