// A daemon is ready when its own process group listens on the port, and only then: another
// program answering on that port is someone else's server, named in the failure.
import t from 'tap';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { startDaemon, waitForPort } from '../src/clients/daemon.ts';
import { heldByGroup, portHolders } from '../src/clients/socket-owner.ts';
import { scratchDir } from './helpers.ts';

const ONLY_LINUX = { skip: process.platform === 'linux' ? false : '/proc is Linux only' };
const LISTEN = "const s = require('net').createServer().listen(0, '127.0.0.1', () => console.log('port', s.address().port));";

t.test("ready when the daemon's own group listens: found among its processes alone", ONLY_LINUX, async (t) => {
  const daemon = startDaemon([process.execPath, '-e', LISTEN], { cwd: scratchDir(t, 'certharness-daemon-'), env: { PATH: process.env.PATH } });
  t.teardown(() => daemon.stop());
  let port = 0;
  while (!port && !daemon.exited()) {
    port = Number(/port (\d+)/.exec(daemon.output())?.[1] ?? 0);
    await delay(10);
  }
  await waitForPort(daemon, '127.0.0.1', port, 60_000);
  t.equal(heldByGroup(port, daemon.pid), true, 'its group holds the port');
  t.equal(heldByGroup(port, process.pid), false, 'and no other group');
  t.ok(portHolders(port)?.some((h) => h.pgid === daemon.pid), 'the full scan agrees');
});

t.test("a port someone else answers on is not the daemon's: the failure names the holder", ONLY_LINUX, async (t) => {
  const other = createServer();
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  t.teardown(() => other.close());
  const port = (other.address() as { port: number }).port;
  // A daemon that never listens.
  const daemon = startDaemon([process.execPath, '-e', 'setInterval(() => {}, 1000)'], { cwd: scratchDir(t, 'certharness-daemon-'), env: { PATH: process.env.PATH } });
  t.teardown(() => daemon.stop());
  await t.rejects(waitForPort(daemon, '127.0.0.1', port, 500), new RegExp(`not listening on 127\\.0\\.0\\.1:${port} after 500ms: .*port ${port} is held by pid ${process.pid} \\(`));
});
