// What a relying party reads from a CRL or an OCSP answer about one certificate: the status,
// but only after the signature, the issuer and the times are checked, so an answer from the
// wrong key or an old one is `invalid` or `stale`, never `good`.
import { randomBytes, verify, X509Certificate as NodeX509 } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Extension } from '@peculiar/asn1-x509';
import { BasicOCSPResponse, OCSPRequest, OCSPResponse, OCSPResponseStatus, Request, TBSRequest, id_pkix_ocsp_basic, id_pkix_ocsp_nonce } from '@peculiar/asn1-ocsp';
import { x509 } from './crypto.ts';
import { certIdFor, certIdNames } from './ocsp.ts';
import { CRL_PARSE_OPTIONS } from './crl.ts';
import { verifyDigest } from './signature.ts';

/**
 * good / revoked / unknown: what a valid answer said. invalid: an answer that cannot be trusted
 * (bad signature, another issuer, not about this certificate). stale: a valid answer past its
 * nextUpdate. refused: the responder answered an error status (malformedRequest, unauthorized...).
 */
export type AnswerStatus = 'good' | 'revoked' | 'unknown' | 'invalid' | 'stale' | 'refused';

export interface StatusReading {
  status: AnswerStatus;
  /** One line: why, for reports. */
  detail: string;
  revokedAt?: string;
  reason?: string;
}

/** How far in the future an answer's thisUpdate may be before it is refused: clocks differ. */
const CLOCK_SKEW_MS = 5 * 60_000;

const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

/** A DER OCSPRequest about one certificate, with a fresh nonce (RFC 8954) to tie the answer to it. */
export function ocspRequest(certificate: x509.X509Certificate, issuer: x509.X509Certificate): { der: Uint8Array<ArrayBuffer>; nonce: Uint8Array<ArrayBuffer> } {
  const nonce = new Uint8Array(randomBytes(16));
  const request = new OCSPRequest({
    tbsRequest: new TBSRequest({
      requestList: [new Request({ reqCert: certIdFor(certificate, issuer) })],
      requestExtensions: [new Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: new OctetString(AsnConvert.serialize(new OctetString(nonce))) })],
    }),
  });
  return { der: new Uint8Array(AsnConvert.serialize(request)), nonce };
}

/** The certificate among `candidates` that issued `leaf`: its subject is the leaf's issuer and its key verifies the leaf. */
export function issuerAmong(leaf: x509.X509Certificate, candidates: x509.X509Certificate[]): x509.X509Certificate | undefined {
  const node = new NodeX509(Buffer.from(leaf.rawData));
  return candidates.find((c) => c.subject === leaf.issuer && node.verify(new NodeX509(Buffer.from(c.rawData)).publicKey));
}

const reasonName = (code: number | undefined) => (code === undefined ? undefined : (x509.X509CrlReason[code] ?? String(code)));

/** Reads an OCSPResponse about `certificate`; `nonce` is the one sent, when one was. */
export function readOcspResponse(der: Uint8Array, certificate: x509.X509Certificate, issuer: x509.X509Certificate, now: Date, nonce?: Uint8Array): StatusReading {
  let response: OCSPResponse;
  let basic: BasicOCSPResponse;
  try {
    response = AsnConvert.parse(der, OCSPResponse);
    if (response.responseStatus !== OCSPResponseStatus.successful) return { status: 'refused', detail: `the responder answered ${OCSPResponseStatus[response.responseStatus] ?? response.responseStatus}` };
    if (response.responseBytes?.responseType !== id_pkix_ocsp_basic) return { status: 'invalid', detail: 'not a basic OCSP response' };
    basic = AsnConvert.parse(response.responseBytes.response.buffer, BasicOCSPResponse);
  } catch {
    return { status: 'invalid', detail: 'not a DER OCSPResponse' };
  }
  const signer = ocspSigner(basic, issuer);
  if (!signer) return { status: 'invalid', detail: 'signed neither by the issuer nor by a responder certificate the issuer delegated to (OCSPSigning)' };
  const data = basic.tbsResponseData;
  if (nonce) {
    const echoed = data.responseExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
    if (echoed && !Buffer.from(echoed.extnValue.buffer).equals(Buffer.from(AsnConvert.serialize(new OctetString(nonce))))) return { status: 'invalid', detail: 'the answer carries another nonce than the one asked with' };
  }
  const single = data.responses.find((r) => certIdNames(r.certID, certificate, issuer));
  if (!single) return { status: 'invalid', detail: 'the answer is not about this certificate' };
  if (single.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS) return { status: 'invalid', detail: `thisUpdate ${single.thisUpdate.toISOString()} is in the future` };
  const by = signer === issuer ? 'the issuer' : 'a delegated responder';
  if (single.nextUpdate && single.nextUpdate.getTime() < now.getTime()) return { status: 'stale', detail: `signed by ${by}, but nextUpdate ${single.nextUpdate.toISOString()} has passed` };
  const s = single.certStatus;
  if (s.revoked) {
    const reason = reasonName(s.revoked.revocationReason?.reason);
    return { status: 'revoked', detail: `revoked at ${s.revoked.revocationTime.toISOString()}${reason ? ` (${reason})` : ''}, signed by ${by}`, revokedAt: s.revoked.revocationTime.toISOString(), ...(reason ? { reason } : {}) };
  }
  if (s.unknown !== undefined) return { status: 'unknown', detail: `the responder does not know this certificate (signed by ${by})` };
  return { status: 'good', detail: `good, signed by ${by}, thisUpdate ${single.thisUpdate.toISOString()}` };
}

