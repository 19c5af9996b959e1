// OCSP (RFC 6960) for the scenario's CAs: a request is read with @peculiar/asn1-ocsp, and the
// answer is a BasicOCSPResponse signed by the CA that issued the certificate asked about (or by
// a responder certificate that CA delegated to), echoing the request's nonce.
import { createHash } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, CRLReason, Extension, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse,
  CertID,
  CertStatus,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  id_pkix_ocsp_basic,
  id_pkix_ocsp_nonce,
} from '@peculiar/asn1-ocsp';
import type { CertificateItem, PkiItems } from './build.ts';
import { serialKey, type Revocations } from './revocations.ts';
import { issuingCa, signingCas, type SigningCa } from './crl.ts';
import type { x509 } from './crypto.ts';
import { signatureAlgorithm, signDer } from './signature.ts';

/** The hash algorithms a CertID may use: SHA-1 is what openssl and most clients send. */
const CERT_ID_HASHES: Record<string, string> = { '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512' };

export type OcspStatus = 'good' | 'revoked' | 'unknown';

export interface OcspAnswer {
  /** DER of the OCSPResponse. */
  der: Uint8Array;
  /** What it says, for the log. */
  summary: string;
}

export interface OcspOptions {
  /** A certificate item delegated to sign responses (id-kp-OCSPSigning, issued by the CA asked about). */
  responder?: CertificateItem;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** The CA items it answers for; absent: every CA of the scenario. */
  cas?: readonly string[];
}

const unsigned = (status: OCSPResponseStatus, summary: string): OcspAnswer => ({ der: new Uint8Array(AsnConvert.serialize(new OCSPResponse({ responseStatus: status }))), summary });

const hashCache = new WeakMap<x509.X509Certificate, Map<string, { name: string; key: string }>>();

/** SHA-x of the issuer's name and of its public key, as a CertID names an issuer (each worked out once). */
function issuerHashes(issuer: x509.X509Certificate, hash: string): { name: string; key: string } {
  const cached = hashCache.get(issuer)?.get(hash);
  if (cached) return cached;
  const computed = computeIssuerHashes(issuer, hash);
  if (!hashCache.has(issuer)) hashCache.set(issuer, new Map());
  hashCache.get(issuer)!.set(hash, computed);
  return computed;
}

function computeIssuerHashes(issuer: x509.X509Certificate, hash: string): { name: string; key: string } {
  const tbs = AsnConvert.parse(issuer.rawData, Certificate).tbsCertificate;
  const spki = AsnConvert.parse(AsnConvert.serialize(tbs.subjectPublicKeyInfo), SubjectPublicKeyInfo);
  return {
    name: createHash(hash).update(Buffer.from(AsnConvert.serialize(tbs.subject))).digest('hex'),
    key: createHash(hash).update(Buffer.from(spki.subjectPublicKey)).digest('hex'),
  };
}

/** The scenario's CA a CertID names, by name, if any. */
function caOf(id: CertID, cas: Map<string, SigningCa>): [string, SigningCa] | undefined {
  const hash = CERT_ID_HASHES[id.hashAlgorithm.algorithm];
  if (!hash) return undefined;
  const name = Buffer.from(id.issuerNameHash.buffer).toString('hex');
  const key = Buffer.from(id.issuerKeyHash.buffer).toString('hex');
  return [...cas].find(([, ca]) => {
    const h = issuerHashes(ca.certificate, hash);
    return h.name === name && h.key === key;
  });
}

/** The status of one serial at one CA: revoked if the scenario revoked it, good if the CA issued it here, unknown otherwise. */
function statusOf(serialHex: string, caName: string, ca: SigningCa, pki: PkiItems, revocations: Revocations): { status: OcspStatus; revoked?: { at: Date; reason?: number } } {
  const serial = serialKey(serialHex);
  const revoked = revocations.find(caName, serialHex);
  if (revoked) return { status: 'revoked', revoked: { at: revoked.date, ...(revoked.reason !== undefined ? { reason: revoked.reason } : {}) } };
  const issuerDer = Buffer.from(ca.certificate.rawData);
  const issued = Object.values(pki).some(
    (item) => item.kind === 'certificate' && serialKey(item.certificate.serialNumber) === serial && item.issuers[0] !== undefined && Buffer.from(item.issuers[0].rawData).equals(issuerDer),
  );
  return { status: issued ? 'good' : 'unknown' };
}

/** Answers one DER OCSPRequest. Bad input is an answer (malformedRequest, unauthorized), never an exception. */
export function answerOcsp(requestDer: Uint8Array, pki: PkiItems, revocations: Revocations, o: OcspOptions): OcspAnswer {
  let request: OCSPRequest;
  try {
    request = AsnConvert.parse(requestDer, OCSPRequest);
  } catch {
    return unsigned(OCSPResponseStatus.malformedRequest, 'malformedRequest: not a DER OCSPRequest');
  }
  const list = request.tbsRequest.requestList;
  if (!list.length) return unsigned(OCSPResponseStatus.malformedRequest, 'malformedRequest: no certificate asked about');
  const cas = new Map([...signingCas(pki)].filter(([name]) => !o.cas || o.cas.includes(name)));
  const found = list.map((r) => caOf(r.reqCert, cas));
  const first = found[0];
  // One signer per response: every CertID must name the same CA of this scenario.
  if (!first || found.some((f) => f?.[0] !== first[0])) return unsigned(OCSPResponseStatus.unauthorized, 'unauthorized: the request names a CA this responder does not answer for');
  const nonce = request.tbsRequest.requestExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
  return signedAnswer(first, list.map((r) => r.reqCert), nonce, pki, revocations, o);
}

