// Who listens on a loopback TCP port, read from Linux's /proc: a daemon is up only when its own
// process group holds the listening socket, not merely when something answers on the port (a
// stale server from a killed run, or another program on a pinned port). Elsewhere, unknown.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface PortHolder {
  pid: number;
  command: string;
  /** Process group: a daemon we started leads its own. */
  pgid: number;
}

/** Sockets listening on `port` (TCP state 0A, IPv4 and IPv6): local address as /proc writes it (0100007F is 127.0.0.1), and inode. */
export function listeningSockets(port: number): { address: string; inode: string }[] {
  const sockets: { address: string; inode: string }[] = [];
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1]!.endsWith(`:${hex}`) && f[3] === '0A') sockets.push({ address: f[1]!.split(':')[0]!, inode: f[9]! });
    }
  }
  return sockets;
}

/** The processes holding a socket listening on `port`, or undefined where /proc cannot tell. */
export function portHolders(port: number): PortHolder[] | undefined {
  if (!existsSync('/proc/net/tcp')) return undefined;
  const inodes = new Set(listeningSockets(port).map((s) => s.inode));
  if (!inodes.size) return [];
  const holders: PortHolder[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return m !== null && inodes.has(m[1]!);
      } catch {
        return false;
      }
    });
    if (!holds) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      holders.push({ pid: Number(pid), command: readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), pgid: Number(afterName[2]) });
    } catch {
      /* exited meanwhile */
    }
  }
  return holders;
}

/** "pid 123 (nginx)", for messages. */
export function describeHolders(holders: PortHolder[]): string {
  return holders.map((h) => `pid ${h.pid} (${h.command})`).join(', ');
}
