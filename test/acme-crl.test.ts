// The ACME CA as Let's Encrypt is in 2026: certificates for server authentication only, with a
// CRL distribution point and no OCSP URL, and a revocation on that CRL at once. openssl is the
// relying party: -crl_download fetches the CRL the certificate names.
import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAcmeServer, type RunningAcmeServer } from '../src/services/acme/server.ts';
import { defaultAcmeOptions, type AcmeServerOptions } from '../src/services/acme/config.ts';
import { createTransport } from '../src/clients/acme/transport.ts';
import { AcmeClient } from '../src/clients/acme/client.ts';
import { http01Standalone } from '../src/clients/acme/responders.ts';
import { issueCertificate } from '../src/clients/acme/issue.ts';
import { generateKey } from '../src/pki/keys.ts';
import { validationPorts } from '../src/services/acme/validation-ports.ts';
import { x509 } from '../src/pki/crypto.ts';
import { needPeer, scratchDir } from './helpers.ts';

async function ca(t: Test, o: Partial<AcmeServerOptions> = {}): Promise<{ server: RunningAcmeServer; issue(name: string): Promise<{ leaf: x509.X509Certificate; chainPem: string; client: AcmeClient }> }> {
  const ports = await validationPorts('127.0.0.1', {});
  const server = await startAcmeServer({ ...defaultAcmeOptions(), listenAddress: '127.0.0.1:0', managementListenAddress: '127.0.0.1:0', httpPort: ports.httpPort, tlsPort: ports.tlsPort, ...o });
  const responder = await http01Standalone('127.0.0.1', ports.httpPort);
  t.teardown(async () => {
    await responder.close();
    await server.stop();
    await ports.close();
  });
  return {
    server,
    async issue(name) {
      const client = new AcmeClient({ directoryUrl: server.directoryUrl, accountKey: await generateKey('ec-p256'), ca: server.tlsCaPem, pollMinMs: 10 });
      t.teardown(() => client.close());
      await client.newAccount({ termsOfServiceAgreed: true });
      const issued = await issueCertificate(client, { names: [name], responder, certificateKey: await generateKey('ec-p256') });
      return { leaf: new x509.X509Certificate(issued.certPem), chainPem: issued.chainPem, client };
    },
  };
}

const ekus = (leaf: x509.X509Certificate) => [...(leaf.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])].map(String);
const crlUrls = (leaf: x509.X509Certificate) => [...(leaf.getExtension(x509.CRLDistributionPointsExtension)?.distributionPoints.flatMap((p) => p.distributionPoint?.fullName?.map((n) => n.uniformResourceIdentifier) ?? []) ?? [])];

t.test('certificates are for server authentication only, name the CRL, and carry no OCSP URL', async (t) => {
  const { server, issue } = await ca(t);
  const { leaf } = await issue('crl.example.org');
  t.strictSame(ekus(leaf), ['1.3.6.1.5.5.7.3.1'], 'serverAuth, without clientAuth');
  t.match(server.crlUrl, /^http:\/\/127\.0\.0\.1:\d+\/0\.crl$/);
  t.strictSame(crlUrls(leaf), [server.crlUrl], 'the CRL distribution point is the CA\'s');
  t.notOk(leaf.getExtension(x509.AuthorityInfoAccessExtension), 'no AIA: no OCSP URL unless ocspResponderURL is set');
});

t.test('openssl downloads the CRL the certificate names: good, then revoked as soon as revokeCert answers', async (t) => {
  if (!needPeer(t, 'openssl')) return;
  const { server, issue } = await ca(t);
  const { leaf, chainPem, client } = await issue('revoke-me.example.org');
  const dir = scratchDir(t);
  const transport = createTransport({ ca: server.tlsCaPem });
  t.teardown(() => transport.close());
  writeFileSync(join(dir, 'root.pem'), server.rootPem);
  writeFileSync(join(dir, 'chain.pem'), chainPem);
  writeFileSync(join(dir, 'leaf.pem'), leaf.toString('pem'));
  // -crl_check checks the leaf; the chain's own CRLs would be the root's business.
  // Not spawnSync: the CRL is served by this process, which must keep running while openssl asks.
  const verify = () =>
    new Promise<{ status: number | null; stderr: string }>((resolve) =>
      execFile('openssl', ['verify', '-crl_check', '-crl_download', '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'chain.pem'), join(dir, 'leaf.pem')], (e, _stdout, stderr) => resolve({ status: e ? (typeof e.code === 'number' ? e.code : null) : 0, stderr })),
    );
  const before = await verify();
  t.equal(before.status, 0, before.stderr);
  await client.revoke(new Uint8Array(leaf.rawData), { reason: 1 });
  const after = await verify();
  t.equal(after.status, 2);
  t.match(after.stderr, /certificate revoked/);
  const managed = await transport.request('GET', `${server.managementUrl}/crls/0`);
  const crl = new x509.X509Crl(managed.body.toString());
  t.strictSame(crl.entries.map((e) => e.serialNumber.toLowerCase()), [leaf.serialNumber.toLowerCase()], 'the management interface serves the same list');
  t.equal(crl.entries[0]!.reason, x509.X509CrlReason.keyCompromise);
});

t.test('a CA of the past on request: the clientAuth EKU, and no CRL', async (t) => {
  const { server, issue } = await ca(t, { clientAuthEku: true, crlListenAddress: '' });
  const { leaf } = await issue('legacy.example.org');
  t.strictSame(ekus(leaf), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  t.strictSame(crlUrls(leaf), []);
  t.equal(server.crlUrl, undefined);
});
