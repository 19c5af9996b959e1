// What a scenario has revoked so far, per issuing CA item: the `revoke` step adds to it and the
// `crl` service serves it. Each change is a new revision of that CA's list, so the CRL number
// increases with every change and repeated downloads of an unchanged list are identical.
import type { x509 } from './crypto.ts';

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

  constructor(started: Date) {
    this.started = started;
  }

  /** Adds a revocation; false when that serial is already revoked by that CA. */
  revoke(issuer: string, r: Revocation, now: Date): boolean {
    const list = this.lists.get(issuer) ?? [];
    if (list.some((e) => e.serialHex === r.serialHex)) return false;
    this.lists.set(issuer, [...list, r]);
    this.revisions.set(issuer, { number: this.revision(issuer).number + 1, since: now });
    return true;
  }

  list(issuer: string): readonly Revocation[] {
    return this.lists.get(issuer) ?? [];
  }

  revision(issuer: string): RevocationRevision {
    return this.revisions.get(issuer) ?? { number: 1, since: this.started };
  }
}
