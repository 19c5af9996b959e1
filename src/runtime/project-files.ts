// Files shipped with certharness (fixtures/proto, schema): found from this module's location,
// which is src/runtime/ when Bun or Deno run the sources and dist/src/runtime/ under Node.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function projectFile(...parts: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, ...parts);
    if (existsSync(candidate)) return candidate;
    dir = resolve(dir, '..');
  }
  throw new Error(`certharness is missing its own file ${join(...parts)}`);
}
