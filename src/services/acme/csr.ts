// A finalize request's CSR (RFC 8555 §7.4), read with the asn1 schemas and verified with
// node:crypto: the names it asks for, its public key, and whether it is signed by that key.
// The signature is checked over the request info's bytes as they came, and the key taken as
// it came: both read from the one parse, not encoded again.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { fromBER, Sequence } from 'asn1js';
import { AsnConvert, AsnParser } from '@peculiar/asn1-schema';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { Extensions, SubjectAlternativeName, id_ce_subjectAltName } from '@peculiar/asn1-x509';
import { verifyDigest } from '../../pki/signature.ts';

export interface ParsedCsr {
  /** SubjectPublicKeyInfo DER, as the leaf will carry it. */
  spki: Uint8Array;
  key: KeyObject;
  /** dNSName and iPAddress SANs, in order; anything else is listed in `otherNames`. */
  names: string[];
  otherNames: string[];
  commonName?: string;
  signatureValid: boolean;
}

/** PKCS#9 extensionRequest: where a CSR carries the extensions it asks for. */
const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const COMMON_NAME = '2.5.4.3';

export class CsrError extends Error {}

export function parseCsr(der: Uint8Array): ParsedCsr {
  let req: CertificationRequest;
  let infoDer: Uint8Array;
  let spki: Uint8Array;
  try {
    const parsed = fromBER(der);
    if (parsed.offset === -1 || parsed.offset !== der.byteLength) throw new Error('not one DER value');
    req = AsnParser.fromASN(parsed.result, CertificationRequest);
    // CertificationRequest ::= SEQUENCE { certificationRequestInfo SEQUENCE { version, subject, subjectPKInfo, ... }, ... }
    const info = (parsed.result as Sequence).valueBlock.value[0] as Sequence;
    infoDer = new Uint8Array(info.valueBeforeDecodeView);
    spki = new Uint8Array(info.valueBlock.value[2]!.valueBeforeDecodeView);
  } catch {
    throw new CsrError('CSR is not a DER PKCS#10 certification request');
  }
  const info = req.certificationRequestInfo;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    throw new CsrError("CSR's public key cannot be read");
  }
  const oid = req.signatureAlgorithm.algorithm;
  // RFC 4055, RFC 5758, RFC 8410; not SHA-1.
  const digest = verifyDigest(oid);
  if (digest === undefined) throw new CsrError(`CSR signature algorithm ${oid} is not supported`);
  let signatureValid = false;
  try {
    signatureValid = verify(digest, infoDer, key, Buffer.from(req.signature));
  } catch {
    signatureValid = false;
  }
  const names: string[] = [];
  const otherNames: string[] = [];
  for (const attr of info.attributes) {
    if (attr.type !== EXTENSION_REQUEST) continue;
    for (const value of attr.values) {
      for (const ext of AsnConvert.parse(value, Extensions)) {
        if (ext.extnID !== id_ce_subjectAltName) continue;
        for (const n of AsnConvert.parse(ext.extnValue.buffer, SubjectAlternativeName)) {
          if (n.dNSName !== undefined) names.push(n.dNSName);
          else if (n.iPAddress !== undefined) names.push(n.iPAddress);
          else otherNames.push(Object.keys(n).find((k) => (n as unknown as Record<string, unknown>)[k] !== undefined) ?? 'unknown');
        }
      }
    }
  }
  let commonName: string | undefined;
  for (const rdn of info.subject) for (const atv of rdn) if (atv.type === COMMON_NAME) commonName = atv.value.toString();
  return { spki, key, names, otherNames, ...(commonName !== undefined ? { commonName } : {}), signatureValid };
}
