// `certharness merge`: combines the JSON reports of shards into one, and re-emits any report.
import { readFileSync } from 'node:fs';
import { parseOptions } from '../options.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { createReporters } from '../reporters.ts';
import { ReporterMultiplexer } from '../../report/multiplexer.ts';
import { countRun, type RunResult } from '../../runner/events.ts';

export const MERGE_HELP = `Usage: certharness merge <report.json>... [--reporter R]...

Merges JSON reports (from --reporter json=PATH, typically one per --shard) into one run and
writes it with any reporters. Exit code 1 when a merged scenario failed.

Examples:
  certharness merge shard-*.json --reporter junit=report.xml --reporter json=all.json
  certharness merge run.json --reporter html=report     # the HTML report of a saved run
`;

export function readReport(path: string): RunResult {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`${path}: ${err.code === 'ENOENT' ? 'no such file' : `not a JSON report (${err.message})`}`);
  }
  const r = data as Partial<RunResult>;
  if (r.reportVersion !== 1 || !Array.isArray(r.scenarios)) throw new UsageError(`${path}: not a certharness JSON report (reportVersion 1 expected)`);
  return r as RunResult;
}

/**
 * Why these reports are not every shard of one run: a shard whose report is missing (its CI job
 * failed to upload it) would otherwise make the merge green with fewer scenarios.
 */
export function missingShards(reports: RunResult[], paths: string[]): string | undefined {
  const sharded = reports.map((r, i) => ({ shard: r.shard, path: paths[i]! })).filter((r) => r.shard);
  if (!sharded.length) return undefined;
  const totals = new Set(sharded.map((r) => r.shard!.total));
  if (totals.size > 1 || sharded.length < reports.length) return `merge: these reports come from different shardings (${sharded.map((r) => `${r.path} is ${r.shard!.index}/${r.shard!.total}`).join(', ')}${sharded.length < reports.length ? ', and some are not sharded' : ''})`;
  const total = [...totals][0]!;
  const have = new Set(sharded.map((r) => r.shard!.index));
  const absent = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !have.has(i));
  return absent.length ? `merge: shard ${absent.map((i) => `${i}/${total}`).join(', ')} is missing; the merged report would leave its scenarios out (pass every shard's report)` : undefined;
}

export function mergeResults(results: RunResult[]): RunResult {
  const scenarios = results.flatMap((r) => r.scenarios).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const starts = results.map((r) => r.startedAt).sort();
  return {
    reportVersion: 1,
    startedAt: starts[0] ?? new Date().toISOString(),
    durationMs: Math.max(0, ...results.map((r) => r.durationMs)),
    runtime: results[0]!.runtime,
    scenarios,
    counts: countRun(scenarios),
    interrupted: results.some((r) => r.interrupted),
  };
}

/** The run these reports make together: every shard once, no scenario twice, and not nothing. */
export function mergedReports(paths: string[], command: string): RunResult {
  const reports = paths.map(readReport);
  const seen = new Map<string, string>();
  reports.forEach((r, i) => {
    for (const s of r.scenarios) {
      const first = seen.get(s.id);
      if (first !== undefined) throw new UsageError(`${paths[i]}: scenario ${s.id} is also in ${first}; merging would count it twice (merge the reports of different shards)`);
      seen.set(s.id, paths[i]!);
    }
  });
  const missing = missingShards(reports, paths);
  if (missing) throw new UsageError(missing.replace(/^merge:/, `${command}:`));
  const merged = mergeResults(reports);
  if (!merged.scenarios.length) throw new UsageError(`${command}: the reports hold no scenario; a merge of nothing is not a green run`);
  return merged;
}

export async function mergeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, { reporter: { type: 'string', multiple: true, default: [] } }, 'merge');
  if (values.help) {
    io.stdout(MERGE_HELP);
    return EXIT.ok;
  }
  if (!positionals.length) throw new UsageError('merge needs at least one JSON report');
  const merged = mergedReports(positionals, 'merge');
  const reporters = new ReporterMultiplexer(createReporters(values.reporter, io));
  // Replayed as events, so every reporter works as in a live run.
  await reporters.replay(merged);
  for (const e of reporters.errors) io.stderr(`certharness: ${e}\n`);
  return merged.scenarios.some((s) => s.status === 'failed') ? EXIT.failed : EXIT.ok;
}
