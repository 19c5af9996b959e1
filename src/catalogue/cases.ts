// The catalogue of misconfigured TLS endpoints, as data: what each case is, what a correct
// client does with it and why. One entry per case, read by the generated scenario (its PKI items
// and upstream service), `serve catalogue --json` and the docs; each is minted fresh at start,
// so none ever expires the way a public test site's fixtures do.

export type CaseGroup = 'certificate' | 'protocol' | 'client-certificate' | 'grpc';

/** The clients the catalogue knows (clients.ts runs each): the keys of a case's `deviations`. */
export const CATALOGUE_CLIENT_NAMES = ['curl', 'openssl', 'python', 'node', 'gnutls', 'java', 'wget', 'go', 'grpc-python', 'grpc-js'] as const;
export type CatalogueClientName = (typeof CATALOGUE_CLIENT_NAMES)[number];

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
  /** For a gRPC case's rejection, the TLS failure grpc-js's call names beneath UNAVAILABLE (the grpc step's tlsError). */
  grpcTlsError?: string;
  /** Where a real client does otherwise, what it does and why: the suite holds it to what it does, and says so. */
  deviations?: Partial<Record<CatalogueClientName, string>>;
  /** The name a client dials (SNI and the host to verify); absent: the case's own name under the catalogue domain. */
  servername?: string;
  /** Dial the IP address itself, not a name. */
  byAddress?: true;
  /** PKI items of this case only: `<case>-cert` is the certificate it serves, `<case>-<part>` the rest. */
  pki: Record<string, Record<string, unknown>>;
  /** Served by a gRPC server (grpc-server: Health answers SERVING), for the gRPC clients; absent: an HTTPS page, for the others. */
  protocol?: 'grpc';
  /** The server's settings besides `cert`: the upstream's (TLS versions, client certificates), or the grpc-server's. */
  server?: Record<string, unknown>;
  /** The client certificate the client presents (a shared PKI item, see CLIENT_CERTIFICATES). */
  clientCert?: { item: ClientCertificate };
  /**
   * The case is about what the client sends, not whether it gets in: its page ends with the line
   * the server saw (`client certificate: none` or `...: presented, ...`), and a correct client is
   * one that presented no certificate (a deviation: one that did).
   */
  withholds?: true;
  /** How the case's certificate is revoked, which a client learns only by asking: its CRL, its OCSP responder, or the staple the server sends. */
  revocation?: 'crl' | 'ocsp' | 'stapled';
  /** Runtimes whose TLS server cannot serve the case as it says, with why: every check of it is skipped there. */
  skipOn?: Partial<Record<'bun' | 'deno', string>>;
}

/** Client certificates a case can have the client present: one from the client CA the servers trust, one from a CA they do not. */
export const CLIENT_CERTIFICATES = ['client', 'stranger'] as const;
export type ClientCertificate = (typeof CLIENT_CERTIFICATES)[number];
/** The common name of the client CA, the one CA name the servers' CertificateRequest lists. */
export const CLIENT_CA_NAME = 'certharness Catalogue Client CA';
/** The password of each client certificate's PKCS#12 bundle (`<item>-p12`), for clients that load only those (Java). */
export const CLIENT_P12_PASSWORD = 'catalogue';

/** The catalogue's revocation services, which the revoked cases' certificates name: {{crl.url}}, {{ocsp.url}}. */
export const REVOCATION_SERVICES = { crl: { kind: 'crl' }, ocsp: { kind: 'ocsp' } } as const;

