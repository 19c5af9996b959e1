// dns-01 for real: pebble-challtestsrv is the DNS server our CA's validator asks, and the client
// publishes its TXT record through challtestsrv's management API, as Pebble's own tests do.
// Also a wildcard, which only dns-01 can prove (RFC 8555 §7.1.3).
import t from 'tap';
import { startAcmeServer } from '../src/services/acme/server.ts';
import { defaultAcmeOptions } from '../src/services/acme/config.ts';
import { AcmeClient } from '../src/clients/acme/client.ts';
import { issueCertificate } from '../src/clients/acme/issue.ts';
import { keyAuthorizationDigest } from '../src/clients/acme/jws.ts';
import type { ChallengeResponder } from '../src/clients/acme/responders.ts';
import { startDaemon, waitForPort } from '../src/clients/daemon.ts';
import { daemonPort } from '../src/net/daemon-port.ts';
import { generateKey } from '../src/pki/keys.ts';
import { x509 } from '../src/pki/crypto.ts';
import { needPeer, tempDir } from './helpers.ts';

t.test('dns-01 against pebble-challtestsrv, for a name and a wildcard', async (t) => {
  if (!needPeer(t, 'pebble-challtestsrv')) return;
  const [dnsPort, mgmtPort] = [await daemonPort('127.0.0.1'), await daemonPort('127.0.0.1')];
  const dns = startDaemon(['pebble-challtestsrv', '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-dns01', `127.0.0.1:${dnsPort}`, '-management', `127.0.0.1:${mgmtPort}`, '-http01', '', '-https01', '', '-tlsalpn01', ''], { cwd: tempDir(), env: process.env });
  t.teardown(() => dns.stop());
  await waitForPort(dns, '127.0.0.1', mgmtPort);
  const server = await startAcmeServer({ ...defaultAcmeOptions(), listenAddress: '127.0.0.1:0', managementListenAddress: '', resolver: `127.0.0.1:${dnsPort}` });
  t.teardown(() => server.stop());
  const published: string[] = [];
  const txt = (path: string, body: object) => fetch(`http://127.0.0.1:${mgmtPort}${path}`, { method: 'POST', body: JSON.stringify(body) });
  const dns01: ChallengeResponder = {
    type: 'dns-01',
    hits: 0,
    async present(identifier, _token, keyAuthorization) {
      const host = `_acme-challenge.${identifier.value}.`;
      published.push(host);
      await txt('/set-txt', { host, value: keyAuthorizationDigest(keyAuthorization).toString('base64url') });
    },
    async cleanup(identifier) {
      await txt('/clear-txt', { host: `_acme-challenge.${identifier.value}.` });
    },
    async close() {},
  };
  const client = new AcmeClient({ directoryUrl: server.directoryUrl, accountKey: await generateKey('ec-p256'), ca: server.tlsCaPem, pollMinMs: 20 });
  t.teardown(() => client.close());
  await client.newAccount({ termsOfServiceAgreed: true });
  const r = await issueCertificate(client, { names: ['*.dns.example.org', 'dns.example.org'], responder: dns01, certificateKey: await generateKey('ec-p256') });
  const san = new x509.X509Certificate(r.certPem).getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((n) => n.value);
  t.same(san.sort(), ['*.dns.example.org', 'dns.example.org'], 'the certificate names the wildcard and the base name');
  t.equal(r.validated, 2, 'two authorizations, both proven over DNS');
  t.same(published, ['_acme-challenge.dns.example.org.', '_acme-challenge.dns.example.org.'], 'the wildcard is proven at its base name');

  // A TXT record with the wrong value: the authorization is invalid with an unauthorized problem.
  const liar: ChallengeResponder = { ...dns01, present: async (identifier) => void (await txt('/set-txt', { host: `_acme-challenge.${identifier.value}.`, value: 'wrong' })) };
  const failed = await issueCertificate(client, { names: ['liar.example.org'], responder: liar, certificateKey: await generateKey('ec-p256') }).catch((e: Error & { problem?: { type: string; detail: string } }) => e);
  t.equal((failed as { problem?: { type: string } }).problem?.type, 'urn:ietf:params:acme:error:unauthorized');
  t.match((failed as { problem?: { detail: string } }).problem?.detail, /Incorrect TXT record "wrong"/);
});
