// What a scenario has revoked so far, per issuing CA item: the `revoke` step adds to it; the
// `crl` service serves it, the CRL files (`{{ca.crlFile}}`) and the upstream's `crl:` follow it.
// Each change is a new revision of that CA's list, so the CRL number increases with every change
// and repeated downloads of an unchanged list are identical.
import type { x509 } from './crypto.ts';

/** Told of each change to a CA's list; the revoke step waits for every one. */
export type RevocationListener = (issuer: string) => Promise<void> | void;

export interface Revocation {
  serialHex: string;
  date: Date;
  reason?: x509.X509CrlReason;
}

export interface RevocationRevision {
  /** The CRL number: 1 for the empty list, one more for each revocation. */
  number: number;
  /** When the list last changed: the CRL's thisUpdate. */
  since: Date;
}

/** One spelling per serial: lower case, without leading zeros ("0A" and "a" are one serial). */
export const serialKey = (serialHex: string) => serialHex.toLowerCase().replace(/^0+(?=.)/, '');

export class Revocations {
  /** Per CA item, by serialKey, in the order revoked. */
  private readonly lists = new Map<string, Map<string, Revocation>>();
  private readonly revisions = new Map<string, RevocationRevision>();
  private readonly started: Date;
  private readonly listeners: RevocationListener[] = [];

  constructor(started: Date) {
    this.started = started;
  }

  /** Adds a revocation and waits until every listener has caught up; false when that serial is already revoked by that CA. */
  async revoke(issuer: string, r: Revocation, now: Date): Promise<boolean> {
    const list = this.lists.get(issuer) ?? new Map<string, Revocation>();
    if (list.has(serialKey(r.serialHex))) return false;
    list.set(serialKey(r.serialHex), r);
    this.lists.set(issuer, list);
    this.revisions.set(issuer, { number: this.revision(issuer).number + 1, since: now });
    await Promise.all(this.listeners.map((listen) => listen(issuer)));
    return true;
  }

  /** Calls the listener after each change; returns the function that stops it. */
  subscribe(listener: RevocationListener): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  list(issuer: string): readonly Revocation[] {
    return [...(this.lists.get(issuer)?.values() ?? [])];
  }

  /** The revocation of this serial at this CA, if there is one. */
  find(issuer: string, serialHex: string): Revocation | undefined {
    return this.lists.get(issuer)?.get(serialKey(serialHex));
  }

  revision(issuer: string): RevocationRevision {
    return this.revisions.get(issuer) ?? { number: 1, since: this.started };
  }
}
