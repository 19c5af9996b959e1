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

const TABLES = { ipv4: '/proc/net/tcp', ipv6: '/proc/net/tcp6' } as const;

/** Sockets listening on `port` (TCP state 0A, IPv4 and IPv6): local address as /proc writes it (0100007F is 127.0.0.1), and inode. */
export function listeningSockets(port: number, families: (keyof typeof TABLES)[] = ['ipv4', 'ipv6']): { address: string; inode: string }[] {
  const sockets: { address: string; inode: string }[] = [];
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const family of families) {
    for (const line of readProcTable(TABLES[family]).split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1]!.endsWith(`:${hex}`) && f[3] === '0A') sockets.push({ address: f[1]!.split(':')[0]!, inode: f[9]! });
    }
  }
  return sockets;
}

/** A /proc/net table's text, '' where it is missing. Each read of one walks the kernel's whole socket hash. */
function readProcTable(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

/** The processes holding a socket listening on `port`, or undefined where /proc cannot tell. */
export function portHolders(port: number): PortHolder[] | undefined {
  return holdersAmong(port, () => true);
}

/**
 * Whether a process of group `pgid` holds a socket listening on `port` (undefined where /proc
 * cannot tell). Reads the descriptors of that group's processes only: a daemon's start asks
 * this once it answers, and the harness itself holds hundreds of descriptors.
 */
export function heldByGroup(port: number, pgid: number): boolean | undefined {
  // IPv4 first, as daemons here listen on 127.0.0.1: the IPv6 table is read only if that fails.
  const held = (families: (keyof typeof TABLES)[]) => holdersAmong(port, (group) => group === pgid, families);
  const ipv4 = held(['ipv4']);
  return ipv4 && (ipv4.length > 0 || held(['ipv6'])!.length > 0);
}

function holdersAmong(port: number, inGroup: (pgid: number) => boolean, families?: (keyof typeof TABLES)[]): PortHolder[] | undefined {
  if (!existsSync(TABLES.ipv4)) return undefined;
  const inodes = new Set(listeningSockets(port, families).map((s) => s.inode));
  if (!inodes.size) return [];
  const holders: PortHolder[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const pgid = processGroup(pid);
    if (pgid === undefined || !inGroup(pgid) || !holdsSocket(pid, inodes)) continue;
    try {
      holders.push({ pid: Number(pid), command: readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), pgid });
    } catch {
      /* exited meanwhile */
    }
  }
  return holders;
}

function processGroup(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined; // exited meanwhile
  }
}

function holdsSocket(pid: string, inodes: Set<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  return fds.some((fd) => {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      return m !== null && inodes.has(m[1]!);
    } catch {
      return false;
    }
  });
}

/** "pid 123 (nginx)", for messages. */
export function describeHolders(holders: PortHolder[]): string {
  return holders.map((h) => `pid ${h.pid} (${h.command})`).join(', ');
}
