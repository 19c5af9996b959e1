// `certharness validate`: the load-time checks alone.
import { parseArgs } from 'node:util';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { expandScenarioArgs } from '../files.ts';
import { createCatalog } from '../../runner/catalog.ts';
import { loadAll } from '../../runner/run.ts';
import { printProblems } from '../problems.ts';
import { parseVars } from './run.ts';
import { UsageError } from '../exit-codes.ts';

export const VALIDATE_HELP = `Usage: certharness validate <scenario.yaml|dir|glob>... [--var K=V]...

Checks scenario files without running anything: YAML syntax, unknown keys (with
suggestions), types, references to PKI items and services, dependency cycles, input
files. Prints every problem as file:line:col: message.

Example:
  certharness validate scenarios/*.yaml

Exit codes: 0 valid, 2 problems found.
`;

export function validateCommand(argv: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { var: { type: 'string', multiple: true, default: [] }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    io.stdout(VALIDATE_HELP);
    return EXIT.ok;
  }
  if (!positionals.length) throw new UsageError('validate needs at least one scenario file');
  const files = expandScenarioArgs(positionals);
  const { loaded, problems } = loadAll(files, createCatalog(), io.env, parseVars(values.var));
  if (problems.length) {
    printProblems(problems, io);
    return EXIT.badInput;
  }
  for (const l of loaded) io.stdout(`ok ${l.id}: ${l.scenario.title} (${l.scenario.steps.length} steps)\n`);
  return EXIT.ok;
}
