// Where a client exchange stopped, and `refused:` judged on it: a refusal passes only when the
// server refused. The texts are what curl 7.88, Node and grpc-js print (see the real-peer tests
// in deployment.test.ts and clients.test.ts for the same verdicts against nginx and our upstream).
import t from 'tap';
import { alertInText, curlPhase, grpcPhase, nodeErrorPhase } from '../src/clients/exchange.ts';
import { evaluate, check } from '../src/expect/evaluate.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from './helpers.ts';

t.test('alerts are read from OpenSSL text, alert numbers and Node codes', async (t) => {
  t.equal(alertInText('error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0'), 'certificate_required');
  t.equal(alertInText('SSL routines::sslv3 alert handshake failure:SSL alert number 40'), 'handshake_failure');
  t.equal(alertInText('ssl3_read_bytes:tlsv1 alert unknown ca:../deps/openssl'), 'unknown_ca');
  t.equal(alertInText('SSL alert number 45'), 'certificate_expired');
  t.equal(alertInText('ERR_SSL_TLSV1_ALERT_UNSUPPORTED_CERTIFICATE'), 'unsupported_certificate');
  t.equal(alertInText('Connection reset by peer'), undefined);
});

t.test('curl: the exit code and its error say where it stopped', async (t) => {
  t.same(curlPhase(60, 'curl: (60) SSL certificate problem: unable to get local issuer certificate', undefined), { phase: 'server-verification', refused: false });
  t.same(curlPhase(58, 'curl: (58) unable to set private key file', undefined), { phase: 'client-setup', refused: false });
  t.same(curlPhase(7, 'curl: (7) Failed to connect to 127.0.0.1 port 1', undefined), { phase: 'connect', refused: false });
  t.same(curlPhase(56, 'curl: (56) OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate required', undefined), { phase: 'handshake-refused', refused: true, refusal: { by: 'tls-alert', alert: 'certificate_required' } });
  t.same(curlPhase(52, 'curl: (52) Empty reply from server', undefined), { phase: 'handshake-refused', refused: true, refusal: { by: 'connection-closed' } });
  t.same(curlPhase(35, 'curl: (35) error:0A00010B:SSL routines::wrong version number', undefined), { phase: 'handshake', refused: false }, 'TLS to a plaintext port is no refusal');
  t.same(curlPhase(0, '', 400), { phase: 'http', refused: true, refusal: { by: 'http-status', status: 400 } });
  t.same(curlPhase(0, '', 200), { phase: 'http', refused: false });
});

