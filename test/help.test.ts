// `--help` after every command and subcommand the top-level help lists: exit 0, the usage on
// standard output, nothing on standard error. Unknown options are one line with the nearest one.
import t from 'tap';
import { runCli, runCliHere } from './helpers.ts';

t.test('--help and -h after every command and subcommand the top-level help names', async (t) => {
  const top = await runCli(['--help']);
  t.equal(top.code, 0);
  const listed = [...top.stdout.matchAll(/^  ([a-z0-9]+(?: [a-z|]+)?)(?: <[^>]*>)?\s{2,}/gm)].map((m) => m[1]!.trim());
  t.ok(listed.length >= 12, `commands listed: ${listed.join('; ')}`);
  const invocations = listed.flatMap((entry) => {
    const [command, subs] = entry.split(' ');
    if (!subs || subs.startsWith('<')) return [[command!]];
    return subs.split('|').map((sub) => [command!, sub]);
  });
  for (const words of invocations) {
    for (const flag of ['--help', '-h']) {
      const r = await runCliHere([...words, flag]);
      t.equal(r.code, 0, `${words.join(' ')} ${flag}: exit 0 (${r.stderr.trim()})`);
      t.match(r.stdout, /^Usage: certharness /, `${words.join(' ')} ${flag}: its usage`);
      t.equal(r.stderr, '', `${words.join(' ')} ${flag}: nothing on stderr`);
    }
  }
});

t.test('an unknown option names the nearest known one; a flag that takes no value says so', async (t) => {
  const cases: [string[], string][] = [
    [['run', 'scenarios', '--tags', 'mtls'], "certharness: run: unknown option --tags (did you mean '--tag'?); see certharness run --help\n"],
    [['run', 'scenarios', '--reporters', 'tap'], "certharness: run: unknown option --reporters (did you mean '--reporter'?); see certharness run --help\n"],
    [['schema', '--foo'], 'certharness: schema: unknown option --foo; see certharness schema --help\n'],
    [['run', 'scenarios', '--bail=yes'], 'certharness: run: --bail takes no value; see certharness run --help\n'],
    [['p12', 'check', 'x.p12', '--passwrd', 'p'], "certharness: p12 check: unknown option --passwrd (did you mean '--password'?); see certharness p12 check --help\n"],
    [['pki', 'lnt', 'a.crt'], "certharness: unknown pki command 'lnt' (did you mean 'lint'?): use pki lint or pki init\n"],
  ];
  for (const [args, stderr] of cases) {
    const r = await runCliHere(args);
    t.equal(r.code, 2, args.join(' '));
    t.equal(r.stderr, stderr);
  }
});
