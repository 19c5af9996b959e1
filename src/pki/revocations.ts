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

export class Revocations {
  private readonly lists = new Map<string, Revocation[]>();
  private readonly revisions = new Map<string, RevocationRevision>();
  private readonly started: Date;
  private readonly listeners: RevocationListener[] = [];

  constructor(started: Date) {
    this.started = started;
  }

  /** Adds a revocation and waits until every listener has caught up; false when that serial is already revoked by that CA. */
  async revoke(issuer: string, r: Revocation, now: Date): Promise<boolean> {
    const list = this.lists.get(issuer) ?? [];
    if (list.some((e) => e.serialHex === r.serialHex)) return false;
    this.lists.set(issuer, [...list, r]);
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
    return this.lists.get(issuer) ?? [];
  }

  revision(issuer: string): RevocationRevision {
    return this.revisions.get(issuer) ?? { number: 1, since: this.started };
  }
}
