// The committed JSON Schema, read by a real JSON Schema validator (ajv, draft 2020-12), as an
// editor reads it: every bundled scenario passes it, the broken ones are refused, and sharing
// repeated subschemas through $defs changes nothing: expanding every $ref gives back the inline
// schema exactly, so no document can get another verdict from one than from the other.
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
const shared = new Ajv2020({ strict: false, allErrors: false }).compile(committed);
const { $id: _id, ...unshared } = { ...committed, ...toJsonSchema(scenarioSchema(createCatalog().format)) };
delete (unshared as Record<string, unknown>).$defs;

const files = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f));
const asJson = (file: string): unknown => {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // not YAML: nothing for a JSON Schema to say
  }
};

/** The schema with every `{ $ref: '#/$defs/name' }` replaced by that definition, itself expanded. */
function expandRefs(node: unknown, defs: Record<string, unknown>, refs = { count: 0 }): unknown {
  if (Array.isArray(node)) return node.map((n) => expandRefs(n, defs, refs));
  if (node === null || typeof node !== 'object') return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === 'string' && Object.keys(node).length === 1) {
    const name = /^#\/\$defs\/(\w+)$/.exec(ref)?.[1];
    if (name === undefined || !(name in defs)) throw new Error(`a $ref to nothing: ${ref}`);
    refs.count++;
    return expandRefs(defs[name], defs, refs);
  }
  return Object.fromEntries(Object.entries(node).filter(([k]) => k !== '$defs').map(([k, v]) => [k, expandRefs(v, defs, refs)]));
}

t.test('every bundled scenario satisfies the committed schema', async (t) => {
  for (const file of files(join(ROOT, 'scenarios'))) t.ok(shared(asJson(file)), `${file}: ${JSON.stringify(shared.errors?.slice(0, 2))}`);
});

t.test('$defs sharing changes nothing: the committed schema with its $refs expanded is the inline schema', async (t) => {
  const refs = { count: 0 };
  const { $id: _ignored, ...expanded } = expandRefs(committed, committed.$defs ?? {}, refs) as Record<string, unknown>;
  t.ok(refs.count >= 20, `the sharing is used (${refs.count} $refs expanded)`);
  t.same(expanded, unshared, 'every keyword where the inline schema has it');
  t.ok(JSON.stringify(committed).length * 4 < JSON.stringify(unshared).length, 'at least four times smaller');
});

t.test('the broken scenarios that are YAML are refused by the committed schema', async (t) => {
  const broken = files(join(FIXTURES, 'broken')).map((f) => [f, asJson(f)] as const).filter(([, doc]) => doc !== undefined);
  const refused = broken.filter(([, doc]) => !shared(doc)).length;
  t.ok(refused >= 10, `the broken scenarios exercise refusals (${refused} of ${broken.length} refused)`);
});
