// Everything that differs between Node, Bun and Deno lives here; the rest of the code uses
// standard or node: APIs only. See README "Runtimes" for what differs and why.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface RuntimeInfo {
  name: 'node' | 'bun' | 'deno';
  version: string;
  platform: string;
}

declare const Bun: { version: string } | undefined;
declare const Deno: { version: { deno: string } } | undefined;

export function runtimeInfo(): RuntimeInfo {
  if (typeof Bun !== 'undefined') return { name: 'bun', version: Bun.version, platform: process.platform };
  if (typeof Deno !== 'undefined') return { name: 'deno', version: Deno.version.deno, platform: process.platform };
  return { name: 'node', version: process.versions.node, platform: process.platform };
}

/** Full path of an executable on PATH, or undefined: how a missing peer (nginx, pebble) is detected. */
export function which(program: string, path = process.env.PATH ?? ''): string | undefined {
  if (program.includes('/')) return isExecutable(program) ? program : undefined;
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const full = join(dir, program);
    if (isExecutable(full)) return full;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `undici` is the real package. Bun substitutes its own implementation, which ignores
 * custom connectors and the `ca` connect option (observed with Bun 1.4: SELF_SIGNED_CERT_IN_CHAIN
 * with a `ca` that verifies under Node and Deno); HTTPS clients use node:https there.
 */
export function hasNativeUndici(): boolean {
  return runtimeInfo().name !== 'bun';
}
