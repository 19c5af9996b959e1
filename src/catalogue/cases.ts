// The catalogue of misconfigured TLS endpoints, as data: what each case is, what a correct
// client does with it and why. One entry per case, read by the generated scenario (its PKI items
// and upstream service), `serve catalogue --json` and the docs; each is minted fresh at start,
// so none ever expires the way a public test site's fixtures do.

export type CaseGroup = 'certificate' | 'protocol' | 'client-certificate';

export interface CatalogueCase {
  name: string;
  group: CaseGroup;
  /** What the endpoint presents. */
  purpose: string;
  expect: 'accept' | 'reject';
  /** Why a correct client does what `expect` says. */
  reason: string;
  /** For a rejection, what each client prints when it rejects for this reason (OpenSSL's verify error text, mostly). */
  rejectedWith?: { curl: string; openssl: string };
  /** Where a real client does otherwise, what it does and why: the suite holds it to what it does, and says so. */
  deviations?: Partial<Record<'curl' | 'openssl', string>>;
  /** The name a client dials (SNI and the host to verify); absent: the case's own name under the catalogue domain. */
  servername?: string;
  /** Dial the IP address itself, not a name. */
  byAddress?: true;
  /** PKI items of this case only: `<case>-cert` is the certificate it serves, `<case>-<part>` the rest. */
  pki: Record<string, Record<string, unknown>>;
  /** The upstream service's settings besides `cert` (TLS versions, client certificates). */
  server?: Record<string, unknown>;
}

/** Every host name is under this domain; clients reach it with --resolve or a servername. */
export const CATALOGUE_DOMAIN = 'catalogue.test';
const host = (name: string) => `${name}.${CATALOGUE_DOMAIN}`;

/** A leaf for `name` signed by the catalogue's intermediate, with overrides. */
function leaf(name: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  return { issuer: 'intermediate', subject: `CN=${host(name)}`, san: [host(name)], key: 'ec-p256', days: 30, ...more };
}

