// The documentation's examples must work: the README's scenario runs; every YAML block of the
// README and docs/ is a valid scenario or scenario fragment; every certharness command line in
// their shell blocks names a command (and subcommand) and options this version accepts. (The CI
// recipes in docs/ci.md are run as written by ci-recipes.test.ts.)
import t from 'tap';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parse as parseShell } from 'shell-quote';
import { ROOT, runCli, runCliHere, tempDir, needPeer } from './helpers.ts';
import { COMMANDS } from '../src/cli/command-table.ts';

const DOCS = ['README.md', 'ARCHITECTURE.md', 'bench/README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const blocks = (file: string, lang: string) => [...text(file).matchAll(new RegExp('```' + lang + '\\n([^]*?)```', 'g'))].map((m) => m[1]!);

t.test('the README scenario runs and passes', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const scenario = blocks('README.md', 'yaml').find((b) => b.includes('scenario:'));
  t.ok(scenario, 'the README has a scenario');
  const file = join(tempDir(), 'readme.yaml');
  writeFileSync(file, scenario!);
  const r = await runCli(['run', file, '--reporter', 'tap']);
  t.equal(r.code, 0, r.stdout);
});

/** A YAML block as a scenario file: whole scenarios as they are, fragments inside a minimal one. */
function asScenario(block: string): string | undefined {
  if (/^scenario:/m.test(block)) return block;
  if (block.startsWith('pki:')) return `scenario: docs pki\n${block.replace(/certs\/site\.(crt|key)/g, 'site.crt')}steps: []\n`;
  if (!block.startsWith('expect:')) return undefined;
  const alternatives = block.split('\n').filter((line) => line.startsWith('expect:'));
  if (alternatives.length === 1) return `scenario: docs expect\nsteps:\n  - exec: "true"\n${block.replace(/^(?=.)/gm, '    ')}`;
  // One `expect:` per line, each an alternative; refusals and phases are a client step's vocabulary.
  const step = (line: string) => `  - ${/refused|phase/.test(line) ? 'https: { url: "https://localhost:1" }' : 'exec: "true"'}\n    ${line}`;
  return `scenario: docs expect\nsteps:\n${alternatives.map(step).join('\n')}\n`;
}


t.test('every YAML block in the docs is a valid scenario, fragment or CI file', async (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, 'site.crt'), '');
  let n = 0;
  for (const file of DOCS) {
    for (const block of blocks(file, 'yaml')) {
      const scenario = asScenario(block);
      if (scenario === undefined) {
        t.doesNotThrow(() => parseYaml(block), `${file}: a YAML block that parses (${block.split('\n')[0]})`);
        continue;
      }
      const path = join(dir, `block-${++n}.yaml`);
      writeFileSync(path, scenario);
      const r = await runCliHere(['validate', path]);
      t.equal(r.code, 0, `${file}: ${block.split('\n')[0]}: ${r.stderr}`);
    }
  }
  t.ok(n >= 4, `checked ${n} scenario blocks`);
});

const LAUNCHERS = ['certharness', 'npx certharness', 'node bin/certharness', 'build/certharness', 'build/certharness-node', 'npx bun src/cli/entry.ts', 'npx deno run -A src/cli/entry.ts'];

/** The argv of each certharness invocation in a shell block, as the shell would split it (nothing is expanded). */
function invocations(block: string): string[][] {
  return block.replace(/\\\n/g, ' ').split('\n').flatMap(lineInvocations);
}

function lineInvocations(line: string): string[][] {
  const tokens = parseShell(line, (name) => `$${name}`);
  const out: string[][] = [];
  let words: string[] = [];
  const flush = () => {
    const line = words.filter((w) => !/^[A-Z_]+=/.test(w)).join(' ');
    const launcher = LAUNCHERS.filter((l) => line === l || line.startsWith(`${l} `)).sort((a, b) => b.length - a.length)[0];
    if (launcher) out.push(words.filter((w) => !/^[A-Z_]+=/.test(w)).slice(launcher.split(' ').length));
    words = [];
  };
  for (const token of tokens) {
    if (typeof token === 'string') words.push(token);
    else if ('op' in token && token.op !== 'glob') flush();
    else if ('op' in token) words.push(token.pattern);
    else if ('comment' in token) flush();
  }
  flush();
  return out.filter((argv) => argv.length);
}

t.test('every certharness command line in the docs is one this version accepts', async (t) => {
  const lines = DOCS.flatMap((file) => blocks(file, 'sh').flatMap((b) => invocations(b).map((argv) => ({ file, argv }))));
  t.ok(lines.length >= 15, `found ${lines.length} command lines`);
  // With --help appended, the option parser checks every option and prints the help instead of
  // running (a command with subcommands checks the subcommand's name, then prints its help).
  const results: Awaited<ReturnType<typeof runCliHere>>[] = [];
  for (const { argv } of lines) results.push(await runCliHere([...argv, '--help']));
  lines.forEach(({ file, argv }, i) => {
    t.ok(COMMANDS[argv[0]!], `${file}: certharness ${argv[0]} is a command`);
    t.equal(results[i]!.code, 0, `${file}: certharness ${argv.join(' ')}: ${results[i]!.stderr.trim()}`);
    t.match(results[i]!.stdout, /^Usage: certharness /m);
  });
});
