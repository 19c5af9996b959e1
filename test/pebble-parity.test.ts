// Where a client could notice, certharness's ACME CA answers as the real Pebble does: the same
// scenario steps, one against each, expect the same problem.
import t from 'tap';
import { needPeer, runCli } from './helpers.ts';

t.test('CSR names: the real Pebble and our acme service give the same problem type, status and words', async (t) => {
  if (!needPeer(t, 'pebble') || !needPeer(t, 'openssl')) return;
  const r = await runCli(['run', 'test/fixtures/scenarios/pebble-parity.yaml', '--reporter', 'tap']);
  t.equal(r.code, 0, r.stdout);
  t.match(r.stdout, /# tests 6: passed 6, failed 0/);
});
