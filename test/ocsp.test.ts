// The ocsp service against openssl ocsp (good, revoked, unknown, delegated, stale, unauthorized,
// RSA and ECDSA signers, the nonce), and requests that must fail alone.
import t from 'tap';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import { OCSPResponse, OCSPResponseStatus } from '@peculiar/asn1-ocsp';
import { BIN, firstLine, needPeer, runCli, scratchDir } from './helpers.ts';
import { answerOcsp } from '../src/pki/ocsp.ts';
import { Revocations } from '../src/pki/revocations.ts';

t.test('openssl ocsp gets the answers RFC 6960 gives', async (t) => {
  if (!needPeer(t, 'openssl') || !needPeer(t, 'curl')) return;
  const r = await runCli(['run', 'test/fixtures/scenarios/ocsp.yaml', '--reporter', 'tap']);
  t.equal(r.code, 0, r.stdout);
  t.match(r.stdout, /# tests 10: passed 10, failed 0/);
});

t.test('what is not an OCSP request is answered malformedRequest, unsigned', async (t) => {
  for (const bytes of [new Uint8Array(), new Uint8Array([0x30, 0x03, 0x02, 0x01]), new TextEncoder().encode('GET / HTTP/1.1')]) {
    const reply = answerOcsp(bytes, {}, new Revocations(new Date()), { thisUpdate: new Date() });
    const parsed = AsnConvert.parse(reply.der, OCSPResponse);
    t.equal(parsed.responseStatus, OCSPResponseStatus.malformedRequest);
    t.equal(parsed.responseBytes, undefined);
  }
});

t.test('odd requests get an answer each, and the responder keeps answering', async (t) => {
  const dir = scratchDir(t);
  const file = join(dir, 'ocsp-serve.yaml');
  writeFileSync(file, 'scenario: ocsp serve\npki:\n  ca: { subject: "CN=CA", key: ec-p256 }\nservices:\n  ocsp: { kind: ocsp }\nsteps: []\n');
  const child = spawn(process.execPath, [BIN, 'serve', file, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void child.kill('SIGTERM'));
  const url = JSON.parse(await firstLine(child)).services.ocsp.url as string;
  const status = async (path: string, init?: RequestInit) => {
    const res = await fetch(url + path, init);
    const body = new Uint8Array(await res.arrayBuffer());
    return { code: res.status, ocsp: res.status === 200 ? AsnConvert.parse(body, OCSPResponse).responseStatus : undefined };
  };
  t.strictSame(await status('/%%%'), { code: 200, ocsp: OCSPResponseStatus.malformedRequest }, 'a path that is not URL-encoding');
  t.strictSame(await status('/bm90IG9jc3A='), { code: 200, ocsp: OCSPResponseStatus.malformedRequest }, 'base64 of something else');
  t.strictSame(await status('/', { method: 'POST', body: new Uint8Array(100_000) }), { code: 200, ocsp: OCSPResponseStatus.malformedRequest }, 'a body over the bound');
  t.strictSame(await status('/', { method: 'DELETE' }), { code: 405, ocsp: undefined });
  t.strictSame(await status('/', { method: 'POST', body: 'x' }), { code: 200, ocsp: OCSPResponseStatus.malformedRequest }, 'still answering');
});
