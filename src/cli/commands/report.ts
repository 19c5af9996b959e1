// `certharness report`: the HTML report of a saved run (or of every shard's JSON report, merged
// as `merge` merges them). It renders; it is not a verdict, so it exits 0 once the page is
// written, whatever the run's outcome, which it prints.
import { join } from 'node:path';
import { parseOptions } from '../options.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { mkdirSync } from 'node:fs';
import { HtmlReporter } from '../../report/html.ts';
import { ReporterMultiplexer } from '../../report/multiplexer.ts';
import { mergedReports } from './merge.ts';

export const REPORT_HELP = `Usage: certharness report <run.json>... --html DIR

Writes DIR/index.html, the HTML report of a run saved with --reporter json=PATH. Given the JSON
reports of every shard of a run, it merges them first, as merge does (a missing shard, or a
scenario in two reports, is refused). The page is self-contained: open it from file:// or keep
it as a CI artefact.

Exit code 0 when the page is written, whatever the run's outcome (the run's own exit code, or
merge's, is the verdict); 1 when it could not be written; 2 on bad input.

Examples:
  certharness run scenarios/*.yaml --reporter json=run.json; certharness report run.json --html report
  certharness report shard-1.json shard-2.json --html report
`;

export async function reportCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, { html: { type: 'string' } }, 'report');
  if (values.help) {
    io.stdout(REPORT_HELP);
    return EXIT.ok;
  }
  if (!positionals.length) throw new UsageError('report needs a JSON report: certharness report run.json --html DIR');
  if (!values.html) throw new UsageError('report needs --html DIR (it writes DIR/index.html)');
  const merged = mergedReports(positionals, 'report');
  try {
    mkdirSync(values.html, { recursive: true });
  } catch (e) {
    throw new UsageError(`--html ${values.html}: cannot make the directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const reporters = new ReporterMultiplexer([new HtmlReporter(values.html)]);
  await reporters.replay(merged);
  for (const e of reporters.errors) io.stderr(`certharness: ${e}\n`);
  if (reporters.errors.length) return EXIT.failed;
  const c = merged.counts;
  io.stdout(`wrote ${join(values.html, 'index.html')}: ${merged.scenarios.length} scenarios, ${c.tests} tests, ${c.passed} passed, ${c.failed + c.errors} failed\n`);
  return EXIT.ok;
}
