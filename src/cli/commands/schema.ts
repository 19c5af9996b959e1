// `certharness schema`: the JSON Schema of scenario files (committed as schema/scenario.schema.json).
import { EXIT, UsageError } from '../exit-codes.ts';
import { parseOptions } from '../options.ts';
import type { CliIo } from '../io.ts';
import { createCatalog } from '../../runner/catalog.ts';
import { scenarioSchema, SCHEMA_ID } from '../../scenario/format.ts';
import { shareRepeatedSubschemas, toJsonSchema } from '../../scenario/schema.ts';

export const SCHEMA_HELP = `Usage: certharness schema

Prints the JSON Schema of the scenario format. Editors with the YAML language server use it
for completion and checks through the first line of each scenario:
  # yaml-language-server: $schema=../schema/scenario.schema.json

Example:
  certharness schema > my-scenario.schema.json
`;

export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_ID,
    title: 'certharness scenario',
    ...shareRepeatedSubschemas(toJsonSchema(scenarioSchema(createCatalog().format))),
  };
}

export function schemaCommand(argv: string[], io: CliIo): number {
  const { values, positionals } = parseOptions(argv, {}, 'schema');
  if (values.help) {
    io.stdout(SCHEMA_HELP);
    return EXIT.ok;
  }
  if (positionals.length) throw new UsageError(`schema takes no arguments (got ${positionals.join(' ')}); it prints to standard output`);
  io.stdout(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
  return EXIT.ok;
}