/** What every client does with a revoked certificate it is not told to check: the cause, in each client's terms. */
const CHECKS_NO_REVOCATION = {
  crl: { curl: 'accepts: curl reads a CRL only from --crlfile and never fetches one', openssl: 'accepts: s_client checks CRLs only with -crl_check and a CRL (-CRL or -crl_download)', python: 'accepts: verify_flags has no VERIFY_CRL_CHECK_LEAF by default, and the ssl module never fetches a CRL', node: 'accepts: tls checks a CRL only when given one (the crl option)', gnutls: 'accepts: gnutls-cli fetches no CRL (only --x509crlfile)', java: 'accepts: JSSE checks revocation only with com.sun.net.ssl.checkRevocation=true', wget: 'accepts: wget reads a CRL only from --crl-file and never fetches one', go: 'accepts: crypto/x509 checks no CRL' },
  ocsp: { curl: 'accepts: curl asks no OCSP responder', openssl: 'accepts: s_client asks no OCSP responder', python: 'accepts: the ssl module asks no OCSP responder', node: 'accepts: Node asks no OCSP responder', gnutls: 'accepts: gnutls-cli asks the responder only with --ocsp', java: 'accepts: JSSE checks revocation only with com.sun.net.ssl.checkRevocation=true', wget: 'accepts: wget asks the responder only with --ocsp', go: 'accepts: crypto/x509 asks no OCSP responder' },
} as const;

/** Every host name is under this domain; clients reach it with --resolve or a servername. */
export const CATALOGUE_DOMAIN = 'catalogue.test';
const host = (name: string) => `${name}.${CATALOGUE_DOMAIN}`;

