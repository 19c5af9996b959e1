// Document 001's scenarios through the real CLI: our upstream against real curl, our proxy
// against real nginx as the terminator, real nginx as the proxy in front of our upstream.
import t from 'tap';
import { runCli, needPeer } from './helpers.ts';

for (const file of ['scenarios/001-mtls-upstream.yaml', 'scenarios/001-proxy.yaml', 'scenarios/001-nginx.yaml']) {
  t.test(file, async (t) => {
    if (!needPeer(t, 'curl')) return;
    if (file.includes('nginx') && !needPeer(t, 'nginx')) return;
    const r = await runCli(['run', file, '--reporter', 'tap']);
    t.equal(r.code, 0, r.stdout.split('\n').filter((l) => /not ok|message:|actual:/.test(l)).join('\n'));
    t.notMatch(r.stdout, /# SKIP/, 'nothing skipped on Node');
  });
}
