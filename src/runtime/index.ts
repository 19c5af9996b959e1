// Everything that differs between Node, Bun and Deno lives here; the rest of the code uses
// standard or node: APIs only. See docs/runtimes.md for what differs and why.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/**
 * Whether node:tls clients send status_request when asked (requestOCSP). Bun's and Deno's do
 * not (observed with Bun 1.4.5 and Deno 2.9.5: nginx and our upstream staple to curl and to
 * Node, and send those runtimes nothing), so there "no staple came" would be untrue.
 */
export function tlsClientAsksForStaple(): boolean {
  return runtimeInfo().name === 'node';
}

/**
 * Where an npm package peer (`npm:express-gateway`) is installed: `<peersDir>/<name>/node_modules/<name>`,
 * with peersDir from CERTHARNESS_PEERS_DIR or build/peers of the checkout (`npm run peers` fills it).
 * These are programs we test against, kept out of certharness's own dependencies.
 */
export function npmPeerDir(name: string, env: Record<string, string | undefined>): string | undefined {
  const roots = [env.CERTHARNESS_PEERS_DIR, checkoutRoot() && join(checkoutRoot()!, 'build', 'peers'), join(process.cwd(), 'build', 'peers')].filter((r): r is string => Boolean(r));
  for (const root of roots) {
    const dir = join(root, name, 'node_modules', name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

/** A peer is a program on PATH, or `npm:<package>` installed as npmPeerDir finds it. */
export function peerAvailable(peer: string, env: Record<string, string | undefined>): boolean {
  return peer.startsWith('npm:') ? Boolean(npmPeerDir(peer.slice(4), env)) : Boolean(which(peer, env.PATH ?? ''));
}

/** The certharness checkout this module runs from (src/ or dist/src/), if it is one. */
function checkoutRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && /"name":\s*"certharness"/.test(readFileSync(pkg, 'utf8'))) return dir;
    dir = dirname(dir);
  }
  return undefined;
}
