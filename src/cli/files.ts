// Expands scenario arguments: files, directories (every *.yaml/*.yml inside) and simple
// globs in the last path segment (`scenarios/001-*.yaml`), for shells that do not expand.
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './exit-codes.ts';

const isScenario = (f: string) => /\.ya?ml$/i.test(f);

function globToRegExp(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${re}$`);
}

export function expandScenarioArgs(args: string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (/[*?]/.test(basename(arg))) {
      const dir = dirname(arg);
      const re = globToRegExp(basename(arg));
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        throw new UsageError(`${arg}: no such directory ${dir}`);
      }
      const matches = names.filter((n) => re.test(n)).sort().map((n) => join(dir, n));
      if (!matches.length) throw new UsageError(`${arg}: no file matches`);
      out.push(...matches);
      continue;
    }
    let st;
    try {
      st = statSync(arg);
    } catch {
      throw new UsageError(`${arg}: no such file`);
    }
    if (st.isDirectory()) {
      const found = readdirSync(arg).filter(isScenario).sort().map((n) => join(arg, n));
      if (!found.length) throw new UsageError(`${arg}: directory holds no .yaml scenarios`);
      out.push(...found);
    } else out.push(arg);
  }
  return [...new Set(out)];
}
