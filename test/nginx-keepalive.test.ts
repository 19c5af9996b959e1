// The nginx service's keepalive option: nginx tuned as production runs it keeps its upstream
// connections (bench/proxy compares against it), where document 001's proxy opens one per
// request; the upstream's echo numbers the requests of each connection, which shows both. And a
// target URL whose host could end an nginx directive never reaches nginx.conf.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needPeer, runScenariosHere, scratchDir } from './helpers.ts';

t.test('nginx with keepalive reuses its upstream connection; as documented it does not', async (t) => {
  if (!needPeer(t, 'nginx') || !needPeer(t, 'curl')) return;
  const { result, failures } = await runScenariosHere(['test/fixtures/scenarios/nginx-keepalive.yaml']);
  t.strictSame(failures, []);
  t.strictSame(result.scenarios[0]!.steps.map((s) => s.status), ['passed', 'passed', 'passed', 'passed']);
});

t.test('a target nginx.conf cannot hold is refused when the service starts, with the reason', async (t) => {
  if (!needPeer(t, 'nginx')) return;
  const dir = scratchDir(t);
  for (const target of ['https://a;b/', 'https://a}b/', 'ftp://127.0.0.1/']) {
    const file = join(dir, 'target.yaml');
    writeFileSync(file, `scenario: a hostile target\npki:\n  ca: { subject: "CN=H CA", key: ec-p256 }\nservices:\n  bad: { kind: nginx, role: proxy, target: "${target}", trust: ca }\nsteps: []\n`);
    const { failures } = await runScenariosHere([file]);
    t.strictSame(failures, [`a hostile target: service: service bad (nginx) did not start: target "${target}": nginx needs an http(s) URL whose host is a name or an address`], target);
  }
});