/**
 * A stapled answer for a certificate item (what a TLS server sends with its certificate when
 * the client asks for the status): the same answer a client would get from the responder.
 */
export function stapledAnswer(item: CertificateItem, pki: PkiItems, revocations: Revocations, o: OcspOptions): OcspAnswer | undefined {
  const name = issuingCa(item, pki);
  const signer = name === undefined ? undefined : signingCas(pki).get(name);
  if (!name || !signer) return undefined;
  return signedAnswer([name, signer], [certIdFor(item.certificate, signer.certificate)], undefined, pki, revocations, o);
}

/** The CertID (SHA-1, as openssl and most clients send it) that names a certificate to its issuer's responder. */
export function certIdFor(certificate: x509.X509Certificate, issuer: x509.X509Certificate): CertID {
  const hashes = issuerHashes(issuer, 'sha1');
  const serial = certificate.serialNumber;
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: '1.3.14.3.2.26', parameters: null }),
    issuerNameHash: new OctetString(Buffer.from(hashes.name, 'hex')),
    issuerKeyHash: new OctetString(Buffer.from(hashes.key, 'hex')),
    serialNumber: new Uint8Array(Buffer.from(serial.length % 2 ? `0${serial}` : serial, 'hex')).buffer,
  });
}

/** Whether a CertID names this certificate: its serial, and its issuer's name and key by the CertID's own hash. */
export function certIdNames(id: CertID, certificate: x509.X509Certificate, issuer: x509.X509Certificate): boolean {
  const hash = CERT_ID_HASHES[id.hashAlgorithm.algorithm];
  if (!hash) return false;
  const h = issuerHashes(issuer, hash);
  return (
    serialKey(Buffer.from(id.serialNumber).toString('hex')) === serialKey(certificate.serialNumber) &&
    Buffer.from(id.issuerNameHash.buffer).toString('hex') === h.name &&
    Buffer.from(id.issuerKeyHash.buffer).toString('hex') === h.key
  );
}

const signerCache = new WeakMap<x509.X509Certificate, { asn: Certificate; keyHash: Buffer }>();

/** The signer's certificate as the answer carries it, and the SHA-1 of its key (the responder ID), read once per certificate. */
function signerParts(certificate: x509.X509Certificate): { asn: Certificate; keyHash: Buffer } {
  let parts = signerCache.get(certificate);
  if (!parts) {
    const asn = AsnConvert.parse(certificate.rawData, Certificate);
    const spki = AsnConvert.parse(AsnConvert.serialize(asn.tbsCertificate.subjectPublicKeyInfo), SubjectPublicKeyInfo);
    parts = { asn, keyHash: createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest() };
    signerCache.set(certificate, parts);
  }
  return parts;
}

/** Times as a CRL carries them: openssl 3.0 misjudges OCSP times with fractions of a second. */
export const wholeSeconds = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

/** The signed BasicOCSPResponse about these CertIDs, all of one CA. */
function signedAnswer([caName, ca]: [string, SigningCa], ids: CertID[], nonce: Extension | undefined, pki: PkiItems, revocations: Revocations, o: OcspOptions): OcspAnswer {
  const delegated = o.responder && o.responder.issuers[0] && Buffer.from(o.responder.issuers[0].rawData).equals(Buffer.from(ca.certificate.rawData)) ? o.responder : undefined;
  const signer = delegated ?? ca;
  if (!signer.key) return unsigned(OCSPResponseStatus.internalError, 'internalError: the responder has no key');
  const statuses = ids.map((id) => ({ id, ...statusOf(Buffer.from(id.serialNumber).toString('hex'), caName, ca, pki, revocations) }));
  const parts = signerParts(signer.certificate);
  const data = new ResponseData({
    responderID: new ResponderID({ byKey: new OctetString(parts.keyHash) }),
    producedAt: wholeSeconds(new Date()),
    responses: statuses.map(
      (s) =>
        new SingleResponse({
          certID: s.id,
          certStatus: new CertStatus(
            s.status === 'good' ? { good: null } : s.status === 'unknown' ? { unknown: null } : { revoked: new RevokedInfo({ revocationTime: wholeSeconds(s.revoked!.at), ...(s.revoked!.reason !== undefined ? { revocationReason: new CRLReason(s.revoked!.reason) } : {}) }) },
          ),
          thisUpdate: o.thisUpdate,
          ...(o.nextUpdate ? { nextUpdate: o.nextUpdate } : {}),
        }),
    ),
    ...(nonce ? { responseExtensions: [new Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: nonce.extnValue })] } : {}),
  });
  const tbs = Buffer.from(AsnConvert.serialize(data));
  const alg = signatureAlgorithm(signer.key.object);
  const basic = new BasicOCSPResponse({
    tbsResponseData: data,
    signatureAlgorithm: alg.id,
    signature: signDer(signer.key.object, alg.digest, tbs),
    // The signer's certificate goes with the answer, as responders send it: a TLS client checking
    // a staple (curl --cert-status) has only the server's chain to find the signer in.
    certs: [parts.asn],
  });
  const response = new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(AsnConvert.serialize(basic)) }),
  });
  const summary = statuses.map((s) => `${Buffer.from(s.id.serialNumber).toString('hex')} at ${caName}: ${s.status}`).join(', ') + (delegated ? ` (signed by ${delegated.name})` : '') + (nonce ? ', nonce echoed' : '');
  return { der: new Uint8Array(AsnConvert.serialize(response)), summary };
}

