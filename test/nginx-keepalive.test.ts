// The nginx service's keepalive option: nginx tuned as production runs it keeps its upstream
// connections (bench/proxy compares against it), where document 001's proxy opens one per
// request; the upstream's echo numbers the requests of each connection, which shows both. And a
// target URL whose host could end an nginx directive never reaches nginx.conf.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needPeer, runCliHere, runScenariosHere, scratchDir } from './helpers.ts';

t.test('nginx with keepalive reuses its upstream connection; as documented it does not', async (t) => {
  if (!needPeer(t, 'nginx') || !needPeer(t, 'curl')) return;
  const { result, failures } = await runScenariosHere(['test/fixtures/scenarios/nginx-keepalive.yaml']);
  t.strictSame(failures, []);
  t.strictSame(result.scenarios[0]!.steps.map((s) => s.status), ['passed', 'passed', 'passed', 'passed', 'passed']);
});

t.test('a target nginx.conf cannot hold is refused: at load with its position, or at start when a reference makes it', async (t) => {
  const dir = scratchDir(t);
  const scenario = (target: string, vars = '') => `scenario: a hostile target\n${vars}pki:\n  ca: { subject: "CN=H CA", key: ec-p256 }\nservices:\n  bad: { kind: nginx, role: proxy, target: "${target}", trust: ca }\nsteps: []\n`;
  for (const target of ['https://a;b/', 'https://a}b/', 'ftp://127.0.0.1/']) {
    const file = join(dir, 'literal.yaml');
    writeFileSync(file, scenario(target));
    const r = await runCliHere(['validate', file]);
    t.equal(r.code, 2, `${target}: exit 2`);
    t.equal(r.stderr, `${file}:5:44: services.bad.target is not an http(s) URL whose host is a name or an address, as nginx needs\n1 problem; nothing was run\n`, target);
  }
  if (!needPeer(t, 'nginx')) return;
  const file = join(dir, 'referenced.yaml');
  writeFileSync(file, scenario('{{vars.upstream}}', 'vars:\n  upstream: "https://a;b/"\n'));
  const { failures } = await runScenariosHere([file]);
  t.strictSame(failures, ['a hostile target: service: service bad (nginx) did not start: target "https://a;b/" is not an http(s) URL whose host is a name or an address, as nginx needs']);
});
