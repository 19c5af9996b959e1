// The TLS Feature extension (RFC 7633), whose one use is OCSP Must-Staple: a certificate that
// carries status_request (5) tells a client to refuse a handshake without a stapled answer.
import { AsnArray, AsnConvert, AsnPropTypes, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';
import { x509 } from './crypto.ts';

export const id_pe_tlsfeature = '1.3.6.1.5.5.7.1.24';
/** The TLS extension number of status_request (RFC 6066), the feature Must-Staple names. */
export const STATUS_REQUEST = 5;

/** Features ::= SEQUENCE OF INTEGER */
class TlsFeatures extends AsnArray<number> {}
AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.Integer })(TlsFeatures);

export function mustStapleExtension(): x509.Extension {
  return new x509.Extension(id_pe_tlsfeature, false, AsnConvert.serialize(new TlsFeatures([STATUS_REQUEST])));
}

/** Whether the certificate asks for a stapled OCSP answer (Must-Staple). */
export function isMustStaple(c: x509.X509Certificate): boolean {
  const ext = c.getExtension(id_pe_tlsfeature);
  if (!ext) return false;
  try {
    return [...AsnConvert.parse(ext.value, TlsFeatures)].includes(STATUS_REQUEST);
  } catch {
    return false;
  }
}
