// The dependency direction of DESIGN.md, checked: cli -> runner -> steps/services ->
// clients/pki -> scenario. Each folder lists what it may import; a new arrow is a decision to
// write down here, not an accident.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { ROOT } from './helpers.ts';

const ALLOWED: Record<string, string[]> = {
  util: [],
  runtime: [],
  net: [],
  scenario: [],
  expect: ['scenario'],
  pki: ['scenario', 'util'],
  clients: ['pki', 'scenario', 'runtime', 'net', 'util'],
  steps: ['scenario', 'expect', 'pki', 'clients', 'runtime', 'util'],
  services: ['scenario', 'pki', 'clients', 'runtime', 'net', 'util'],
  report: ['runner/events.ts', 'expect', 'scenario', 'util'],
  runner: ['scenario', 'expect', 'pki', 'steps', 'services', 'runtime', 'report/multiplexer.ts', 'util'],
  cli: ['*'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const SRC = join(ROOT, 'src');
t.test('imports follow the layers', async (t) => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const from = relative(SRC, file).split('/')[0]!;
    const allowed = ALLOWED[from];
    t.ok(allowed, `folder src/${from} is listed in the layering rules`);
    if (!allowed || allowed.includes('*')) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/^import\s[^'"]*['"](\.[^'"]+)['"]/gm)) {
      const target = relative(SRC, resolve(dirname(file), m[1]!));
      const to = target.split('/')[0]!;
      if (to === from || allowed.includes(to) || allowed.includes(target)) continue;
      violations.push(`src/${relative(SRC, file)} imports src/${target}`);
    }
  }
  t.strictSame(violations, [], 'no import crosses the layers the wrong way');
});
