// The dependency direction of DESIGN.md, checked: cli -> runner -> steps/services ->
// clients/pki -> scenario. Each folder lists what it may import; a new arrow is a decision to
// write down here, not an accident.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import ts from 'typescript';
import { ROOT } from './helpers.ts';

const ALLOWED: Record<string, string[]> = {
  util: [],
  runtime: [],
  net: [],
  scenario: ['util'],
  expect: ['scenario'],
  pki: ['scenario', 'util'],
  clients: ['pki', 'scenario', 'runtime', 'net', 'util'],
  steps: ['scenario', 'expect', 'pki', 'clients', 'simulate', 'catalogue', 'runtime', 'util'],
  services: ['scenario', 'pki', 'clients', 'catalogue', 'runtime', 'net', 'util'],
  report: ['runner/events.ts', 'simulate/timeline-svg.ts', 'expect', 'scenario', 'util'],
  runner: ['scenario', 'expect', 'pki', 'steps', 'services', 'runtime', 'net', 'report/multiplexer.ts', 'util'],
  catalogue: [],
  simulate: ['scenario', 'pki', 'clients', 'services', 'runtime', 'net', 'util'],
  cli: ['*'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The relative modules a file imports, as TypeScript reads them: import and export ... from, side-effect imports, import(). */
function relativeImports(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.'));
}

const SRC = join(ROOT, 'src');
t.test('imports follow the layers', async (t) => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const from = relative(SRC, file).split('/')[0]!;
    const allowed = ALLOWED[from];
    t.ok(allowed, `folder src/${from} is listed in the layering rules`);
    if (!allowed || allowed.includes('*')) continue;
    for (const specifier of relativeImports(readFileSync(file, 'utf8'))) {
      const target = relative(SRC, resolve(dirname(file), specifier));
      const to = target.split('/')[0]!;
      if (to === from || allowed.includes(to) || allowed.includes(target)) continue;
      violations.push(`src/${relative(SRC, file)} imports src/${target}`);
    }
  }
  t.strictSame(violations, [], 'no import crosses the layers the wrong way');
});

t.test('every form of import is read', async (t) => {
  const text = ["import {\n  a,\n  b,\n} from '../one.ts';", "export { c } from '../two.ts';", "export * from '../three.ts';", "import '../four.ts';", "const m = await import('../five.ts');", "import type { T } from '../six.ts';", "import x from 'npm-package';"].join('\n');
  t.strictSame(relativeImports(text).sort(), ['../five.ts', '../four.ts', '../one.ts', '../six.ts', '../three.ts', '../two.ts']);
});
