// `certharness run`: the main job.
import { parseArgs } from 'node:util';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { expandScenarioArgs } from '../files.ts';
import { createReporters } from '../reporters.ts';
import { createCatalog } from '../../runner/catalog.ts';
import { loadAll, select, runAll } from '../../runner/run.ts';
import { ReporterMultiplexer } from '../../report/multiplexer.ts';
import { parseDuration } from '../../scenario/duration.ts';
import { printProblems } from '../problems.ts';
import { PEER_HINTS } from '../peers.ts';

export const RUN_HELP = `Usage: certharness run <scenario.yaml|dir|glob>... [options]

Runs scenarios: creates each one's PKI in a fresh work directory, starts its services on
loopback, runs its steps, tears everything down, and reports.

Options:
  --reporter R       console | tap[=PATH] | junit=PATH | json=PATH; repeatable
                     (default: console on a terminal, tap otherwise)
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

Examples:
  certharness run scenarios/*.yaml
  certharness run scenarios --tag mtls --reporter console --reporter junit=report.xml
  certharness run scenarios --shard 2/4 --reporter json=shard-2.json

Exit codes: 0 passed, 1 a scenario failed, 2 bad input, 3 internal error, 130 interrupted.
`;

export function parseVars(list: string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const v of list) {
    const eq = v.indexOf('=');
    if (eq < 1) throw new UsageError(`--var ${v}: expected NAME=VALUE`);
    vars[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return vars;
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

export async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
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
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(RUN_HELP);
    return EXIT.ok;
  }
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
  const files = expandScenarioArgs(positionals);

  const catalog = createCatalog();
  const { loaded, problems } = loadAll(files, catalog, io.env, vars);
  if (problems.length) {
    printProblems(problems, io);
    return EXIT.badInput;
  }
  const chosen = select(loaded, { tags: values.tag, ...(values.grep ? { grep: values.grep } : {}), ...(shard ? { shard } : {}) });
  if (values.list) {
    for (const l of chosen) io.stdout(`${l.id}\t${l.scenario.title}\t${l.scenario.steps.length} steps${l.scenario.tags.length ? `\t[${l.scenario.tags.join(', ')}]` : ''}\n`);
    io.stdout(`${chosen.length} of ${loaded.length} scenarios selected\n`);
    return EXIT.ok;
  }
  const reporters = new ReporterMultiplexer(createReporters(values.reporter, io));
  const result = await runAll(chosen, {
    catalog,
    reporters,
    signal: io.signal,
    env: io.env,
    stepTimeoutMs: timeoutMs,
    retries,
    keep: values.keep,
    requirePeers: values['require-peers'] || Boolean(io.env.CI),
    peerHints: PEER_HINTS,
    jobs,
    bail: values.bail,
    ...(shard ? { shard } : {}),
  });
  for (const e of reporters.errors) io.stderr(`certharness: ${e}\n`);
  if (result.interrupted) return EXIT.interrupted;
  if (reporters.errors.length) return EXIT.internal;
  return result.scenarios.some((s) => s.status === 'failed') ? EXIT.failed : EXIT.ok;
}