/** A leaf for `name` signed by the catalogue's intermediate, with overrides. */
function leaf(name: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  const all = { issuer: 'intermediate', subject: `CN=${host(name)}`, san: [host(name)], key: 'ec-p256', days: 30, ...more };
  // An override of undefined unsets a default (days, for a case with its own dates).
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

export const CATALOGUE_CASES: readonly CatalogueCase[] = [
  { name: 'good', group: 'certificate', purpose: 'a valid certificate for its name, from an intermediate of the trusted root', expect: 'accept', reason: 'nothing is wrong: a client that refuses this refuses everything', pki: { 'good-cert': leaf('good') } },
  { name: 'expired', group: 'certificate', purpose: 'a certificate whose notAfter is yesterday', expect: 'reject', reason: 'RFC 5280 §6.1.3: the certificate is not valid at the current time', rejectedWith: { curl: 'SSL certificate problem: certificate has expired', openssl: 'verify error:num=10:certificate has expired' }, pki: { 'expired-cert': leaf('expired', { days: undefined, notBefore: '-30d', notAfter: '-1d' }) } },
  { name: 'not-yet-valid', group: 'certificate', purpose: 'a certificate whose notBefore is tomorrow', expect: 'reject', reason: 'RFC 5280 §6.1.3: the certificate is not yet valid', rejectedWith: { curl: 'SSL certificate problem: certificate is not yet valid', openssl: 'verify error:num=9:certificate is not yet valid' }, pki: { 'not-yet-valid-cert': leaf('not-yet-valid', { days: undefined, notBefore: '+1d', notAfter: '+30d' }) } },
  { name: 'wrong-host', group: 'certificate', purpose: 'a valid certificate for another name', expect: 'reject', reason: 'RFC 6125: no subjectAltName matches the name dialled', rejectedWith: { curl: 'no alternative certificate subject name matches target host name', openssl: 'verify error:num=62:hostname mismatch' }, pki: { 'wrong-host-cert': leaf('wrong-host', { subject: `CN=${host('other')}`, san: [host('other')] }) } },
  { name: 'cn-only', group: 'certificate', purpose: 'the name in the Common Name only, no subjectAltName', expect: 'reject', reason: 'RFC 9525 §6.3: a client matches subjectAltName only and never the Common Name (browsers since Chrome 58)', rejectedWith: { curl: 'no alternative certificate subject name matches target host name', openssl: 'verify error:num=62:hostname mismatch' }, deviations: { curl: 'accepts: with OpenSSL, curl falls back to the Common Name when there is no DNS subjectAltName', openssl: 'accepts: X509_check_host falls back to the Common Name when there is no DNS subjectAltName', python: 'accepts: SSLContext.hostname_checks_common_name is True by default', node: 'accepts: tls.checkServerIdentity falls back to the Common Name when there is no DNS subjectAltName', gnutls: 'accepts: gnutls_x509_crt_check_hostname falls back to the Common Name when there is no DNS subjectAltName', java: 'accepts: JSSE\'s HTTPS endpoint identification falls back to the Common Name when there is no DNS subjectAltName', wget: 'accepts: wget (GnuTLS) falls back to the Common Name when there is no DNS subjectAltName' }, pki: { 'cn-only-cert': leaf('cn-only', { san: [] }) } },
  { name: 'self-signed', group: 'certificate', purpose: 'a self-signed certificate for its name', expect: 'reject', reason: 'it chains to no trusted root', rejectedWith: { curl: 'SSL certificate problem: self-signed certificate', openssl: 'verify error:num=18:self-signed certificate' }, pki: { 'self-signed-cert': { subject: `CN=${host('self-signed')}`, san: [host('self-signed')], key: 'ec-p256', usage: 'server', days: 30 } } },
  { name: 'untrusted-root', group: 'certificate', purpose: 'a valid chain to a root the client was not given', expect: 'reject', reason: 'it chains to a root outside the trust store', rejectedWith: { curl: 'SSL certificate problem: unable to get local issuer certificate', openssl: 'verify error:num=20:unable to get local issuer certificate' }, pki: { 'untrusted-root-ca': { subject: 'CN=certharness Untrusted Root', key: 'ec-p256' }, 'untrusted-root-cert': leaf('untrusted-root', { issuer: 'untrusted-root-ca' }) } },
  { name: 'no-server-auth', group: 'certificate', purpose: 'a certificate whose extendedKeyUsage is clientAuth only', expect: 'reject', reason: 'RFC 5280 §4.2.1.12: the EKU does not allow TLS server authentication (OpenSSL: unsupported certificate purpose)', rejectedWith: { curl: 'SSL certificate problem: unsuitable certificate purpose', openssl: 'verify error:num=26:unsuitable certificate purpose' }, deviations: { wget: "accepts: wget verifies the chain with GnuTLS but names no key purpose, so a clientAuth-only EKU passes (gnutls-cli asks for serverAuth and refuses it)" }, pki: { 'no-server-auth-cert': leaf('no-server-auth', { extendedKeyUsage: ['clientAuth'] }) } },
  { name: 'pathlen-violated', group: 'certificate', purpose: 'an intermediate with pathLenConstraint 0 that issued another CA, which issued the leaf', expect: 'reject', reason: 'RFC 5280 §4.2.1.9: the path is longer than the constraint allows', rejectedWith: { curl: 'SSL certificate problem: path length constraint exceeded', openssl: 'verify error:num=25:path length constraint exceeded' }, pki: { 'pathlen-violated-ca': { issuer: 'root', subject: 'CN=certharness Pathlen 0 CA', usage: 'ca', pathlen: 0, key: 'ec-p256' }, 'pathlen-violated-sub': { issuer: 'pathlen-violated-ca', subject: 'CN=certharness Sub CA', usage: 'ca', key: 'ec-p256' }, 'pathlen-violated-cert': leaf('pathlen-violated', { issuer: 'pathlen-violated-sub' }) } },
  { name: 'ecdsa-p384', group: 'certificate', purpose: 'an ECDSA P-384 certificate', expect: 'accept', reason: 'P-384 is a standard curve every TLS library supports', pki: { 'ecdsa-p384-cert': leaf('ecdsa-p384', { key: 'ec-p384' }) } },
  { name: 'rsa-2048', group: 'certificate', purpose: 'an RSA-2048 certificate', expect: 'accept', reason: 'RSA-2048 is the most common key at public CAs', pki: { 'rsa-2048-cert': leaf('rsa-2048', { key: 'rsa-2048' }) } },
  { name: 'long-validity', group: 'certificate', purpose: 'a 398-day certificate, longer than SC-081 allows public CAs from 2026-03-15 (200 days)', expect: 'accept', reason: 'TLS clients do not enforce validity caps on private roots; a public CA could not issue it (certharness pki lint --public flags it)', pki: { 'long-validity-cert': leaf('long-validity', { days: 398 }) } },
  { name: 'ip-san', group: 'certificate', purpose: 'a certificate for 127.0.0.1 as an IP address subjectAltName, dialled by address', expect: 'accept', reason: 'RFC 5280 iPAddress names match a client that dials the address', byAddress: true, pki: { 'ip-san-cert': leaf('ip-san', { subject: 'CN=127.0.0.1', san: ['127.0.0.1'] }) } },
  { name: 'wildcard', group: 'certificate', purpose: `a certificate for *.${CATALOGUE_DOMAIN}, dialled as wildcard.${CATALOGUE_DOMAIN}`, expect: 'accept', reason: 'RFC 6125 §6.4.3: a wildcard matches one left-most label', pki: { 'wildcard-cert': leaf('wildcard', { subject: `CN=*.${CATALOGUE_DOMAIN}`, san: [`*.${CATALOGUE_DOMAIN}`] }) } },
  { name: 'wildcard-too-deep', group: 'certificate', purpose: `a certificate for *.${CATALOGUE_DOMAIN}, dialled as a.wildcard-too-deep.${CATALOGUE_DOMAIN}`, expect: 'reject', reason: 'RFC 6125 §6.4.3: a wildcard matches one label, not two', servername: `a.wildcard-too-deep.${CATALOGUE_DOMAIN}`, rejectedWith: { curl: 'no alternative certificate subject name matches target host name', openssl: 'verify error:num=62:hostname mismatch' }, pki: { 'wildcard-too-deep-cert': leaf('wildcard-too-deep', { subject: `CN=*.${CATALOGUE_DOMAIN}`, san: [`*.${CATALOGUE_DOMAIN}`] }) } },
  { name: 'incomplete-chain', group: 'certificate', purpose: 'a server that sends its leaf without the intermediate that issued it', expect: 'reject', reason: 'the client cannot build a path to its root (browsers may fetch the missing intermediate through AIA; TLS libraries do not)', rejectedWith: { curl: 'SSL certificate problem: unable to get local issuer certificate', openssl: 'verify error:num=20:unable to get local issuer certificate' }, pki: { 'incomplete-chain-cert': leaf('incomplete-chain') }, server: { chain: 'leaf-only' } },
  { name: 'chain-reversed', group: 'certificate', purpose: 'two intermediates sent in reverse order (the leaf first, then the one the root issued)', expect: 'accept', reason: 'RFC 8446 §4.4.2: clients should accept the certificates after the leaf in any order', pki: { 'chain-reversed-a': { issuer: 'root', subject: 'CN=certharness Catalogue Intermediate A', usage: 'ca', key: 'ec-p256', days: 30 }, 'chain-reversed-b': { issuer: 'chain-reversed-a', subject: 'CN=certharness Catalogue Intermediate B', usage: 'ca', key: 'ec-p256', days: 30 }, 'chain-reversed-cert': leaf('chain-reversed', { issuer: 'chain-reversed-b' }) }, server: { chain: 'reversed' } },
  { name: 'expired-intermediate', group: 'certificate', purpose: 'a valid leaf from an intermediate that expired yesterday', expect: 'reject', reason: 'RFC 5280 §6.1.3: every certificate of the path must be valid now', rejectedWith: { curl: 'SSL certificate problem: certificate has expired', openssl: 'verify error:num=10:certificate has expired' }, pki: { 'expired-intermediate-ca': { issuer: 'root', subject: 'CN=certharness Expired Intermediate', usage: 'ca', key: 'ec-p256', notBefore: '-60d', notAfter: '-1d' }, 'expired-intermediate-cert': leaf('expired-intermediate', { issuer: 'expired-intermediate-ca' }) } },
  { name: 'ip-mismatch', group: 'certificate', purpose: 'a certificate for 127.0.0.2, dialled at 127.0.0.1', expect: 'reject', reason: 'RFC 6125 §6.2: an IP address matches only an iPAddress subjectAltName with the same address', byAddress: true, rejectedWith: { curl: 'no alternative certificate subject name matches target host name', openssl: 'verify error:num=64:IP address mismatch' }, pki: { 'ip-mismatch-cert': leaf('ip-mismatch', { subject: 'CN=127.0.0.2', san: ['127.0.0.2'] }) } },
  { name: 'wildcard-apex', group: 'certificate', purpose: `a certificate for *.${CATALOGUE_DOMAIN}, dialled as ${CATALOGUE_DOMAIN} itself`, expect: 'reject', reason: 'RFC 6125 §6.4.3: a wildcard stands for one label and never for none', servername: CATALOGUE_DOMAIN, rejectedWith: { curl: 'no alternative certificate subject name matches target host name', openssl: 'verify error:num=62:hostname mismatch' }, pki: { 'wildcard-apex-cert': leaf('wildcard-apex', { subject: `CN=*.${CATALOGUE_DOMAIN}`, san: [`*.${CATALOGUE_DOMAIN}`] }) } },
  { name: 'must-staple', group: 'certificate', purpose: 'a certificate with OCSP Must-Staple (RFC 7633) from a server that staples nothing', expect: 'reject', reason: 'RFC 7633 §4.2.3: a client that sees the TLS Feature status_request and no stapled answer must refuse (Firefox does)', deviations: { curl: 'accepts: curl ignores Must-Staple unless --cert-status is given', openssl: 'accepts: s_client ignores Must-Staple (with -status it reports that no answer was sent)', python: 'accepts: the ssl module never asks for or checks a stapled answer', node: 'accepts: Node checks a staple only when the application asks (requestOCSP and the OCSPResponse event)', java: 'accepts: JSSE does not enforce Must-Staple with its default settings', go: 'accepts: crypto/tls does not enforce Must-Staple (it hands any staple to the program, in ConnectionState.OCSPResponse)' }, pki: { 'must-staple-cert': leaf('must-staple', { mustStaple: true }) } },
  { name: 'no-eku', group: 'certificate', purpose: 'a leaf with no extendedKeyUsage at all', expect: 'accept', reason: 'RFC 5280 §4.2.1.12: without the extension the key may be used for any purpose (public CAs must include it; a client need not demand it)', pki: { 'no-eku-cert': leaf('no-eku', { extendedKeyUsage: [] }) } },
  { name: 'long-chain', group: 'certificate', purpose: 'a leaf four intermediates below the root', expect: 'accept', reason: 'a path of six certificates is well within every library\'s default depth (OpenSSL: 100)', pki: { 'long-chain-1': { issuer: 'root', subject: 'CN=certharness Chain 1', usage: 'ca', key: 'ec-p256', days: 30 }, 'long-chain-2': { issuer: 'long-chain-1', subject: 'CN=certharness Chain 2', usage: 'ca', key: 'ec-p256', days: 30 }, 'long-chain-3': { issuer: 'long-chain-2', subject: 'CN=certharness Chain 3', usage: 'ca', key: 'ec-p256', days: 30 }, 'long-chain-4': { issuer: 'long-chain-3', subject: 'CN=certharness Chain 4', usage: 'ca', key: 'ec-p256', days: 30 }, 'long-chain-cert': leaf('long-chain', { issuer: 'long-chain-4' }) } },
  { name: 'ed25519', group: 'certificate', purpose: 'an Ed25519 certificate (RFC 8410) from the ECDSA intermediate', expect: 'accept', reason: 'RFC 8446 signature scheme ed25519: TLS 1.3 clients on OpenSSL 1.1.1 and later accept it', pki: { 'ed25519-cert': leaf('ed25519', { key: 'ed25519' }) } },
  { name: 'name-by-address', group: 'certificate', purpose: `a certificate for a DNS name only, dialled at its IP address`, expect: 'reject', reason: 'RFC 6125 §6.2: an address is matched against iPAddress names, never against DNS names', byAddress: true, rejectedWith: { curl: 'no alternative certificate subject name matches target host name', openssl: 'verify error:num=64:IP address mismatch' }, pki: { 'name-by-address-cert': leaf('name-by-address') } },
  { name: 'sha512-signature', group: 'certificate', purpose: 'a leaf signed with ECDSA and SHA-512', expect: 'accept', reason: 'ecdsa-with-SHA512 is a standard signature algorithm (RFC 5758)', pki: { 'sha512-signature-cert': leaf('sha512-signature', { hash: 'sha512' }) } },
  { name: 'name-constraints-ok', group: 'certificate', purpose: `a leaf from an intermediate whose name constraints permit ${CATALOGUE_DOMAIN} and the names under it`, expect: 'accept', reason: 'RFC 5280 §4.2.1.10: the name is inside the permitted subtree', pki: { 'name-constraints-ok-ca': { issuer: 'root', subject: 'CN=certharness Constrained CA', usage: 'ca', key: 'ec-p256', days: 30, nameConstraints: { permitted: [CATALOGUE_DOMAIN] } }, 'name-constraints-ok-cert': leaf('name-constraints-ok', { issuer: 'name-constraints-ok-ca' }) } },
  { name: 'name-constraints-violated', group: 'certificate', purpose: `a leaf for name-constraints-violated.${CATALOGUE_DOMAIN} from an intermediate whose name constraints permit only permitted.${CATALOGUE_DOMAIN}`, expect: 'reject', reason: 'RFC 5280 §4.2.1.10: a name outside every permitted subtree', rejectedWith: { curl: 'SSL certificate problem: permitted subtree violation', openssl: 'verify error:num=47:permitted subtree violation' }, pki: { 'name-constraints-violated-ca': { issuer: 'root', subject: 'CN=certharness Constrained CA', usage: 'ca', key: 'ec-p256', days: 30, nameConstraints: { permitted: [`permitted.${CATALOGUE_DOMAIN}`] } }, 'name-constraints-violated-cert': leaf('name-constraints-violated', { issuer: 'name-constraints-violated-ca' }) } },
  { name: 'name-constraints-excluded', group: 'certificate', purpose: `a leaf from an intermediate whose name constraints exclude name-constraints-excluded.${CATALOGUE_DOMAIN}`, expect: 'reject', reason: 'RFC 5280 §4.2.1.10: a name inside an excluded subtree', rejectedWith: { curl: 'SSL certificate problem: excluded subtree violation', openssl: 'verify error:num=48:excluded subtree violation' }, pki: { 'name-constraints-excluded-ca': { issuer: 'root', subject: 'CN=certharness Excluding CA', usage: 'ca', key: 'ec-p256', days: 30, nameConstraints: { excluded: [`name-constraints-excluded.${CATALOGUE_DOMAIN}`] } }, 'name-constraints-excluded-cert': leaf('name-constraints-excluded', { issuer: 'name-constraints-excluded-ca' }) } },
  { name: 'revoked-crl', group: 'certificate', purpose: 'a certificate its CA has revoked (keyCompromise), listed in the CRL at its CRL distribution point', expect: 'reject', reason: 'RFC 5280 §6.3: the CRL of its issuer lists its serial', revocation: 'crl', deviations: CHECKS_NO_REVOCATION.crl, pki: { 'revoked-crl-cert': leaf('revoked-crl', { crlDistributionPoints: ['{{crl.url}}/intermediate.crl'], revoked: 'keyCompromise' }) } },
  { name: 'revoked-ocsp', group: 'certificate', purpose: 'a certificate its CA has revoked (keyCompromise), which its AIA OCSP responder says is revoked', expect: 'reject', reason: 'RFC 6960: the responder its certificate names answers revoked', revocation: 'ocsp', deviations: CHECKS_NO_REVOCATION.ocsp, pki: { 'revoked-ocsp-cert': leaf('revoked-ocsp', { ocsp: ['{{ocsp.url}}'], revoked: 'keyCompromise' }) } },
  { name: 'revoked-stapled', group: 'certificate', purpose: 'a revoked certificate whose server staples the OCSP answer that says so', expect: 'reject', reason: 'RFC 6066 §8: the stapled answer, signed by its CA, says revoked', revocation: 'stapled', deviations: { curl: 'accepts: curl checks a staple only with --cert-status', openssl: 'accepts: s_client prints a staple with -status but does not act on it', python: 'accepts: the ssl module never asks for a staple', node: 'accepts: Node checks a staple only when the application asks (requestOCSP and the OCSPResponse event)', java: 'accepts: JSSE does not ask for a staple with its default settings', go: 'accepts: crypto/tls hands the staple to the program (ConnectionState.OCSPResponse) and does not check it' }, pki: { 'revoked-stapled-cert': leaf('revoked-stapled', { revoked: 'keyCompromise' }) }, server: { ocspStapling: true }, skipOn: { bun: "Bun's TLS server emits no OCSPRequest event: it staples nothing", deno: "Deno's TLS server emits no OCSPRequest event: it staples nothing" } },
  { name: 'tls12-only', group: 'protocol', purpose: 'a server that speaks TLS 1.2 and nothing newer', expect: 'accept', reason: 'TLS 1.2 is still allowed everywhere (RFC 9325)', pki: { 'tls12-only-cert': leaf('tls12-only') }, server: { maxVersion: 'TLSv1.2' } },
  { name: 'tls13-only', group: 'protocol', purpose: 'a server that speaks TLS 1.3 only', expect: 'accept', reason: 'a client of the last five years speaks TLS 1.3', pki: { 'tls13-only-cert': leaf('tls13-only') }, server: { minVersion: 'TLSv1.3' } },
  { name: 'client-cert-optional', group: 'client-certificate', purpose: 'a server that asks for a client certificate and goes on without one', expect: 'accept', reason: 'an optional request: a client without a certificate is let in', pki: { 'client-cert-optional-cert': leaf('client-cert-optional') }, server: { clientCa: 'client-ca', clientAuth: 'optional' } },
  { name: 'client-cert-presented', group: 'client-certificate', purpose: 'a server that requires a client certificate from its client CA, and a client that presents one', expect: 'accept', reason: 'the client certificate chains to the CA the server asks for', clientCert: { item: 'client' }, pki: { 'client-cert-presented-cert': leaf('client-cert-presented') }, server: { clientCa: 'client-ca', clientAuth: 'required' } },
  { name: 'client-cert-required', group: 'client-certificate', purpose: 'a server that requires a client certificate from its client CA', expect: 'reject', reason: 'without a client certificate the server ends the handshake (TLS 1.3: certificate_required)', rejectedWith: { curl: 'alert certificate required', openssl: 'alert certificate required' }, pki: { 'client-cert-required-cert': leaf('client-cert-required') }, server: { clientCa: 'client-ca', clientAuth: 'required' }, skipOn: { deno: "Deno's TLS server, on a busy machine, sometimes closes without its certificate_required alert (curl: Connection reset, s_client: unexpected eof; in about one run in five), so a refusal for the reason cannot be told from a dropped connection" } },
  { name: 'client-cert-unacceptable', group: 'client-certificate', purpose: "a server that asks for a client certificate from its client CA, naming it in its CertificateRequest, and lets a client in without one; the client's only certificate is from another CA", expect: 'accept', reason: 'RFC 8446 §4.4.2.3 and RFC 5246 §7.4.6: a client sends a chain from one of the CAs the server names, or none: a certificate the server will not accept only tells it who is calling', withholds: true, clientCert: { item: 'stranger' }, deviations: { curl: 'presents it: curl (OpenSSL) sends the --cert it is given whatever CA names the server lists', openssl: 'presents it: s_client sends its -cert whatever CA names the server lists (it prints them, as "Acceptable client certificate CA names")', python: 'presents it: the ssl module (OpenSSL) sends the load_cert_chain certificate whatever CA names the server lists', node: 'presents it: tls (OpenSSL) sends the cert option whatever CA names the server lists', gnutls: 'presents it: gnutls-cli sends its --x509certfile whatever CA names the server lists (wget, on the same GnuTLS, withholds it)' }, pki: { 'client-cert-unacceptable-cert': leaf('client-cert-unacceptable') }, server: { clientCa: 'client-ca', clientAuth: 'optional' } },
  { name: 'grpc-good', group: 'grpc', protocol: 'grpc', purpose: 'a gRPC server (grpc-js) with a valid certificate for its name, h2 chosen by ALPN', expect: 'accept', reason: 'nothing is wrong: a gRPC client that refuses this refuses every TLS server', pki: { 'grpc-good-cert': leaf('grpc-good') }, skipOn: { deno: "a grpc-js server on Deno that asks for no client certificate answers TLS clients with what they read as plaintext ('wrong version number'; docs/runtimes.md)" } },
  { name: 'grpc-wrong-host', group: 'grpc', protocol: 'grpc', purpose: 'a gRPC server with a valid certificate for another name', expect: 'reject', reason: 'RFC 6125: no subjectAltName matches the name the channel verifies', grpcTlsError: 'hostname-mismatch', pki: { 'grpc-wrong-host-cert': leaf('grpc-wrong-host', { subject: `CN=${host('other')}`, san: [host('other')] }) }, skipOn: { deno: "a grpc-js server on Deno that asks for no client certificate answers TLS clients with what they read as plaintext ('wrong version number'; docs/runtimes.md)" } },
  { name: 'grpc-no-alpn', group: 'grpc', protocol: 'grpc', purpose: 'a gRPC server behind a TLS terminator that negotiates no ALPN, as a TCP load balancer in front of a plaintext gRPC server does', expect: 'reject', reason: 'gRPC runs over HTTP/2, which over TLS is agreed by ALPN (RFC 9113 §3.2): a server that chose no protocol has not agreed to h2 (grpc-go refuses it from 1.67, gRPC\'s C core with "missing selected ALPN property")', deviations: { 'grpc-js': 'accepts: grpc-js does not check that ALPN chose h2, and speaks HTTP/2 anyway' }, pki: { 'grpc-no-alpn-cert': leaf('grpc-no-alpn') }, server: { alpn: false }, skipOn: { bun: "grpc-js on Bun's HTTP/2 refuses a server that negotiated no ALPN ('h2 is not supported'), so the known deviation is grpc-js's on Node", deno: "the gRPC server behind the terminator is grpc-js's, whose TLS on Deno clients read as plaintext (docs/runtimes.md)" } },
];

/** The cases served as HTTPS pages: the ones the `catalogue` service and step bring into a scenario. */
export const HTTPS_CASES: readonly CatalogueCase[] = CATALOGUE_CASES.filter((c) => !c.protocol);

/** What the page of a case that withholds says when the client presented nothing, and when it did. */
export const CLIENT_CERTIFICATE_SEEN = { none: 'client certificate: none', presented: 'client certificate: presented' } as const;

/** The name a client dials for a case: SNI, --resolve and the host it verifies. */
export function caseHost(c: CatalogueCase): string {
  return c.byAddress ? '127.0.0.1' : (c.servername ?? host(c.name));
}

/** Where a case's endpoint is and what a client must do with it: `serve catalogue --json`, the catalogue service's properties, the catalogue step's environment. */
export interface CaseEndpoint {
  url: string;
  /** The address to dial: the host names resolve nowhere. */
  host: string;
  port: number;
  /** The name for SNI and host-name verification (the address itself for by-address cases). */
  servername: string;
  /** curl's --resolve value (harmless for by-address cases). */
  resolve: string;
  expect: 'accept' | 'reject';
}

export const CASE_ENDPOINT_FIELDS = ['url', 'host', 'port', 'servername', 'resolve', 'expect'] as const;

export function caseEndpoint(c: CatalogueCase, port: number, address = '127.0.0.1'): CaseEndpoint {
  const name = caseHost(c);
  return { url: `https://${name}:${port}/`, host: address, port, servername: name, resolve: `${name}:${port}:${address}`, expect: c.expect };
}

/** The first line of the page a case's endpoint serves: it says a client reached this case and no other. */
export function casePageLine(c: CatalogueCase): string {
  return `certharness catalogue: ${c.name} (${c.group})`;
}
