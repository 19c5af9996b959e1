// The relying-party side of revocation: what cert, tls-probe and https report, and the checks an
// answer must pass before its status counts (signature, issuer, certificate, nonce, times).
import t from 'tap';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Extension } from '@peculiar/asn1-x509';
import { OCSPRequest, id_pkix_ocsp_nonce } from '@peculiar/asn1-ocsp';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needPeer, runScenariosHere, scratchDir } from './helpers.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { createCatalog } from '../src/runner/catalog.ts';
import { generateKey } from '../src/pki/keys.ts';
import { issueCertificate, usageDefaults } from '../src/pki/certificate.ts';
import { issueCrl } from '../src/pki/crl.ts';
import { answerOcsp } from '../src/pki/ocsp.ts';
import { ocspRequest, readCrl, readOcspResponse } from '../src/pki/revocation-check.ts';
import { isMustStaple } from '../src/pki/tls-feature.ts';
import { Revocations } from '../src/pki/revocations.ts';
import { x509 } from '../src/pki/crypto.ts';
import type { PkiItems } from '../src/pki/build.ts';

t.test('cert, tls-probe and https report what the CRL, the responder and the staple say', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const { result, failures } = await runScenariosHere(['test/fixtures/scenarios/revocation-check.yaml']);
  t.strictSame(failures, []);
  t.equal(result.counts.failed, 0);
  t.ok(result.counts.passed >= 12, `passed ${result.counts.passed}`);
});

async function world() {
  const now = new Date();
  const caKey = await generateKey('ec-p256');
  const otherKey = await generateKey('ec-p256');
  const leafKey = await generateKey('ec-p256');
  const day = 86_400_000;
  const base = { notBefore: new Date(now.getTime() - day), notAfter: new Date(now.getTime() + 30 * day), hash: 'sha256' as const, subjectKeyIdentifier: true, authorityKeyIdentifier: false };
  const ca = await issueCertificate({ ...base, subject: [['CN', 'Checked CA']], key: caKey, serialHex: '01', ...usageDefaults('ca', 'ec') });
  // Another CA with the same name: only its key tells it apart.
  const twin = await issueCertificate({ ...base, subject: [['CN', 'Checked CA']], key: otherKey, serialHex: '02', ...usageDefaults('ca', 'ec') });
  const leaf = await issueCertificate({ ...base, subject: [['CN', 'leaf']], key: leafKey, issuer: { subject: ca.subjectName, key: caKey, certificate: ca }, serialHex: '0a', ...usageDefaults('server', 'ec'), mustStaple: true });
  const pki = {
    ca: { kind: 'certificate', name: 'ca', certificate: ca, key: caKey, issuers: [], props: {} },
    leaf: { kind: 'certificate', name: 'leaf', certificate: leaf, key: leafKey, issuers: [ca], props: {} },
  } as unknown as PkiItems;
  return { now, day, ca, caKey, twin, otherKey, leaf, pki };
}

t.test('an OCSP answer counts only when it is signed for this certificate, tied to the nonce, and current', async (t) => {
  const w = await world();
  const revocations = new Revocations(w.now);
  const ask = () => ocspRequest(w.leaf, w.ca);
  const answer = (der: Uint8Array, o: { thisUpdate?: Date; nextUpdate?: Date } = {}) => answerOcsp(der, w.pki, revocations, { thisUpdate: o.thisUpdate ?? w.now, nextUpdate: o.nextUpdate ?? new Date(w.now.getTime() + w.day) }).der;

  const q = ask();
  t.equal(readOcspResponse(answer(q.der), w.leaf, w.ca, w.now, q.nonce).status, 'good');
  t.equal(readOcspResponse(answer(q.der), w.leaf, w.twin, w.now, q.nonce).status, 'invalid', 'checked against a CA of the same name and another key');
  t.equal(readOcspResponse(answer(q.der), w.ca, w.ca, w.now).status, 'invalid', 'an answer about another certificate');
  t.equal(readOcspResponse(answer(q.der), w.leaf, w.ca, w.now, ask().nonce).status, 'invalid', 'another nonce than the one sent');
  t.equal(readOcspResponse(answer(q.der, { thisUpdate: new Date(w.now.getTime() - 2 * w.day), nextUpdate: new Date(w.now.getTime() - w.day) }), w.leaf, w.ca, w.now).status, 'stale');
  t.equal(readOcspResponse(answer(q.der, { thisUpdate: new Date(w.now.getTime() + w.day) }), w.leaf, w.ca, w.now).status, 'invalid', 'thisUpdate in the future');
  t.equal(readOcspResponse(new Uint8Array([0x30, 0x00]), w.leaf, w.ca, w.now).status, 'invalid', 'not an OCSPResponse');
  t.equal(readOcspResponse(answer(new Uint8Array([1, 2, 3])), w.leaf, w.ca, w.now).status, 'refused', 'malformedRequest is a refusal');

  // The request carries the nonce as RFC 8954 says: an OCTET STRING inside extnValue.
  const parsed = AsnConvert.parse(q.der, OCSPRequest);
  const ext = parsed.tbsRequest.requestExtensions?.find((e: Extension) => e.extnID === id_pkix_ocsp_nonce);
  t.same(Buffer.from(AsnConvert.parse(ext!.extnValue.buffer, OctetString).buffer), Buffer.from(q.nonce));

  await revocations.revoke('ca', { serialHex: '0a', date: w.now, reason: x509.X509CrlReason.keyCompromise }, w.now);
  const revoked = readOcspResponse(answer(ask().der), w.leaf, w.ca, w.now);
  t.equal(revoked.status, 'revoked');
  t.equal(revoked.reason, 'keyCompromise');
});

