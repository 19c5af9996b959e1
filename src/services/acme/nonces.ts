// RFC 8555 §6.5 replay nonces: each is good once. Like Pebble, a configurable share of good
// nonces is refused anyway (PEBBLE_WFE_NONCEREJECT), because clients must retry badNonce.
import { randomBytes } from 'node:crypto';
import type { Chance } from './chance.ts';

/** Outstanding nonces kept; older ones are forgotten and then refused as badNonce. */
const MAX_OUTSTANDING = 50_000;

export class NonceService {
  private readonly outstanding = new Set<string>();
  private readonly chance: Chance;
  private readonly rejectPercent: number;
  /** How many good nonces were refused on purpose, for the management view and tests. */
  rejectedOnPurpose = 0;

  constructor(chance: Chance, rejectPercent: number) {
    this.chance = chance;
    this.rejectPercent = rejectPercent;
  }

  issue(): string {
    const nonce = randomBytes(16).toString('base64url');
    this.outstanding.add(nonce);
    if (this.outstanding.size > MAX_OUTSTANDING) this.outstanding.delete(this.outstanding.values().next().value!);
    return nonce;
  }

  /** Consumes the nonce: 'ok', 'unknown' (never issued, used or forgotten) or 'rejected' (chance). */
  redeem(nonce: string): 'ok' | 'unknown' | 'rejected' {
    if (!this.outstanding.delete(nonce)) return 'unknown';
    if (this.chance.percent(this.rejectPercent)) {
      this.rejectedOnPurpose++;
      return 'rejected';
    }
    return 'ok';
  }
}
