// Certificates declared `revoked:` are revoked before anything runs: a fixture that is revoked
// but not expired, at the CA item that issued it, exactly as a `revoke` step would do it.
import { x509 } from './crypto.ts';
import { issuingCa } from './crl.ts';
import type { PkiDecl, PkiItems } from './build.ts';
import type { CertificateDecl } from './declare.ts';
import type { Revocations } from './revocations.ts';

export async function revokeDeclared(decls: Record<string, PkiDecl>, pki: PkiItems, revocations: Revocations, now: Date): Promise<void> {
  for (const [name, d] of Object.entries(decls)) {
    const revoked = d.kind === 'default' ? (d.spec as CertificateDecl).revoked : undefined;
    if (revoked === undefined || revoked === false) continue;
    const item = pki[name];
    if (item?.kind !== 'certificate') continue; // not made: the build said why
    const issuer = issuingCa(item, pki);
    if (!issuer) throw Object.assign(new Error(`${name} is revoked: but no CA item of this scenario issued it, so none can revoke it`), { item: name });
    const reason = revoked === true ? 'unspecified' : revoked;
    await revocations.revoke(issuer, { serialHex: item.certificate.serialNumber, date: now, reason: x509.X509CrlReason[reason] }, now);
  }
}
