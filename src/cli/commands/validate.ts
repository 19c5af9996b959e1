// `certharness validate`: the load-time checks alone.
import { parseOptions } from '../options.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { expandScenarioArgs } from '../files.ts';
import { createCatalog } from '../../runner/catalog.ts';
import { loadAll } from '../../runner/run.ts';
import { printProblems } from '../problems.ts';
import { parseVars } from './run.ts';
import { UsageError } from '../exit-codes.ts';

export const VALIDATE_HELP = `Usage: certharness validate <scenario.yaml|dir|glob>... [--var K=V]... [--json]

Checks scenario files without running anything: YAML syntax, unknown keys (with
suggestions), types, references to PKI items and services, dependency cycles, input
files. Prints every problem as file:line:col: message.

  --json   print {"valid", "scenarios": [{id, title, steps}], "problems": [{code, message,
           hint, file, line, col}]} on standard output instead

Examples:
  certharness validate scenarios/*.yaml
  certharness validate scenarios --json | jq -r '.problems[] | "\\(.file):\\(.line): \\(.code)"'

Exit codes: 0 valid, 2 problems found.
`;

export function validateCommand(argv: string[], io: CliIo): number {
  const { values, positionals } = parseOptions(argv, { var: { type: 'string', multiple: true, default: [] }, json: { type: 'boolean', default: false } }, 'validate');
  if (values.help) {
    io.stdout(VALIDATE_HELP);
    return EXIT.ok;
  }
  if (!positionals.length) throw new UsageError('validate needs at least one scenario file');
  const files = expandScenarioArgs(positionals);
  const { loaded, problems } = loadAll(files, createCatalog(), io.env, parseVars(values.var));
  if (values.json) {
    const scenarios = loaded.map((l) => ({ id: l.id, title: l.scenario.title, steps: l.scenario.steps.length }));
    const list = problems.map(({ at, ...p }) => ({ ...p, ...(at ? { file: at.file, line: at.line, col: at.col } : {}) }));
    io.stdout(JSON.stringify({ valid: !problems.length, scenarios, problems: list }, null, 2) + '\n');
    return problems.length ? EXIT.badInput : EXIT.ok;
  }
  if (problems.length) {
    printProblems(problems, io);
    return EXIT.badInput;
  }
  for (const l of loaded) io.stdout(`ok ${l.id}: ${l.scenario.title} (${l.scenario.steps.length} steps)\n`);
  return EXIT.ok;
}