export const CATALOGUE_CASES: readonly CatalogueCase[] = [
  { name: 'good', group: 'certificate', purpose: 'a valid certificate for its name, from an intermediate of the trusted root', expect: 'accept', reason: 'nothing is wrong: a client that refuses this refuses everything', pki: { 'good-cert': leaf('good') } },
  { name: 'expired', group: 'certificate', purpose: 'a certificate whose notAfter is yesterday', expect: 'reject', reason: 'RFC 5280 §6.1.3: the certificate is not valid at the current time', rejectedWith: { curl: 'SSL certificate problem: certificate has expired', openssl: 'verify error:num=10:certificate has expired' }, pki: { 'expired-cert': leaf('expired', { days: undefined, notBefore: '-30d', notAfter: '-1d' }) } },
  { name: 'not-yet-valid', group: 'certificate', purpose: 'a certificate whose notBefore is tomorrow', expect: 'reject', reason: 'RFC 5280 §6.1.3: the certificate is not yet valid', rejectedWith: { curl: 'SSL certificate problem: certificate is not yet valid', openssl: 'verify error:num=9:certificate is not yet valid' }, pki: { 'not-yet-valid-cert': leaf('not-yet-valid', { days: undefined, notBefore: '+1d', notAfter: '+30d' }) } },
  { name: 'wrong-host', group: 'certificate', purpose: 'a valid certificate for another name', expect: 'reject', reason: 'RFC 6125: no subjectAltName matches the name dialled', rejectedWith: { curl: 'no alternative certificate subject name matches target host name', openssl: 'verify error:num=62:hostname mismatch' }, pki: { 'wrong-host-cert': leaf('wrong-host', { subject: `CN=${host('other')}`, san: [host('other')] }) } },
  { name: 'cn-only', group: 'certificate', purpose: 'the name in the Common Name only, no subjectAltName', expect: 'reject', reason: 'RFC 9525 §6.3: a client matches subjectAltName only and never the Common Name (browsers since Chrome 58)', rejectedWith: { curl: 'no alternative certificate subject name matches target host name', openssl: 'verify error:num=62:hostname mismatch' }, deviations: { curl: 'accepts: with OpenSSL, curl falls back to the Common Name when there is no DNS subjectAltName', openssl: 'accepts: X509_check_host falls back to the Common Name when there is no DNS subjectAltName' }, pki: { 'cn-only-cert': leaf('cn-only', { san: [] }) } },
  { name: 'self-signed', group: 'certificate', purpose: 'a self-signed certificate for its name', expect: 'reject', reason: 'it chains to no trusted root', rejectedWith: { curl: 'SSL certificate problem: self-signed certificate', openssl: 'verify error:num=18:self-signed certificate' }, pki: { 'self-signed-cert': { subject: `CN=${host('self-signed')}`, san: [host('self-signed')], key: 'ec-p256', usage: 'server', days: 30 } } },
  { name: 'untrusted-root', group: 'certificate', purpose: 'a valid chain to a root the client was not given', expect: 'reject', reason: 'it chains to a root outside the trust store', rejectedWith: { curl: 'SSL certificate problem: unable to get local issuer certificate', openssl: 'verify error:num=20:unable to get local issuer certificate' }, pki: { 'untrusted-root-ca': { subject: 'CN=certharness Untrusted Root', key: 'ec-p256' }, 'untrusted-root-cert': leaf('untrusted-root', { issuer: 'untrusted-root-ca' }) } },
  { name: 'no-server-auth', group: 'certificate', purpose: 'a certificate whose extendedKeyUsage is clientAuth only', expect: 'reject', reason: 'RFC 5280 §4.2.1.12: the EKU does not allow TLS server authentication (OpenSSL: unsupported certificate purpose)', rejectedWith: { curl: 'SSL certificate problem: unsuitable certificate purpose', openssl: 'verify error:num=26:unsuitable certificate purpose' }, pki: { 'no-server-auth-cert': leaf('no-server-auth', { extendedKeyUsage: ['clientAuth'] }) } },
  { name: 'pathlen-violated', group: 'certificate', purpose: 'an intermediate with pathLenConstraint 0 that issued another CA, which issued the leaf', expect: 'reject', reason: 'RFC 5280 §4.2.1.9: the path is longer than the constraint allows', rejectedWith: { curl: 'SSL certificate problem: path length constraint exceeded', openssl: 'verify error:num=25:path length constraint exceeded' }, pki: { 'pathlen-violated-ca': { issuer: 'root', subject: 'CN=certharness Pathlen 0 CA', usage: 'ca', pathlen: 0, key: 'ec-p256' }, 'pathlen-violated-sub': { issuer: 'pathlen-violated-ca', subject: 'CN=certharness Sub CA', usage: 'ca', key: 'ec-p256' }, 'pathlen-violated-cert': leaf('pathlen-violated', { issuer: 'pathlen-violated-sub' }) } },
  { name: 'ecdsa-p384', group: 'certificate', purpose: 'an ECDSA P-384 certificate', expect: 'accept', reason: 'P-384 is a standard curve every TLS library supports', pki: { 'ecdsa-p384-cert': leaf('ecdsa-p384', { key: 'ec-p384' }) } },
  { name: 'rsa-2048', group: 'certificate', purpose: 'an RSA-2048 certificate', expect: 'accept', reason: 'RSA-2048 is the most common key at public CAs', pki: { 'rsa-2048-cert': leaf('rsa-2048', { key: 'rsa-2048' }) } },
  { name: 'long-validity', group: 'certificate', purpose: 'a 398-day certificate, longer than SC-081 allows public CAs from 2026-03-15 (200 days)', expect: 'accept', reason: 'TLS clients do not enforce validity caps on private roots; a public CA could not issue it (certharness pki lint --public flags it)', pki: { 'long-validity-cert': leaf('long-validity', { days: 398 }) } },
  { name: 'ip-san', group: 'certificate', purpose: 'a certificate for 127.0.0.1 as an IP address subjectAltName, dialled by address', expect: 'accept', reason: 'RFC 5280 iPAddress names match a client that dials the address', byAddress: true, pki: { 'ip-san-cert': leaf('ip-san', { subject: 'CN=127.0.0.1', san: ['127.0.0.1'] }) } },
  { name: 'wildcard', group: 'certificate', purpose: `a certificate for *.${CATALOGUE_DOMAIN}, dialled as wildcard.${CATALOGUE_DOMAIN}`, expect: 'accept', reason: 'RFC 6125 §6.4.3: a wildcard matches one left-most label', pki: { 'wildcard-cert': leaf('wildcard', { subject: `CN=*.${CATALOGUE_DOMAIN}`, san: [`*.${CATALOGUE_DOMAIN}`] }) } },
  { name: 'wildcard-too-deep', group: 'certificate', purpose: `a certificate for *.${CATALOGUE_DOMAIN}, dialled as a.wildcard-too-deep.${CATALOGUE_DOMAIN}`, expect: 'reject', reason: 'RFC 6125 §6.4.3: a wildcard matches one label, not two', servername: `a.wildcard-too-deep.${CATALOGUE_DOMAIN}`, rejectedWith: { curl: 'no alternative certificate subject name matches target host name', openssl: 'verify error:num=62:hostname mismatch' }, pki: { 'wildcard-too-deep-cert': leaf('wildcard-too-deep', { subject: `CN=*.${CATALOGUE_DOMAIN}`, san: [`*.${CATALOGUE_DOMAIN}`] }) } },
  { name: 'tls12-only', group: 'protocol', purpose: 'a server that speaks TLS 1.2 and nothing newer', expect: 'accept', reason: 'TLS 1.2 is still allowed everywhere (RFC 9325)', pki: { 'tls12-only-cert': leaf('tls12-only') }, server: { maxVersion: 'TLSv1.2' } },
  { name: 'tls13-only', group: 'protocol', purpose: 'a server that speaks TLS 1.3 only', expect: 'accept', reason: 'a client of the last five years speaks TLS 1.3', pki: { 'tls13-only-cert': leaf('tls13-only') }, server: { minVersion: 'TLSv1.3' } },
  { name: 'client-cert-optional', group: 'client-certificate', purpose: 'a server that asks for a client certificate and goes on without one', expect: 'accept', reason: 'an optional request: a client without a certificate is let in', pki: { 'client-cert-optional-cert': leaf('client-cert-optional') }, server: { clientCa: 'client-ca', clientAuth: 'optional' } },
  { name: 'client-cert-required', group: 'client-certificate', purpose: 'a server that requires a client certificate from its client CA', expect: 'reject', reason: 'without a client certificate the server ends the handshake (TLS 1.3: certificate_required)', rejectedWith: { curl: 'alert certificate required', openssl: 'alert certificate required' }, pki: { 'client-cert-required-cert': leaf('client-cert-required') }, server: { clientCa: 'client-ca', clientAuth: 'required' } },
];

/** The name a client dials for a case: SNI, --resolve and the host it verifies. */
export function caseHost(c: CatalogueCase): string {
  return c.byAddress ? '127.0.0.1' : (c.servername ?? host(c.name));
}