/** The certificate whose key signed the answer: the issuer, or one the issuer delegated OCSP signing to. */
function ocspSigner(basic: BasicOCSPResponse, issuer: x509.X509Certificate): x509.X509Certificate | undefined {
  const digest = verifyDigest(basic.signatureAlgorithm.algorithm, { sha1: true });
  if (digest === undefined) return undefined;
  const tbs = Buffer.from(AsnConvert.serialize(basic.tbsResponseData));
  const signature = Buffer.from(basic.signature);
  const signedBy = (c: x509.X509Certificate) => {
    try {
      return verify(digest, tbs, new NodeX509(Buffer.from(c.rawData)).publicKey, signature);
    } catch {
      return false;
    }
  };
  if (signedBy(issuer)) return issuer;
  const issuerNode = new NodeX509(Buffer.from(issuer.rawData));
  for (const c of basic.certs ?? []) {
    const candidate = new x509.X509Certificate(AsnConvert.serialize(c));
    const eku = candidate.getExtension(x509.ExtendedKeyUsageExtension);
    const delegated = eku?.usages.map(String).includes(OCSP_SIGNING) && new NodeX509(Buffer.from(candidate.rawData)).verify(issuerNode.publicKey);
    if (delegated && signedBy(candidate)) return candidate;
  }
  return undefined;
}

/** Reads a CRL (DER or PEM) for `certificate`: signed by its issuer, current, and listing it or not. */
export async function readCrl(data: Uint8Array, certificate: x509.X509Certificate, issuer: x509.X509Certificate, now: Date): Promise<StatusReading> {
  let crl: x509.X509Crl;
  try {
    const text = Buffer.from(data).toString('latin1');
    crl = new x509.X509Crl(text.includes('-----BEGIN') ? text : new Uint8Array(data), CRL_PARSE_OPTIONS);
  } catch {
    return { status: 'invalid', detail: 'not a CRL (DER or PEM)' };
  }
  if (crl.issuer !== issuer.subject) return { status: 'invalid', detail: `the CRL is issued by ${crl.issuer}, not by ${issuer.subject}` };
  if (!(await crl.verify({ publicKey: issuer }).catch(() => false))) return { status: 'invalid', detail: "the CRL's signature does not verify with the issuer's key" };
  if (crl.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS) return { status: 'invalid', detail: `thisUpdate ${crl.thisUpdate.toISOString()} is in the future` };
  if (crl.nextUpdate && crl.nextUpdate.getTime() < now.getTime()) return { status: 'stale', detail: `nextUpdate ${crl.nextUpdate.toISOString()} has passed` };
  const entry = crl.findRevoked(certificate.serialNumber);
  if (!entry) return { status: 'good', detail: `not listed on the CRL of ${crl.thisUpdate.toISOString()}` };
  const reason = reasonName(entry.reason);
  return { status: 'revoked', detail: `listed as revoked at ${entry.revocationDate.toISOString()}${reason ? ` (${reason})` : ''}`, revokedAt: entry.revocationDate.toISOString(), ...(reason ? { reason } : {}) };
}
