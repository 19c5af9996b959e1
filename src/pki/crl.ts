// Certificate revocation lists signed by a CA item (RFC 5280 §5), with cRLNumber and
// authorityKeyIdentifier as conforming issuers write them.
import { AsnConvert } from '@peculiar/asn1-schema';
import { CRLNumber, id_ce_cRLNumber } from '@peculiar/asn1-x509';
import { x509 } from './crypto.ts';
import { signParams, type HashName } from './key-spec.ts';
import { signingKey, type PrivateKeyMaterial } from './keys.ts';
import type { CertificateItem, PkiItems } from './build.ts';
import type { Revocations } from './revocations.ts';

export interface RevokedEntry {
  serialHex: string;
  date: Date;
  reason?: x509.X509CrlReason;
}

export interface CrlParams {
  issuer: { certificate: x509.X509Certificate; key: PrivateKeyMaterial };
  revoked: RevokedEntry[];
  thisUpdate: Date;
  nextUpdate: Date;
  hash: HashName;
  number: number;
}

export async function issueCrl(p: CrlParams): Promise<x509.X509Crl> {
  const ski = p.issuer.certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  const extensions: x509.Extension[] = [new x509.Extension(id_ce_cRLNumber, false, AsnConvert.serialize(new CRLNumber(p.number)))];
  if (ski) extensions.push(new x509.AuthorityKeyIdentifierExtension(ski.keyId, false));
  return x509.X509CrlGenerator.create({
    issuer: p.issuer.certificate.subjectName,
    thisUpdate: p.thisUpdate,
    nextUpdate: p.nextUpdate,
    signingAlgorithm: signParams(p.issuer.key.type, p.hash),
    signingKey: await signingKey(p.issuer.key, p.hash),
    extensions,
    entries: p.revoked.map((r) => ({ serialNumber: r.serialHex, revocationDate: r.date, ...(r.reason !== undefined ? { reason: r.reason } : {}) })),
  });
}

/** A CA item that can sign: its certificate has CA:TRUE and its key is here. */
export type SigningCa = CertificateItem & { key: PrivateKeyMaterial };

/** The scenario's CA items that can sign CRLs, by name. */
export function signingCas(pki: PkiItems): Map<string, SigningCa> {
  const out = new Map<string, SigningCa>();
  for (const [name, item] of Object.entries(pki)) {
    if (item.kind === 'certificate' && item.key && item.certificate.getExtension(x509.BasicConstraintsExtension)?.ca) out.set(name, item as SigningCa);
  }
  return out;
}

/** The scenario's CA item that issued this certificate item, if one did. */
export function issuingCa(item: CertificateItem, pki: PkiItems): string | undefined {
  const issuer = item.issuers[0];
  if (!issuer) return undefined;
  const raw = Buffer.from(issuer.rawData);
  return Object.entries(pki).find(([, candidate]) => candidate.kind === 'certificate' && raw.equals(Buffer.from(candidate.certificate.rawData)))?.[0];
}

/** How long a current CRL says it is good for, from its CA's last change, unless told otherwise. */
export const CURRENT_CRL_VALIDITY_MS = 7 * 86_400_000;

/** The CRL a CA item issues now: what the scenario has revoked at it, numbered by revision. */
export async function currentCrl(name: string, ca: SigningCa, revocations: Revocations, validityMs = CURRENT_CRL_VALIDITY_MS): Promise<x509.X509Crl> {
  const revision = revocations.revision(name);
  return issueCrl({
    issuer: { certificate: ca.certificate, key: ca.key },
    revoked: [...revocations.list(name)],
    thisUpdate: revision.since,
    nextUpdate: new Date(revision.since.getTime() + validityMs),
    hash: 'sha256',
    number: revision.number,
  });
}

/** PEM with RFC 7468's "X509 CRL" label: openssl refuses @peculiar/x509's "CRL". */
export function crlPem(crl: x509.X509Crl): string {
  return x509.PemConverter.encode(crl.rawData, 'X509 CRL') + '\n';
}

/** The current CRLs of these CA items, in PEM: what a server that checks client certificates reads (nginx ssl_crl). */
export async function currentCrlsPem(names: readonly string[], pki: PkiItems, revocations: Revocations, role = 'crl'): Promise<string[]> {
  const issuers = crlIssuers(names, pki, role);
  return Promise.all(issuers.map(async ([name, ca]) => crlPem(await currentCrl(name, ca, revocations))));
}

/** These CA items, each able to sign a CRL, or the reason one cannot. */
export function crlIssuers(names: readonly string[], pki: PkiItems, role = 'crl'): [string, SigningCa][] {
  const signing = signingCas(pki);
  return names.map((ca) => {
    const item = signing.get(ca);
    if (!item) throw new Error(`${role}: ${ca} is not a CA item with its private key here, so it issues no CRL`);
    return [ca, item];
  });
}
