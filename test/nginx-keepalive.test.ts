// The nginx service's keepalive option: nginx tuned as production runs it keeps its upstream
// connections (bench/proxy compares against it), where document 001's proxy opens one per
// request; the upstream's echo numbers the requests of each connection, which shows both.
import t from 'tap';
import { needPeer, runScenariosHere } from './helpers.ts';

t.test('nginx with keepalive reuses its upstream connection; as documented it does not', async (t) => {
  if (!needPeer(t, 'nginx') || !needPeer(t, 'curl')) return;
  const { result, failures } = await runScenariosHere(['test/fixtures/scenarios/nginx-keepalive.yaml']);
  t.strictSame(failures, []);
  t.strictSame(result.scenarios[0]!.steps.map((s) => s.status), ['passed', 'passed', 'passed', 'passed']);
});