t.test('a CRL counts only when its issuer signed it and it is current', async (t) => {
  const w = await world();
  const crl = (key = w.caKey, certificate = w.ca, o: { thisUpdate?: Date; nextUpdate?: Date; revoked?: boolean } = {}) =>
    issueCrl({
      issuer: { certificate, key },
      revoked: o.revoked ? [{ serialHex: '0a', date: w.now, reason: x509.X509CrlReason.superseded }] : [],
      thisUpdate: o.thisUpdate ?? w.now,
      nextUpdate: o.nextUpdate ?? new Date(w.now.getTime() + w.day),
      hash: 'sha256',
      number: 1,
    });
  const read = async (c: Promise<x509.X509Crl>) => readCrl(new Uint8Array((await c).rawData), w.leaf, w.ca, w.now);
  t.equal((await read(crl())).status, 'good');
  const listed = await read(crl(w.caKey, w.ca, { revoked: true }));
  t.equal(listed.status, 'revoked');
  t.equal(listed.reason, 'superseded');
  t.equal((await read(crl(w.otherKey, w.twin, { revoked: true }))).status, 'invalid', 'signed by a twin of the issuer: same name, other key');
  t.equal((await read(crl(w.caKey, w.ca, { thisUpdate: new Date(w.now.getTime() - 3 * w.day), nextUpdate: new Date(w.now.getTime() - w.day) }))).status, 'stale');
  const pem = Buffer.from(x509.PemConverter.encode((await crl(w.caKey, w.ca, { revoked: true })).rawData, 'X509 CRL'));
  t.equal((await readCrl(new Uint8Array(pem), w.leaf, w.ca, w.now)).status, 'revoked', 'PEM is read too');
  t.equal((await readCrl(new Uint8Array([1, 2, 3]), w.leaf, w.ca, w.now)).status, 'invalid');
});

t.test('Must-Staple is the TLS Feature status_request, and only a certificate that has it says so', async (t) => {
  const w = await world();
  t.equal(isMustStaple(w.leaf), true);
  t.equal(isMustStaple(w.ca), false);
});

t.test('revoking what no CA of the scenario can revoke is refused when the file is loaded', async (t) => {
  const w = await world();
  const dir = scratchDir(t);
  writeFileSync(join(dir, 'ca.crt'), w.ca.toString('pem'));
  const file = join(dir, 'loaded.yaml');
  writeFileSync(file, 'scenario: loaded issuer\npki:\n  loaded: { certFile: ca.crt }\n  child: { issuer: loaded, subject: "/CN=child", key: ec-p256 }\nsteps:\n  - revoke: { item: child }\n');
  const r = loadScenarioFile(file, { catalog: createCatalog().format, env: {} });
  t.strictSame(r.problems.map((p) => `${p.at?.line}:${p.at?.col}: ${p.message}`), ["6:5: steps[0] (revoke): child's issuer loaded is loaded without its key: it cannot sign the CRL or the OCSP answers that say child is revoked"]);
});

t.test('a certificate declared revoked: is revoked before the first step, as a revoke step would leave it', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const dir = scratchDir(t);
  const file = join(dir, 'declared.yaml');
  writeFileSync(file, [
    'scenario: revoked from the start',
    'pki:',
    '  ca: { subject: "/CN=CA", key: ec-p256 }',
    '  gone: { issuer: ca, subject: "/CN=gone", key: ec-p256, revoked: keyCompromise }',
    '  kept: { issuer: ca, subject: "/CN=kept", key: ec-p256 }',
    'steps:',
    '  - name: openssl, given the CRL file, refuses the revoked one',
    '    exec: [openssl, verify, -crl_check, -CRLfile, "{{ca.crlFile}}", -CAfile, "{{ca.certFile}}", "{{gone.certFile}}"]',
    '    expect: { exit: 2, stderr: { contains: "certificate revoked" } }',
    '  - name: and accepts the other',
    '    exec: [openssl, verify, -crl_check, -CRLfile, "{{ca.crlFile}}", -CAfile, "{{ca.certFile}}", "{{kept.certFile}}"]',
    '  - name: the CRL gives the reason',
    '    exec: [openssl, crl, -in, "{{ca.crlFile}}", -noout, -text]',
    '    expect: { stdout: { contains: "Key Compromise" } }',
    '  - name: revoking it again finds it revoked',
    '    revoke: { item: gone }',
    '    expect: { status: already-revoked }',
  ].join('\n') + '\n');
  const { failures } = await runScenariosHere([file], { env: { TMPDIR: dir } });
  t.same(failures, []);
  const selfSigned = join(dir, 'self.yaml');
  writeFileSync(selfSigned, 'scenario: nothing can revoke it\npki:\n  alone: { subject: "/CN=alone", key: ec-p256, revoked: true }\nsteps:\n  - exec: "true"\n');
  const r = loadScenarioFile(selfSigned, { catalog: createCatalog().format, env: {} });
  t.strictSame(r.problems.map((p) => `${p.at?.line}:${p.at?.col}: ${p.message}`), ['3:57: pki.alone.revoked is set on a self-signed certificate: no CA of the scenario issued it, so none can revoke it'], 'refused when the file is loaded, at its value');
});
