// `certharness schema`: the JSON Schema of scenario files (committed as schema/scenario.schema.json).
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { createCatalog } from '../../runner/catalog.ts';
import { scenarioSchema, SCHEMA_ID } from '../../scenario/format.ts';
import { shareRepeatedSubschemas, toJsonSchema } from '../../scenario/schema.ts';

export const SCHEMA_HELP = `Usage: certharness schema

Prints the JSON Schema of the scenario format. Editors with the YAML language server use it
for completion and checks through the first line of each scenario:
  # yaml-language-server: $schema=../schema/scenario.schema.json

Example:
  certharness schema > schema/scenario.schema.json
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
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(SCHEMA_HELP);
    return EXIT.ok;
  }
  io.stdout(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
  return EXIT.ok;
}
