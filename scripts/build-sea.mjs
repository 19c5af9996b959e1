#!/usr/bin/env node
// Builds certharness as a Node single executable application (SEA): one file that holds this
// Node's binary and the whole program, and runs without Node or node_modules installed.
//
//   npm run build:sea                      # -> build/certharness-node
//   build/certharness-node run scenarios/*.yaml
//
// Three stages, each a well-kept tool: `bun build` bundles the sources and dependencies into
// one CommonJS file (SEA runs a single script and requires built-in modules only); Node writes
// the preparation blob (--experimental-sea-config); postject injects it into a copy of the
// running Node binary. The output is written beside and renamed into place, so a failed build
// never leaves a half-written executable.
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'build', 'sea');
const output = resolve(root, process.argv[2] ?? 'build/certharness-node');
// The fuse Node's binary carries to say "a SEA blob may be injected here" (Node's SEA docs).
const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 18)) {
  console.error(`build-sea: Node ${process.versions.node} is too old; certharness needs >= 20.18`);
  process.exit(2);
}

const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
const bin = (name) => join(root, 'node_modules', '.bin', name);

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const bundle = join(work, 'certharness.cjs');
const blob = join(work, 'certharness.blob');
run(bin('bun'), ['build', 'src/cli/entry.ts', '--target=node', '--format=cjs', '--outfile', bundle]);
const config = join(work, 'sea-config.json');
// useCodeCache: V8 compiles the 4 MB bundle at build time, not at every start.
writeFileSync(config, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }));
run(process.execPath, ['--experimental-sea-config', config]);

const partial = `${output}.partial`;
mkdirSync(dirname(output), { recursive: true });
copyFileSync(process.execPath, partial);
chmodSync(partial, 0o755);
try {
  run(bin('postject'), [partial, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SENTINEL_FUSE]);
  renameSync(partial, output);
} catch (e) {
  rmSync(partial, { force: true });
  throw e;
}
console.log(`build-sea: ${output}`);
