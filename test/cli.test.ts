// The CLI as a user meets it: help, version, bad options, --list, --shard, serve --json,
// and the committed JSON Schema.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runCliHere, BIN, ROOT, firstLine, nothingRan, scratchDir } from './helpers.ts';
import { scenarioJsonSchema } from '../src/cli/commands/schema.ts';
import { parse } from 'yaml';

t.test('--help and --version', async (t) => {
  const h = await runCli(['--help']);
  t.equal(h.code, 0);
  t.match(h.stdout, /certharness run scenarios\/\*\.yaml/);
  for (const cmd of ['run', 'validate', 'serve', 'schema', 'merge']) {
    const r = await runCliHere([cmd, '--help']);
    t.equal(r.code, 0, `${cmd} --help`);
    t.match(r.stdout, new RegExp(`Usage: certharness ${cmd}`));
    t.match(r.stdout, /Example/);
  }
  const v = await runCli(['--version']);
  t.equal(v.stdout, `certharness ${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n`);
});

t.test('usage errors: one line, exit 2', async (t) => {
  const cases: [string[], string][] = [
    [['rnu'], "certharness: unknown command 'rnu' (did you mean 'run'?); see certharness --help\n"],
    [['run'], 'certharness: run needs at least one scenario file, e.g. certharness run scenarios/*.yaml\n'],
    [['run', 'nope.yaml'], 'certharness: nope.yaml: no such file\n'],
    [['run', 'scenarios/zzz-*.yaml'], 'certharness: scenarios/zzz-*.yaml: no file matches\n'],
    [['run', 'test/fixtures/scenarios/passing.yaml', '--shard', '3/2'], 'certharness: --shard 3/2: expected I/N with 1 <= I <= N, e.g. --shard 1/3\n'],
    [['run', 'test/fixtures/scenarios/passing.yaml', '--jobs', '0'], 'certharness: --jobs 0: expected a whole number >= 1\n'],
    [['run', 'test/fixtures/scenarios/passing.yaml', '--timeout', 'soon'], 'certharness: --timeout soon: expected a duration like 30s or 500ms\n'],
    [['run', 'test/fixtures/scenarios/passing.yaml', '--reporter', 'jnuit=x.xml'], "certharness: --reporter jnuit=x.xml: unknown reporter 'jnuit' (did you mean 'junit'?); use console[=PATH], tap[=PATH], junit=PATH, json=PATH or html=DIR\n"],
    [['run', 'test/fixtures/scenarios/passing.yaml', '--reporter', 'tap', '--reporter', 'console'], 'certharness: --reporter console: only one reporter can write to standard output; give the others a file (tap=report.tap)\n'],
    [['run', 'test/fixtures/scenarios/passing.yaml', '--var', 'novalue'], 'certharness: --var novalue: expected NAME=VALUE\n'],
  ];
  for (const [args, stderr] of cases) {
    const r = await runCliHere(args);
    t.equal(r.code, 2, args.join(' '));
    t.equal(r.stderr, stderr);
  }
  const unknownOption = await runCli(['run', 'x.yaml', '--frobnicate']);
  t.equal(unknownOption.code, 2);
  t.equal(unknownOption.stderr, 'certharness: run: unknown option --frobnicate; see certharness run --help\n');
  t.equal(unknownOption.stderr.split('\n').length, 2, 'one line');
});

t.test('--list selects without running; --tag, --grep and --shard select deterministically', async (t) => {
  const files = ['test/fixtures/scenarios/mixed.yaml', 'test/fixtures/scenarios/passing.yaml'];
  const all = await runCliHere(['run', ...files, '--list']);
  t.equal(all.code, 0);
  t.match(all.stdout, /2 of 2 scenarios selected/);
  const tagged = await runCliHere(['run', ...files, '--list', '--tag', 'mixed']);
  t.match(tagged.stdout, /^test\/fixtures\/scenarios\/mixed\.yaml\t/);
  t.match(tagged.stdout, /1 of 2 scenarios selected/);
  const grep = await runCliHere(['run', ...files, '--list', '--grep', 'everything']);
  t.match(grep.stdout, /^test\/fixtures\/scenarios\/passing\.yaml\t/);
  const a = await runCliHere(['run', ...files.reverse(), '--list', '--shard', '1/2']);
  const b = await runCliHere(['run', ...files, '--list', '--shard', '1/2']);
  t.equal(a.stdout, b.stdout, 'the split does not depend on argument order');
});