t.test('Node errors: verification, connection, refusal', async (t) => {
  t.equal(nodeErrorPhase('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate', false).phase, 'server-verification');
  t.equal(nodeErrorPhase('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames", false).phase, 'server-verification');
  t.equal(nodeErrorPhase('ECONNREFUSED', 'connect ECONNREFUSED', false).phase, 'connect');
  t.same(nodeErrorPhase('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'alert', true), { phase: 'handshake-refused', refused: true, refusal: { by: 'tls-alert', alert: 'certificate_required' } });
  // Bun's client: a close by the server is ERR_SOCKET_CLOSED; a refusal only once its handshake had finished.
  t.same(nodeErrorPhase('ERR_SOCKET_CLOSED', 'Socket is closed', true), { phase: 'handshake-refused', refused: true, refusal: { by: 'connection-closed' } });
  t.same(nodeErrorPhase('ERR_SOCKET_CLOSED', 'Socket is closed', false), { phase: 'handshake', refused: false });
  t.same(nodeErrorPhase('UND_ERR_SOCKET', 'other side closed', true), { phase: 'handshake-refused', refused: true, refusal: { by: 'connection-closed' } });
  t.equal(nodeErrorPhase('ERR_OSSL_X509_KEY_VALUES_MISMATCH', 'key values mismatch', false).phase, 'client-setup');
});

t.test('gRPC: a client that does not trust the server is not refused; an alert is', async (t) => {
  t.equal(grpcPhase('UNAVAILABLE', 'No connection established. Last error: self-signed certificate in certificate chain').phase, 'server-verification');
  t.equal(grpcPhase('UNAVAILABLE', 'Last error: certificate has expired').phase, 'server-verification');
  t.same(grpcPhase('UNAVAILABLE', 'Last error: 80:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:SSL alert number 48'), { phase: 'handshake-refused', refused: true, refusal: { by: 'tls-alert', alert: 'unknown_ca' } });
  t.same(grpcPhase('PERMISSION_DENIED', 'no'), { phase: 'http', refused: true, refusal: { by: 'grpc-status', status: 'PERMISSION_DENIED' } });
  t.same(grpcPhase('OK', ''), { phase: 'http', refused: false });
  t.equal(grpcPhase('CREDENTIALS', 'key values mismatch').phase, 'client-setup');
});

t.test('refused: passes only for a refusal by the server, in a way the expectation names', async (t) => {
  const clientSide = { exit: 60, phase: 'server-verification', refused: false, curlError: 'SSL certificate problem' };
  const [a] = evaluate({ refused: true }, clientSide);
  t.notOk(a!.ok, 'curl not verifying the server is no refusal');
  t.match(a!.message, /^refused: expected the server to refuse, but the client refused the server certificate \(server-verification\)/);

  const byAlert = { phase: 'handshake-refused', refused: true, refusal: { by: 'tls-alert', alert: 'unknown_ca' } };
  t.ok(evaluate({ refused: true }, byAlert)[0]!.ok);
  t.ok(evaluate({ refused: { alert: 'unknown_ca', status: 400 } }, byAlert)[0]!.ok);
  const wrongAlert = evaluate({ refused: { alert: 'certificate_expired' } }, byAlert)[0]!;
  t.notOk(wrongAlert.ok);
  t.equal(wrongAlert.message, 'refused: expected refused by alert "certificate_expired", but the server refused by TLS alert unknown_ca');

  const byStatus = { phase: 'http', status: 400, refused: true, refusal: { by: 'http-status', status: 400 } };
  t.ok(evaluate({ refused: { alert: 'unknown_ca', status: 400 } }, byStatus)[0]!.ok, 'nginx answers 400 where others send the alert');
  t.notOk(evaluate({ refused: { alert: 'unknown_ca' } }, byStatus)[0]!.ok, 'a way not named fails');
  const closed = { phase: 'handshake-refused', refused: true, refusal: { by: 'connection-closed' } };
  t.notOk(evaluate({ refused: { alert: 'unknown_ca' } }, closed)[0]!.ok, 'a close states no reason');
  t.ok(evaluate({ refused: { alert: 'unknown_ca', closed: true } }, closed)[0]!.ok);

  t.ok(evaluate({ refused: false }, { phase: 'http', refused: false })[0]!.ok);
  t.notOk(evaluate({ refused: false }, byAlert)[0]!.ok);
  t.notOk(evaluate({ refused: true }, {})[0]!.ok, 'a result without a phase is no refusal');
});

t.test('a negated matcher needs a value: absence is not the opposite of anything', async (t) => {
  const r = check('httpStatus', { not: { lt: 400 } }, undefined);
  t.notOk(r.ok, 'no status is not "a status of 400 or more"');
  t.equal(r.message, 'httpStatus: expected not < 400 (which needs a value), got nothing');
  t.ok(check('httpStatus', { not: { lt: 400 } }, 403).ok);
  t.ok(check('x', { not: { exists: true } }, undefined).ok, 'not exists still states absence');
});

t.test('refused: false excuses no failure: a client that could not connect fails the step', async (t) => {
  const dir = tempDir();
  const file = join(dir, 'not-refused.yaml');
  // Port 1 on loopback: nothing listens there, so the exchange stops at connect.
  writeFileSync(file, 'scenario: refused false\nsteps:\n  - https: { url: "https://127.0.0.1:1/", insecure: true }\n    expect: { refused: false }\n');
  const r = await runCli(['run', file, '--reporter', 'tap']);
  t.equal(r.code, 1, 'not refused, but not answered either: red');
  t.match(r.stdout, /not ok 1 - https/);
});
