// {{refs}} in command lines: a value is one word wherever it stands and is never read as
// shell syntax, and the displayed command pastes back into a shell as the same words.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellCommand, argumentLine, displayArgv, ShellSyntaxError } from '../src/scenario/command.ts';
import { runCli, scratchDir } from './helpers.ts';

const HOSTILE = `$(touch pwned) \`touch pwned\` "quoted" 'single' \\ back; rm -rf nothing * ?`;
const scope = (values: Record<string, string>) => (root: string, prop: string | undefined) => values[prop ? `${root}.${prop}` : root];

/** What /bin/sh prints, one argument per line, for a script run the way the exec step runs it. */
function sh(script: string, env: Record<string, string>, cwd: string): string[] {
  const r = spawnSync('/bin/sh', ['-c', `${script}`], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  return r.stdout.split('\n').slice(0, -1);
}

t.test('a shell command line: each value is one word, unquoted, in double and in single quotes', async (t) => {
  const dir = scratchDir(t, 'certharness-command-');
  const values = scope({ 'vars.x': HOSTILE, 'ca.certFile': '/tmp/with space/ca.crt' });
  for (const [template, expected] of [
    ['printf "%s\\n" {{vars.x}} {{ca.certFile}}', [HOSTILE, '/tmp/with space/ca.crt']],
    ['printf "%s\\n" "before {{vars.x}} after"', [`before ${HOSTILE} after`]],
    ["printf '%s\\n' 'before {{vars.x}} after'", [`before ${HOSTILE} after`]],
    ['printf "%s\\n" pre{{ca.certFile}}post', ['pre/tmp/with space/ca.crtpost']],
    ['printf "%s\\n" "seen: $(printf "%s" {{ca.certFile}})"', ['seen: /tmp/with space/ca.crt']],
    ['printf "%s\\n" "$(printf "%s" `printf "%s" {{vars.x}} | tr -d " "`)" $((1+2))', [HOSTILE.replace(/ /g, ''), '3']],
  ] as const) {
    const cmd = shellCommand(template, values);
    t.strictSame(sh(cmd.script, cmd.env, dir), expected, `runs: ${template}`);
    t.strictSame(sh(cmd.display, {}, dir), expected, `and the displayed line pastes back: ${cmd.display}`);
    t.notOk(cmd.script.includes('touch'), 'the value is not in the script the shell parses');
  }
  t.notOk(existsSync(join(dir, 'pwned')), 'nothing the value says was run');
  t.equal(shellCommand('cat {{{{literal}} {{ca.certFile}}', values).display, "cat {{literal}} '/tmp/with space/ca.crt'", '{{{{ still writes {{');
});

t.test('an argument line: split like a shell, nothing run, each value inside one argument', async (t) => {
  const values = scope({ 'vars.x': HOSTILE, 'ca.certFile': '/tmp/with space/ca.crt' });
  t.strictSame(argumentLine('req -new -subj "/C=US/O=Example Inc/CN=x" -out a.csr', values), ['req', '-new', '-subj', '/C=US/O=Example Inc/CN=x', '-out', 'a.csr']);
  t.strictSame(argumentLine("x509 -in 'a b.crt' -noout", values), ['x509', '-in', 'a b.crt', '-noout']);
  t.strictSame(argumentLine('verify -CAfile {{ca.certFile}} x{{vars.x}}y', values), ['verify', '-CAfile', '/tmp/with space/ca.crt', `x${HOSTILE}y`]);
  t.strictSame(argumentLine('req -subj /CN=*.example.org -passin pass:$HOME', values), ['req', '-subj', '/CN=*.example.org', '-passin', 'pass:$HOME'], 'globs and $NAME stay as written: no shell expands them');
  t.throws(() => argumentLine('x509 -in a.crt | grep x', values), ShellSyntaxError, 'a pipe needs exec');
  t.strictSame(argumentLine('x509 -in a.crt # a comment', values), ['x509', '-in', 'a.crt']);
  t.equal(displayArgv(['openssl', 'x509', '-in', '/tmp/with space/ca.crt']), "openssl x509 -in '/tmp/with space/ca.crt'");
});

t.test("a run with --var x='$(touch pwned)' and a work directory with a space: nothing is run, every word arrives whole", async (t) => {
  const root = join(scratchDir(t, 'certharness-command-run-'), 'with space');
  mkdirSync(root);
  const scenario = join(root, 'inject.yaml');
  writeFileSync(
    scenario,
    [
      'scenario: values stay values',
      'pki:',
      '  ca: { subject: "/CN=Injection CA", key: ec-p256 }',
      'steps:',
      '  - exec: "printf \'%s|\' {{vars.x}} \\"{{vars.x}}\\" {{ca.certFile}}; test -s {{ca.certFile}}"',
      '    expect: { exit: 0, stdout: "{{vars.x}}|{{vars.x}}|{{ca.certFile}}|" }',
      '  - openssl: x509 -in {{ca.certFile}} -noout -subject',
      '    expect: { stdout: { contains: Injection CA } }',
      '  - exec: { command: [ls, "{{ca.certFile}}"] }',
      '  - name: nothing the value said ran in the work directory',
      '    exec: "test ! -e pwned"',
      '',
    ].join('\n'),
  );
  const report = join(root, 'report.json');
  const r = await runCli(['run', scenario, '--var', 'x=$(touch pwned)', '--reporter', `json=${report}`], { cwd: root, env: { TMPDIR: root } });
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.notOk(existsSync(join(root, 'pwned')), 'the value was not run, here');
  const steps = JSON.parse(readFileSync(report, 'utf8')).scenarios[0].steps;
  t.match(steps[0].result.command, /^printf '%s\|' '\$\(touch pwned\)' "\\\$\(touch pwned\)" '.*with space.*ca\.crt'; test -s '/, 'the command is shown as it would be pasted');
  t.match(steps[1].result.command, /^openssl x509 -in '.*with space.*' -noout -subject$/);
});
