// The reference in docs/reference/ is rendered from the declarations: it must be what this
// version renders, and every setting a scenario can write must say what it means.
import t from 'tap';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, runCliHere, scratchDir } from './helpers.ts';
import { createCatalog } from '../src/runner/catalog.ts';
import { referencePages, typeText } from '../src/cli/reference.ts';
import { COMMANDS, MAIN_HELP } from '../src/cli/command-table.ts';
import { s, type Schema } from '../src/scenario/schema.ts';

const DOCS = join(ROOT, 'docs', 'reference');

async function rendered(): Promise<Record<string, string>> {
  const helps: Record<string, string> = { certharness: MAIN_HELP };
  for (const [name, load] of Object.entries(COMMANDS)) helps[name] = (await load()).help;
  return referencePages(createCatalog().format, helps);
}

t.test('docs/reference is what this version renders', async (t) => {
  const pages = await rendered();
  t.strictSame(readdirSync(DOCS).sort(), Object.keys(pages).sort(), 'the same pages, no stale ones');
  for (const [file, text] of Object.entries(pages)) t.equal(readFileSync(join(DOCS, file), 'utf8'), text, `${file}: regenerate with node bin/certharness reference --out docs/reference`);
});

t.test('every setting of every kind says what it means', async (t) => {
  const format = createCatalog().format;
  const undocumented: string[] = [];
  const walk = (x: Schema, path: string): void => {
    if (x.type === 'object') for (const [k, v] of Object.entries(x.properties)) (v.description || undocumented.push(`${path}.${k}`), walk(v, `${path}.${k}`));
    if (x.type === 'anyOf') x.options.forEach((o) => walk(o, path));
    if (x.type === 'array') walk(x.items, `${path}[]`);
  };
  for (const [kind, def] of Object.entries(format.steps)) walk(def.schema, `step ${kind}`);
  for (const [kind, def] of Object.entries(format.services)) walk(def.schema, `service ${kind}`);
  for (const [kind, def] of Object.entries(format.pki)) walk(def.schema, `pki ${kind}`);
  t.strictSame(undocumented, [], 'add a description to these fields');
});

t.test('types read as a person would say them', async (t) => {
  t.equal(typeText(s.enum(['a', 'b'])), '`a` | `b`');
  t.equal(typeText(s.array(s.string({ ref: 'pki' }))), 'list of PKI item name');
  t.equal(typeText(s.integer({ minimum: 1, maximum: 9 })), 'integer (≥ 1, ≤ 9)');
  t.equal(typeText(s.map(s.string())), 'mapping of name to text');
});

t.test('every result field a step kind documents appears on its page', async (t) => {
  const steps = (await rendered())['steps.md']!;
  for (const [kind, def] of Object.entries(createCatalog().format.steps)) {
    const section = steps.split(/^## /m).find((part) => part.startsWith(`${kind}\n`));
    t.ok(section, `a section for ${kind}`);
    for (const field of Object.keys(def.expect)) t.match(section, `| \`${field}\` |`, `${kind} lists ${field}`);
  }
});

t.test('reference --check names a page that drifted, and exits 1', async (t) => {
  const copy = join(scratchDir(t), 'reference');
  cpSync(DOCS, copy, { recursive: true });
  const ok = await runCli(['reference', '--check', copy]);
  t.equal(ok.code, 0, ok.stderr);
  writeFileSync(join(copy, 'lint.md'), readFileSync(join(copy, 'lint.md'), 'utf8').replace('rsa-key-too-small', 'rsa-key-tiny'));
  const drifted = await runCliHere(['reference', '--check', copy]);
  t.equal(drifted.code, 1);
  t.match(drifted.stderr, /lint\.md differs from this version's reference: run certharness reference --out /);
  t.notMatch(drifted.stderr, /steps\.md/, 'only the page that differs');
});

t.test('reference prints one page, and an unknown page is exit 2 with the nearest', async (t) => {
  const page = await runCliHere(['reference', 'lint']);
  t.equal(page.code, 0);
  t.match(page.stdout, /^<!-- Generated[^]*# Lint findings/);
  const bad = await runCliHere(['reference', 'step.md']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /no page step\.md \(did you mean 'steps\.md'\?\)/);
});

t.test('reference --out where nothing can be written, and --check of no directory: one line, exit 2', async (t) => {
  const out = await runCliHere(['reference', '--out', '/proc/certharness-reference']);
  t.equal(out.code, 2);
  t.equal(out.stderr, 'certharness: reference: cannot write /proc/certharness-reference: ENOENT\n');
  const nested = join(scratchDir(t), 'a', 'b');
  t.equal((await runCliHere(['reference', '--out', nested])).code, 0, 'missing parents are made');
  t.equal((await runCliHere(['reference', '--check', nested])).code, 0);
  const check = await runCliHere(['reference', '--check', join(nested, 'nope')]);
  t.equal(check.code, 2);
  t.match(check.stderr, /^certharness: reference: --check .*nope: no such directory\n$/);
});