t.test('a run that selects nothing, or a --var nothing reads, is exit 2 and runs nothing', async (t) => {
  const files = ['test/fixtures/scenarios/mixed.yaml', 'test/fixtures/scenarios/passing.yaml'];
  const typo = await runCliHere(['run', ...files, '--tag', 'mixd',]);
  t.equal(typo.code, 2, 'a misspelt tag: exit 2, not a green 1..0');
  t.match(typo.stderr, /^certharness: no scenario selected: --tag mixd matched none of the 2 scenario\(s\) \(did you mean 'mixed'\?\); tags in use: /);
  nothingRan(t, typo.stdout);
  const grep = await runCliHere(['run', ...files, '--grep', 'no such title']);
  t.equal(grep.code, 2);
  t.match(grep.stderr, /no scenario selected: --grep no such title/);
  const unused = await runCliHere(['run', 'test/fixtures/scenarios/passing.yaml', '--var', 'greting=hi']);
  t.equal(unused.code, 2, 'a --var no scenario reads: exit 2');
  t.match(unused.stderr, /^certharness: --var greting: no selected scenario reads \{\{vars\.greting\}\} \(did you mean 'greeting'\?\)/);
});

t.test('a run in which every scenario was skipped checked nothing: exit 1, the reports show each skip, stderr says why', async (t) => {
  const dir = scratchDir(t, 'certharness-skips-');
  const write = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
  const missing = write('missing.yaml', 'scenario: a peer that is not here\nrequires: [certharness-no-such-peer]\nsteps:\n  - name: never\n    exec: ["true"]\n');
  const skipped = write('skipped.yaml', 'scenario: every step skipped\nsteps:\n  - name: not today\n    skip: the reason\n    exec: ["true"]\n');
  const passing = write('passing.yaml', 'scenario: one that runs\nsteps:\n  - name: runs\n    exec: ["true"]\n');
  const env = { CI: '' };
  const none = await runCliHere(['run', missing, skipped, '--reporter', `junit=${join(dir, 'none.xml')}`], { env });
  t.equal(none.code, 1, 'nothing was checked: not a green run');
  t.equal(none.stderr, 'certharness: nothing was checked: every selected scenario was skipped (a peer that is not here: certharness-no-such-peer not found: install certharness-no-such-peer; every step skipped: every step is skipped)\n');
  const junit = readFileSync(join(dir, 'none.xml'), 'utf8');
  t.equal(junit.match(/<skipped message="/g)?.length, 2, 'the JUnit report shows both skipped, with why');
  t.match(junit, /<skipped message="certharness-no-such-peer not found/);
  const some = await runCliHere(['run', missing, passing], { env });
  t.equal(some.code, 0, 'a skip beside a pass is still a green run');
  t.equal(some.stderr, '');
});

t.test('--var overrides vars and --keep keeps the work directory with 0700 and 0600 keys', async (t) => {
  const r = await runCli(['run', 'test/fixtures/scenarios/passing.yaml', '--var', 'greeting=bonjour', '--keep', '--reporter', 'console']);
  t.equal(r.code, 1, 'the expectation of "hello" now fails');
  t.match(r.stdout, /actual   "bonjour\\n"/);
  const kept = /work directory kept: (\S+)/.exec(r.stdout)?.[1];
  t.ok(kept && existsSync(kept), 'the kept directory exists');
  t.equal(statSync(kept!).mode & 0o777, 0o700);
  t.equal(statSync(join(kept!, 'pki', 'leaf.key')).mode & 0o777, 0o600);
  t.equal(statSync(join(kept!, 'pki', 'leaf.crt')).mode & 0o777, 0o644);
  t.equal(statSync(join(kept!, 'pki')).mode & 0o777, 0o700);
  t.ok(readdirSync(join(kept!, 'pki')).includes('ca.crt'));
});

t.test('serve --json prints the world once it is up, and Ctrl-C removes it', async (t) => {
  const child = spawn(process.execPath, [BIN, 'serve', 'test/fixtures/scenarios/passing.yaml', '--json'], { cwd: ROOT });
  const line = await firstLine(child);
  const world = JSON.parse(line);
  t.ok(existsSync(world.workDir));
  t.ok(existsSync(world.pki.leaf.certFile));
  t.notOk('keyPem' in world.pki.leaf, 'no key material in the JSON');
  t.strictSame(world.services, {});
  t.equal(world.stepsNotRun, 3, 'serve says it ran none of the steps');
  const code = await new Promise<number | null>((resolve) => {
    child.on('close', resolve);
    child.kill('SIGINT');
  });
  t.equal(code, 0);
  t.notOk(existsSync(world.workDir), 'teardown removed the work directory');
});

t.test("serve names the services only a step starts, rather than printing an empty world (document 002's replay)", async (t) => {
  const child = spawn(process.execPath, [BIN, 'serve', 'scenarios/002-grpc-replay.yaml', '--json'], { cwd: ROOT });
  const world = JSON.parse(await firstLine(child));
  t.ok(Object.keys(world.notStarted).length > 0, `not started: ${Object.keys(world.notStarted).join(', ')}`);
  for (const why of Object.values(world.notStarted)) t.match(why, /start: step/);
  t.ok(world.stepsNotRun > 0);
  const code = await new Promise<number | null>((resolve) => (child.on('close', resolve), child.kill('SIGINT')));
  t.equal(code, 0);
});

t.test('serve <kind> starts that service with its own PKI', async (t) => {
  const child = spawn(process.execPath, [BIN, 'serve', 'upstream', '--json'], { cwd: ROOT });
  const line = await firstLine(child);
  const world = JSON.parse(line);
  t.match(world.services.upstream.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  t.ok(existsSync(world.pki.client.certFile));
  const code = await new Promise<number | null>((resolve) => (child.on('close', resolve), child.kill('SIGTERM')));
  t.equal(code, 0);
  const typo = await runCliHere(['serve', 'upstrem']);
  t.equal(typo.code, 2);
  t.equal(typo.stderr, "certharness: upstrem: no such file, and not a service kind (did you mean 'upstream'?)\n");
});

t.test('schema/scenario.schema.json is what `certharness schema` prints', async (t) => {
  const committed = JSON.parse(readFileSync(join(ROOT, 'schema', 'scenario.schema.json'), 'utf8'));
  t.strictSame(committed, scenarioJsonSchema(), 'regenerate with: node bin/certharness schema > schema/scenario.schema.json');
  const r = await runCliHere(['schema']);
  t.strictSame(JSON.parse(r.stdout), committed);
});

t.test('output through a pipe: a slow reader gets all of it, a reader that stops early gets no stack trace', async (t) => {
  const expected = readFileSync(join(ROOT, 'schema', 'scenario.schema.json')).length; // bytes, as the pipe delivers them
  const slow = spawn(process.execPath, [BIN, 'schema'], { cwd: ROOT });
  // After the first chunk, read nothing for a while: the pipe fills, and the rest waits in the
  // child's write queue.
  let got = 0;
  slow.stdout.on('data', (d: Buffer) => {
    if (got === 0) {
      slow.stdout.pause();
      setTimeout(() => slow.stdout.resume(), 500);
    }
    got += d.length;
  });
  const code = await new Promise((r) => slow.on('close', r));
  t.equal(code, 0);
  t.equal(got, expected, 'the whole schema arrived');

  const early = spawn(process.execPath, [BIN, 'schema'], { cwd: ROOT });
  let stderr = '';
  early.stderr.on('data', (d) => (stderr += d));
  early.stdout.once('data', () => early.stdout.destroy());
  const earlyCode = await new Promise((r) => early.on('close', r));
  t.equal(earlyCode, 0, 'a closed pipe ends the command quietly');
  t.equal(stderr, '', 'no EPIPE stack trace');
});

t.test('every program a bundled scenario\'s exec steps run is in its requires:, so a machine without it skips rather than fails', async (t) => {
  const programs = ['openssl', 'curl', 'nginx', 'pebble', 'certbot', 'lego', 'python3'];
  for (const f of readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml'))) {
    const doc = parse(readFileSync(join(ROOT, 'scenarios', f), 'utf8')) as { requires?: string[]; steps?: { exec?: unknown }[] };
    const run = (doc.steps ?? []).filter((st) => st.exec !== undefined).map((st) => JSON.stringify(st.exec)).join('\n');
    const used = programs.filter((p) => new RegExp(`(^|[^\\w./-])${p}\\b`).test(run));
    t.strictSame(used.filter((p) => !(doc.requires ?? []).includes(p)), [], `${f}: requires ${used.join(', ') || 'nothing'}`);
  }
});

t.test('every bundled scenario starts with the schema modeline and validates', async (t) => {
  const files = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml'));
  t.ok(files.length > 0);
  for (const f of files) {
    const first = readFileSync(join(ROOT, 'scenarios', f), 'utf8').split('\n')[0];
    t.equal(first, '# yaml-language-server: $schema=../schema/scenario.schema.json', f);
  }
  const r = await runCliHere(['validate', 'scenarios']);
  t.equal(r.code, 0, r.stderr);
});
