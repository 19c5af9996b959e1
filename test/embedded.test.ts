// src/util/embedded.ts carries copies for the single binary; they must equal their sources.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION, BUNDLED_PROTOS } from '../src/util/embedded.ts';
import { ROOT } from './helpers.ts';

t.test('embedded copies equal package.json and fixtures/proto (regenerate: node test/generate-embedded.mjs)', async (t) => {
  t.equal(VERSION, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  for (const [name, text] of Object.entries(BUNDLED_PROTOS)) t.equal(text, readFileSync(join(ROOT, 'fixtures', 'proto', name), 'utf8'), name);
});
