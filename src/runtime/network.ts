// The one place that says where certharness may listen and what it may dial: loopback
// (127.0.0.0/8, ::1, localhost) and nothing else. Every listener and every validator dial
// asks here, so widening it is one decision, not a search.
import { isIP } from 'node:net';

/** The canonical form of a host: IPv4 in dotted decimal ("0" -> "0.0.0.0", "127.1" -> "127.0.0.1"), IPv6 compressed, names lower-cased. */
export function canonicalHost(host: string): string {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1');
  if (bare === '' || bare === '*') return '0.0.0.0';
  try {
    const url = new URL(`http://${bare.includes(':') ? `[${bare}]` : bare}/`);
    return url.hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return bare.toLowerCase();
  }
}

/** 0.0.0.0 and :: — "every interface". */
export function isUnspecified(host: string): boolean {
  const h = canonicalHost(host);
  return h === '0.0.0.0' || h === '::';
}

export function isLoopback(host: string): boolean {
  const h = canonicalHost(host);
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  // IPv4-mapped (::ffff:127.0.0.1), which URL writes as ::ffff:7f00:1.
  const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(h);
  return mapped !== null && parseInt(mapped[1]!, 16) >> 8 === 127;
}

/**
 * The address to listen on for a host a config names: "every interface" (0.0.0.0, ::, *, 0)
 * becomes 127.0.0.1, a loopback address stays; anything else is refused with why.
 */
export function loopbackListenHost(host: string): string {
  if (isUnspecified(host)) return '127.0.0.1';
  if (isLoopback(host)) return canonicalHost(host);
  throw new NotLoopbackError(`${host} is not a loopback address: certharness listens on 127.0.0.0/8 and ::1 only`);
}

export class NotLoopbackError extends Error {
  readonly code = 'NOT_LOOPBACK';
}
