// A failed step names its underlying error in every report: the console, TAP and JUnit show
// the grpc-js and Node error behind "code: expected 0, got 14" or "status: expected 200".
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from './helpers.ts';
import { causeOf } from '../src/expect/cause.ts';

t.test('causeOf: the error, the TLS label, curl\'s error line, or the end of stderr', async (t) => {
  t.equal(causeOf({ code: 14, tlsError: 'hostname-mismatch', lastError: "ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames", phase: 'server-verification' }), "stopped at server-verification; tlsError hostname-mismatch; ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames");
  t.equal(causeOf({ exit: 60, curlError: 'SSL certificate problem: unable to get local issuer certificate', stderr: 'curl: (60) SSL certificate problem' }), 'curl: (60) SSL certificate problem: unable to get local issuer certificate');
  t.equal(causeOf({ exit: 1, stderr: 'a\nb\nc\nd\n' }), 'b | c | d', 'the last three lines of stderr');
  t.equal(causeOf({ exit: 0, stdout: 'ok' }), undefined, 'nothing to say');
});

t.test('console, TAP and JUnit name the cause of each failed step', async (t) => {
  const dir = tempDir();
  const [tap, junit] = [join(dir, 'r.tap'), join(dir, 'r.xml')];
  const r = await runCli(['run', 'test/fixtures/scenarios/causes.yaml', '--reporter', 'console', '--reporter', `tap=${tap}`, '--reporter', `junit=${junit}`]);
  t.equal(r.code, 1);
  const tapText = readFileSync(tap, 'utf8');
  const xml = readFileSync(junit, 'utf8');
  for (const [what, cause] of [
    ['grpc', /tlsError hostname-mismatch; .*ERR_TLS_CERT_ALTNAME_INVALID/],
    ['https', /stopped at server-verification; (?:SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE): /],
  ] as const) {
    t.match(r.stdout, new RegExp(`cause: .*${cause.source}`), `console: ${what}`);
    t.match(tapText, new RegExp(`cause: .*${cause.source}`), `TAP: ${what}`);
    t.match(xml, new RegExp(`message="[^"]*\\(cause: [^"]*${cause.source}`), `JUnit: ${what}`);
  }
});
