// docs/ci.md's recipes must work as written: their run and merge lines are run shard by shard
// through the shell, as the CI would, and the merged JUnit report must count what one
// unsharded run counts.
import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, FIXTURES, ROOT, scratchDir, needPeer } from './helpers.ts';

const recipes = [...readFileSync(join(ROOT, 'docs', 'ci.md'), 'utf8').matchAll(/```yaml\n([^]*?)```/g)].map((m) => m[1]!);

/** The certharness lines of a recipe, as the shell would get them. */
function certharnessLines(recipe: string): string[] {
  return recipe
    .split('\n')
    .map((line) => /^\s*-\s+(?:run:\s+)?(npx certharness .*)$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined)
    .map((line) => line.replace(/^npx /, ''));
}

/** A project with four scenarios and `certharness` on PATH, as after `npm ci`. */
function project(t: Test): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = scratchDir(t);
  mkdirSync(join(dir, 'scenarios'));
  for (const name of ['a', 'b', 'c', 'd']) copyFileSync(join(FIXTURES, 'scenarios', 'passing.yaml'), join(dir, 'scenarios', `${name}.yaml`));
  mkdirSync(join(dir, 'bin'));
  const shim = join(dir, 'bin', 'certharness');
  writeFileSync(shim, `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
  chmodSync(shim, 0o755);
  return { dir, env: { ...process.env, CI: 'true', PATH: `${join(dir, 'bin')}:${process.env.PATH}` } };
}

/** A line through the shell, as a CI job runs it; resolves when it ends. */
function sh(line: string, dir: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', line], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}
const testcases = (xml: string) => (xml.match(/<testcase /g) ?? []).length;

/** The testcases of one unsharded run of the same four scenarios, which each recipe's merge must match. */
let unsharded: Promise<number> | undefined;
function unshardedCount(): Promise<number> {
  unsharded ??= (async () => {
    const { dir, env } = project(t);
    const whole = await sh('certharness run scenarios/*.yaml --reporter junit=whole.xml', dir, env);
    if (whole.status !== 0) throw new Error(`the unsharded run failed: ${whole.stderr}`);
    return testcases(readFileSync(join(dir, 'whole.xml'), 'utf8'));
  })();
  return unsharded;
}

async function checkRecipe(t: Test, recipe: string, shardLine: (line: string, shard: number) => { line: string; env: NodeJS.ProcessEnv }) {
  const { dir, env } = project(t);
  const [run, merge] = certharnessLines(recipe);
  t.match(run, /^certharness run .*--shard .*json=/, 'a sharded run line with a JSON report');
  t.match(merge, /^certharness merge .*junit=report\.xml/, 'a merge line writing JUnit');
  const expected = unshardedCount();
  expected.catch(() => undefined); // awaited below; a failure fails the test there
  // The shards run at once, as a CI matrix runs its jobs.
  const shards = await Promise.all([1, 2, 3].map((shard) => {
    const { line, env: extra } = shardLine(run!, shard);
    return sh(line, dir, { ...env, ...extra });
  }));
  shards.forEach((r, i) => t.equal(r.status, 0, `shard ${i + 1}: ${r.stderr}`));
  const m = await sh(merge!, dir, env);
  t.equal(m.status, 0, m.stderr);
  const merged = readFileSync(join(dir, 'report.xml'), 'utf8');
  t.equal(testcases(merged), await expected, 'the merged report counts what one run counts');
  t.equal((merged.match(/<testsuite /g) ?? []).length, 4, 'every scenario, once');
  if (needPeer(t, 'xmllint')) t.equal(spawnSync('xmllint', ['--noout', '--schema', join(FIXTURES, 'junit-10.xsd'), join(dir, 'report.xml')]).status, 0, 'the merged JUnit validates');
}

t.test('the GitHub Actions recipe: a matrix of shards and a merge job', async (t) => {
  const recipe = recipes.find((r) => r.startsWith('# .github/workflows/'));
  t.ok(recipe, 'docs/ci.md has the GitHub recipe');
  await checkRecipe(t, recipe!, (line, shard) => ({ line: line.replaceAll('${{ matrix.shard }}', String(shard)), env: {} }));
});

t.test('the GitLab recipe: parallel jobs and a merge job', async (t) => {
  const recipe = recipes.find((r) => r.startsWith('# .gitlab-ci.yml'));
  t.ok(recipe, 'docs/ci.md has the GitLab recipe');
  await checkRecipe(t, recipe!, (line, shard) => ({ line, env: { CI_NODE_INDEX: String(shard), CI_NODE_TOTAL: '3' } }));
});
