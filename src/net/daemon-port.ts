// A port for a program that binds it itself and cannot be handed a socket (Pebble and its DNS,
// nginx, Express Gateway, certbot --standalone...). It is chosen below the kernel's ephemeral
// range, so no outgoing connection and no other program's bind to port 0 can take it between the
// choice and the program's own bind; it is one nobody listens on now, and never one this process
// chose before. What is left, another program binding the very same port at that moment, is rare
// enough that callers retry once the program says the address is in use (ADDRESS_IN_USE).
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { randomInt } from 'node:crypto';

/** What a program's failure to bind says, in the words of Go, nginx, Node and Python. */
export const ADDRESS_IN_USE = /address already in use|EADDRINUSE/i;

const LOWEST = 20_000;
const chosen = new Set<number>();

/** The first port of the ephemeral range: Linux's setting, else IANA's 49152 (macOS, the BSDs). */
function ephemeralStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(first) && first > 1024) return first;
  } catch {
    // not Linux
  }
  return 49_152;
}


function bindable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** A free port on host outside the ephemeral range, not chosen before by this process. */
let rangeEnd: number | undefined;

export async function daemonPort(host: string): Promise<number> {
  rangeEnd ??= Math.min(ephemeralStart(), 32_768);
  const low = rangeEnd - LOWEST > 1000 ? LOWEST : 1025;
  for (let tries = 0; tries < 200; tries++) {
    const port = randomInt(low, rangeEnd);
    if (chosen.has(port)) continue;
    chosen.add(port);
    if (await bindable(host, port)) return port;
  }
  throw new Error(`no free port on ${host} between ${low} and ${rangeEnd}`);
}

/**
 * Starts a program on ports start() chooses with daemonPort, again on fresh ones while it fails
 * because one was taken meanwhile: at most `attempts` times (1 when the scenario pinned them).
 * start() must have stopped what it started before it throws.
 */
export async function retryingBusyPorts<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (e) {
      if (attempt >= attempts || !ADDRESS_IN_USE.test((e as Error).message)) throw e;
    }
  }
}
