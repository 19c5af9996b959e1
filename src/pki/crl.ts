// Certificate revocation lists signed by a CA item (RFC 5280 §5), with cRLNumber and
// authorityKeyIdentifier as conforming issuers write them.
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { CertificateList, CRLNumber, CRLReason, Extension, Name, RevokedCertificate, TBSCertList, Time, Version, id_ce_cRLNumber, id_ce_cRLReasons } from '@peculiar/asn1-x509';
import { x509 } from './crypto.ts';
import type { HashName } from './key-spec.ts';
import type { PrivateKeyMaterial } from './keys.ts';
import type { CertificateItem, PkiItems } from './build.ts';
import type { Revocations } from './revocations.ts';
import { signatureAlgorithm, signDer } from './signature.ts';

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

/**
 * How a CRL is parsed: asn1js stops at 10,000 nodes by default, a CRL of about 2,000 entries
 * (Let's Encrypt's shards hold more). Its 16 MiB content bound still holds.
 */
export const CRL_PARSE_OPTIONS = { berOptions: { maxNodes: 10_000_000 } };

/** A serial's INTEGER content octets: minimal, and positive (a leading 00 before a high bit). */
function serialOctets(serialHex: string): ArrayBuffer {
  let hex = serialHex.toLowerCase().replace(/^0+(?=.)/, '');
  if (hex.length % 2) hex = `0${hex}`;
  if (/^[89a-f]/.test(hex)) hex = `00${hex}`;
  return new Uint8Array(Buffer.from(hex, 'hex')).buffer;
}

/**
 * Built with the asn1-x509 schemas and signed with node:crypto: @peculiar/x509's generator checks
 * each entry against all before it (quadratic: 3.7 s for 10,000 revocations). The asn1 encoder
 * still costs about 0.1 ms an entry (bench/revocation.ts), which is why currentCrl signs once
 * per revision.
 */
export async function issueCrl(p: CrlParams): Promise<x509.X509Crl> {
  const ski = p.issuer.certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  const extensions = [new Extension({ extnID: id_ce_cRLNumber, critical: false, extnValue: new OctetString(AsnConvert.serialize(new CRLNumber(p.number))) })];
  if (ski) extensions.push(AsnConvert.parse(new x509.AuthorityKeyIdentifierExtension(ski.keyId, false).rawData, Extension));
  const seen = new Set<string>();
  const revokedCertificates = p.revoked.map((r) => {
    const octets = serialOctets(r.serialHex);
    const key = Buffer.from(octets).toString('hex');
    if (seen.has(key)) throw new Error(`serial ${r.serialHex} is listed twice`);
    seen.add(key);
    return new RevokedCertificate({
      userCertificate: octets,
      revocationDate: new Time(r.date),
      ...(r.reason !== undefined ? { crlEntryExtensions: [new Extension({ extnID: id_ce_cRLReasons, critical: false, extnValue: new OctetString(AsnConvert.serialize(new CRLReason(r.reason as number))) })] } : {}),
    });
  });
  const alg = signatureAlgorithm(p.issuer.key.object, p.hash);
  const tbs = new TBSCertList({
    version: Version.v2,
    signature: alg.id,
    issuer: AsnConvert.parse(p.issuer.certificate.subjectName.toArrayBuffer(), Name),
    thisUpdate: new Time(p.thisUpdate),
    nextUpdate: new Time(p.nextUpdate),
    ...(revokedCertificates.length ? { revokedCertificates } : {}),
    crlExtensions: extensions,
  });
  const signature = signDer(p.issuer.key.object, alg.digest, new Uint8Array(AsnConvert.serialize(tbs)));
  return new x509.X509Crl(AsnConvert.serialize(new CertificateList({ tbsCertList: tbs, signatureAlgorithm: alg.id, signature })), CRL_PARSE_OPTIONS);
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
  // Signed once per revision: an unchanged list is the same CRL, byte for byte (an ECDSA
  // signature differs every time), and a CRL of 10,000 entries takes about a second to encode.
  const key = `${name} ${revision.number} ${validityMs}`;
  const cache = issuedCrls.get(revocations) ?? new Map<string, { ca: SigningCa; crl: Promise<x509.X509Crl> }>();
  issuedCrls.set(revocations, cache);
  const hit = cache.get(key);
  if (hit && hit.ca === ca) return hit.crl;
  const crl = issueCrl({
    issuer: { certificate: ca.certificate, key: ca.key },
    revoked: [...revocations.list(name)],
    thisUpdate: revision.since,
    nextUpdate: new Date(revision.since.getTime() + validityMs),
    hash: 'sha256',
    number: revision.number,
  });
  for (const k of cache.keys()) if (k.startsWith(`${name} `)) cache.delete(k);
  cache.set(key, { ca, crl });
  crl.catch(() => cache.delete(key));
  return crl;
}

const issuedCrls = new WeakMap<Revocations, Map<string, { ca: SigningCa; crl: Promise<x509.X509Crl> }>>();

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
