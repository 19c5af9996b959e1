// Pure parsers and mappings of the clients: curl -v output, openssl s_client's
// CertificateRequest, TLS alert names, and nginx's words for upstream failures.
import t from 'tap';
import { parseCurlVerbose } from '../src/clients/curl-output.ts';
import { parseClientCertRequest } from '../src/steps/tls-probe.ts';
import { alertOf, tlsFailure } from '../src/clients/tls-details.ts';
import { nginxUpstreamError } from '../src/services/proxy/nginx-terms.ts';
import { targetAddress } from '../src/clients/grpc/diagnose.ts';
import { classifyLastError } from '../src/clients/grpc/client.ts';

t.test('curl -v output', async (t) => {
  const stderr = [
    '*   Trying 127.0.0.1:8443...',
    '* SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384',
    '* ALPN: server accepted http/1.1',
    '* Server certificate:',
    '*  subject: CN=localhost',
    '*  expire date: Nov 22 23:00:00 2027 GMT',
    '*  issuer: C=US; O=Example; CN=Example CA',
    '< HTTP/1.1 200 OK',
    'curl: (56) OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0',
  ].join('\n');
  t.strictSame(parseCurlVerbose(stderr), {
    tlsVersion: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384',
    alpn: 'http/1.1',
    serverCertificate: { subject: 'CN=localhost', issuer: 'C=US; O=Example; CN=Example CA', expireDate: 'Nov 22 23:00:00 2027 GMT' },
    httpStatus: 200,
    curlError: 'OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0',
  });
  t.strictSame(parseCurlVerbose(''), {});
});

t.test('openssl s_client CertificateRequest', async (t) => {
  t.strictSame(parseClientCertRequest('---\nAcceptable client certificate CA names\nC = US, O = Example, CN = Example CA\nCN = Other\nRequested Signature Algorithms: RSA+SHA256\n'), {
    clientCertRequested: true,
    acceptableCaNames: ['C = US, O = Example, CN = Example CA', 'CN = Other'],
  });
  t.strictSame(parseClientCertRequest('---\nNo client certificate CA names sent\n'), { clientCertRequested: true, acceptableCaNames: [] });
  t.strictSame(parseClientCertRequest('---\nSSL handshake has read 1234 bytes\n'), { clientCertRequested: false, acceptableCaNames: [] });
});

t.test('alert names from Node and Bun codes', async (t) => {
  t.equal(alertOf('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), 'certificate_required');
  t.equal(alertOf('ERR_SSL_TLSV1_ALERT_CERTIFICATE_REQUIRED'), 'certificate_required', 'Bun spells it TLSV1');
  t.equal(alertOf('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'), 'handshake_failure');
  t.equal(alertOf('ECONNRESET'), undefined);
  t.strictSame(tlsFailure(Object.assign(new Error('boom'), { code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' })), { code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', alert: 'unknown_ca', message: 'boom' });
});

t.test("nginx's words for each upstream failure", async (t) => {
  const f = (code: string, alert?: string) => ({ code, ...(alert ? { alert } : {}), message: code });
  t.equal(nginxUpstreamError(f('ERR_TLS_CERT_ALTNAME_INVALID'), 'wrong.example.com', 'TLSv1.3'), 'upstream SSL certificate does not match "wrong.example.com" while SSL handshaking to upstream');
  t.equal(nginxUpstreamError(f('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'certificate_required'), 'x', 'TLSv1.3'), 'SSL_read() failed (SSL: error:0A00045C:SSL routines::tlsv13 alert certificate required:SSL alert number 116) while reading response header from upstream');
  t.equal(nginxUpstreamError(f('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'handshake_failure'), 'x', 'TLSv1.2'), 'SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream');
  t.equal(nginxUpstreamError(f('ECONNRESET'), 'x', 'TLSv1.3'), 'upstream prematurely closed connection while reading response header from upstream');
  t.equal(nginxUpstreamError(f('ECONNRESET'), 'x', 'TLSv1.2'), 'peer closed connection in SSL handshake while SSL handshaking to upstream');
  t.equal(nginxUpstreamError(f('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'x', undefined), 'upstream SSL certificate verify error: (21:unable to verify the first certificate) while SSL handshaking to upstream');
  t.equal(nginxUpstreamError(f('ECONNREFUSED'), 'x', undefined), 'connect() failed (111: Connection refused) while connecting to upstream');
});

t.test('the address a grpc target names, for the diagnosing handshake', async (t) => {
  t.strictSame(targetAddress('127.0.0.1:50051'), { host: '127.0.0.1', port: 50051 });
  t.strictSame(targetAddress('localhost:443'), { host: 'localhost', port: 443 });
  t.strictSame(targetAddress('[::1]:8443'), { host: '::1', port: 8443 });
  t.strictSame(targetAddress('dns:///api.example:443'), { host: 'api.example', port: 443 });
  t.equal(targetAddress('unix:/run/grpc.sock'), undefined, 'no TCP address: no diagnosis');
  t.equal(targetAddress('localhost'), undefined);
});

t.test("grpc-js's words for plaintext meeting TLS, from OpenSSL and BoringSSL", async (t) => {
  t.equal(classifyLastError('Last error: error:0A00010B:SSL routines::wrong version number'), 'plaintext-mismatch');
  t.equal(classifyLastError('Last error: Error: error:100000f7:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER'), 'plaintext-mismatch');
  t.equal(classifyLastError('Last error: Failed to connect (2026-12-02T06:32:28.813Z)'), 'connection-failed');
});
