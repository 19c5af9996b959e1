// The committed JSON Schema, read by a real JSON Schema validator (ajv, draft 2020-12), as an
// editor reads it: every bundled scenario passes it, and sharing repeated subschemas through
// $defs changes no verdict, on the bundled scenarios and on the broken ones.
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createCatalog } from '../src/runner/catalog.ts';
import { scenarioSchema } from '../src/scenario/format.ts';
import { toJsonSchema } from '../src/scenario/schema.ts';
import { ROOT, FIXTURES } from './helpers.ts';

const committed = JSON.parse(readFileSync(join(ROOT, 'schema', 'scenario.schema.json'), 'utf8'));
const ajv = () => new Ajv2020({ strict: false, allErrors: false });
const shared = ajv().compile(committed);
const { $id: _id, ...unshared } = { ...committed, ...toJsonSchema(scenarioSchema(createCatalog().format)) };
delete (unshared as Record<string, unknown>).$defs;
const inline = ajv().compile(unshared);

const files = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f));
const asJson = (file: string): unknown => {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // not YAML: nothing for a JSON Schema to say
  }
};

t.test('every bundled scenario satisfies the committed schema', async (t) => {
  for (const file of files(join(ROOT, 'scenarios'))) t.ok(shared(asJson(file)), `${file}: ${JSON.stringify(shared.errors?.slice(0, 2))}`);
});

t.test('$defs sharing keeps every verdict, and the schema is a fraction of its inline size', async (t) => {
  const all = [...files(join(ROOT, 'scenarios')), ...files(join(FIXTURES, 'broken'))].map((f) => [f, asJson(f)] as const).filter(([, doc]) => doc !== undefined);
  let refused = 0;
  for (const [file, doc] of all) {
    const verdict = inline(doc);
    if (!verdict) refused++;
    t.equal(shared(doc), verdict, file);
  }
  t.ok(refused >= 10, `the broken scenarios exercise refusals (${refused} refused)`);
  t.ok(JSON.stringify(committed).length * 4 < JSON.stringify(unshared).length, 'at least four times smaller');
});
