// The CA at the protocol level: each refusal RFC 8555 names, with its problem type and status,
// the headers every response carries, the status transitions of §7.1.6, and the server still
// answering afterwards. Requests are signed with jose (src/clients/acme/jws.ts) and sent raw.
import t from 'tap';
import { FlattenedSign } from 'jose';
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { startAcmeServer, type RunningAcmeServer } from '../src/services/acme/server.ts';
import { defaultAcmeOptions, parsePebbleConfig, pebbleEnvironment } from '../src/services/acme/config.ts';
import { createTransport, type AcmeTransport } from '../src/clients/acme/transport.ts';
import { AcmeClient, AcmeError } from '../src/clients/acme/client.ts';
import { jwsKey, signJws, type JwsKey } from '../src/clients/acme/jws.ts';
import { http01Standalone } from '../src/clients/acme/responders.ts';
import { issueCertificate } from '../src/clients/acme/issue.ts';
import { createCsr } from '../src/pki/csr.ts';
import { generateKey, type PrivateKeyMaterial } from '../src/pki/keys.ts';
import { validationPorts, type ValidationPorts } from '../src/services/acme/validation-ports.ts';
import { x509 } from '../src/pki/crypto.ts';
import type { Order, Authorization } from '../src/clients/acme/wire.ts';

let server: RunningAcmeServer;
let raw: AcmeTransport;
let dir: Record<string, string>;
let httpPort: number;
let ports: ValidationPorts;

t.before(async () => {
  // The validator's ports are held by this process; the responders below answer on them.
  ports = await validationPorts('127.0.0.1', {});
  httpPort = ports.httpPort;
  server = await startAcmeServer({ ...defaultAcmeOptions(), listenAddress: '127.0.0.1:0', managementListenAddress: '127.0.0.1:0', httpPort, tlsPort: ports.tlsPort, ordersPerPage: 2, maxBodyBytes: 16 * 1024 });
  raw = createTransport({ ca: server.tlsCaPem });
  dir = JSON.parse((await raw.request('GET', server.directoryUrl)).body.toString());
});
t.teardown(async () => {
  await raw.close();
  await server.stop();
  await ports.close();
});

async function nonce(): Promise<string> {
  return (await raw.request('HEAD', dir.newNonce!)).headers['replay-nonce']!;
}

async function send(url: string, body: string, contentType = 'application/jose+json') {
  const res = await raw.request('POST', url, { body, contentType });
  const text = res.body.toString();
  return { status: res.status, headers: res.headers, json: text && /json/.test(res.headers['content-type'] ?? '') ? JSON.parse(text) : undefined, text };
}

async function account(key?: PrivateKeyMaterial): Promise<{ client: AcmeClient; key: JwsKey; url: string }> {
  const material = key ?? (await generateKey('ec-p256'));
  const client = new AcmeClient({ directoryUrl: server.directoryUrl, accountKey: material, ca: server.tlsCaPem, pollMinMs: 10 });
  const { url } = await client.newAccount({ termsOfServiceAgreed: true });
  t.teardown(() => client.close());
  return { client, key: await jwsKey(material), url };
}

t.test('every response carries Replay-Nonce, Link rel="index" and no-cache; newNonce answers HEAD 200 and GET 204', async (t) => {
  const head = await raw.request('HEAD', dir.newNonce!);
  const get = await raw.request('GET', dir.newNonce!);
  t.equal(head.status, 200);
  t.equal(get.status, 204);
  const d = await raw.request('GET', server.directoryUrl);
  for (const res of [head, get, d]) {
    t.match(res.headers['replay-nonce'], /^[A-Za-z0-9_-]{16,}$/);
    t.ok(res.links.some((l) => l.rel === 'index' && l.url === server.directoryUrl), 'Link rel="index" to the directory');
    t.match(res.headers['cache-control'], /no-cache/);
  }
  t.not(head.headers['replay-nonce'], get.headers['replay-nonce'], 'a fresh nonce each time');
  t.match(dir, { newNonce: /\/nonce-plz$/, newAccount: /\/sign-me-up$/, newOrder: /\/order-plz$/, revokeCert: /\/revoke-cert$/, keyChange: /\/rollover-account-key$/, renewalInfo: /\/draft-ietf-acme-ari-03\/renewalInfo$/ }, "Pebble's paths");
  t.match(JSON.parse(d.body.toString()).meta, { termsOfService: 'data:text/plain,Do%20what%20thou%20wilt', externalAccountRequired: false });
});

t.test('malformed requests: problem+json with the right type, and the server keeps answering', async (t) => {
  const { key, url } = await account();
  const signed = async (payload: unknown, o: Partial<{ nonce: string; url: string; kid: string | undefined }> = {}) =>
    signJws({ key, url: o.url ?? dir.newOrder!, nonce: o.nonce ?? (await nonce()), kid: 'kid' in o ? o.kid : url, payload });
  const order = { identifiers: [{ type: 'dns', value: 'a.example.org' }] };

  const cases: [string, () => Promise<{ status: number; json?: Record<string, unknown>; headers: Record<string, string> }>, number, string][] = [
    ['a nonce we never issued', async () => send(dir.newOrder!, await signed(order, { nonce: 'bm90LWEtbm9uY2U' })), 400, 'badNonce'],
    [
      'a replayed nonce',
      async () => {
        const n = await nonce();
        await send(dir.newOrder!, await signed(order, { nonce: n }));
        return send(dir.newOrder!, await signed(order, { nonce: n }));
      },
      400,
      'badNonce',
    ],
    ['a JWS signed by another key than the account\'s', async () => send(dir.newOrder!, await signJws({ key: await jwsKey(await generateKey('ec-p256')), url: dir.newOrder!, nonce: await nonce(), kid: url, payload: order })), 400, 'malformed'],
    ['an unknown kid', async () => send(dir.newOrder!, await signed(order, { kid: `${url}nope` })), 400, 'accountDoesNotExist'],
    [
      'an unsupported algorithm (HS256)',
      async () => send(dir.newOrder!, JSON.stringify(await new FlattenedSign(new TextEncoder().encode('{}')).setProtectedHeader({ alg: 'HS256', kid: url, url: dir.newOrder!, nonce: await nonce() }).sign(new Uint8Array(32)))),
      400,
      'badSignatureAlgorithm',
    ],
    ['a url header that is not the request URL', async () => send(dir.newOrder!, await signed(order, { url: dir.newAccount! })), 403, 'unauthorized'],
    ['jwk where kid is required', async () => send(dir.newOrder!, await signed(order, { kid: undefined })), 400, 'malformed'],
    ['a body that is not JSON', async () => send(dir.newOrder!, '{"protected": '), 400, 'malformed'],
    ['a JWS without a signature', async () => send(dir.newOrder!, JSON.stringify({ protected: 'e30', payload: '' })), 400, 'malformed'],
    ['a body larger than the limit', async () => send(dir.newOrder!, JSON.stringify({ protected: 'x'.repeat(20_000), payload: '', signature: '' })), 413, 'malformed'],
    ['Content-Type application/json', async () => send(dir.newOrder!, await signed(order), 'application/json'), 415, 'malformed'],
    ['an identifier type we do not know', async () => send(dir.newOrder!, await signed({ identifiers: [{ type: 'email', value: 'a@example.org' }] })), 400, 'unsupportedIdentifier'],
    ['a GET of a POST-only resource', async () => ({ ...(await raw.request('GET', dir.newOrder!)), json: JSON.parse((await raw.request('GET', dir.newOrder!)).body.toString()) }), 405, 'malformed'],
  ];
  for (const [what, request, status, type] of cases) {
    const res = await request();
    t.equal(res.status, status, `${what}: HTTP ${status}`);
    t.equal(res.json?.type, `urn:ietf:params:acme:error:${type}`, `${what}: ${type}`);
    if (status !== 405) t.match(res.headers['content-type'], /^application\/problem\+json/, `${what}: application/problem+json`);
  }
  const hs = await cases[4]![1]();
  t.match(hs.json?.algorithms, ['RS256', 'ES256'], 'badSignatureAlgorithm lists what we accept');
  const ok = await send(dir.newOrder!, await signed(order));
  t.equal(ok.status, 201, 'after all that, a good request still works');
});

t.test('signatures: every algorithm the directory lists verifies, and a forged one, a key of another curve or an unknown crit is refused', async (t) => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const payload = b64({ termsOfServiceAgreed: true });
  // Signed here with node:crypto, so each request carries exactly the header and signature the case needs.
  const request = async (o: { alg: string; key: KeyObject; header?: Record<string, unknown>; forge?: boolean; junk?: boolean }) => {
    const header = b64({ alg: o.alg, jwk: createPublicKey(o.key).export({ format: 'jwk' }), url: dir.newAccount, nonce: await nonce(), ...o.header });
    const hash = { RS256: 'sha256', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512', EdDSA: null }[o.alg]!;
    const signature = sign(hash, Buffer.from(`${header}.${payload}`), o.key.asymmetricKeyType === 'ec' ? { key: o.key, dsaEncoding: 'ieee-p1363' } : o.key);
    if (o.forge) signature[signature.length - 1]! ^= 1;
    const encoded = signature.toString('base64url');
    // A character outside base64url in the middle: Node's decoder would skip it and find the same signature.
    return send(dir.newAccount!, JSON.stringify({ protected: header, payload, signature: o.junk ? `${encoded.slice(0, 10)}!${encoded.slice(10)}` : encoded }));
  };
  const keys = {
    RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey,
    ES512: generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey,
    EdDSA: generateKeyPairSync('ed25519').privateKey,
  };
  for (const [alg, key] of Object.entries(keys)) {
    t.equal((await request({ alg, key })).status, 201, `${alg}: a new account`);
    const forged = await request({ alg, key, forge: true });
    t.equal(forged.json?.type, 'urn:ietf:params:acme:error:malformed', `${alg}: a signature with one bit changed is malformed`);
    t.match(forged.json?.detail, /signature does not verify with the embedded JWK/, `${alg}: for that reason`);
  }
  const junk = await request({ alg: 'ES256', key: keys.ES256, junk: true });
  t.equal(junk.json?.type, 'urn:ietf:params:acme:error:malformed', 'a good signature spelt with a character outside base64url is refused');
  t.match(junk.json?.detail, /"signature" is not base64url-encoded/);
  const curve = await request({ alg: 'ES384', key: keys.ES256 });
  t.equal(curve.json?.type, 'urn:ietf:params:acme:error:badSignatureAlgorithm', 'ES384 with a P-256 key');
  const crit = await request({ alg: 'ES256', key: keys.ES256, header: { crit: ['b64'], b64: false } });
  t.equal(crit.json?.type, 'urn:ietf:params:acme:error:malformed', 'a crit extension is refused, not ignored');
  t.match(crit.json?.detail, /"crit"/);
});

t.test('newAccount: weak keys, onlyReturnExisting, contacts, deactivation', async (t) => {
  // jose will not sign with RSA-1024 (rightly): sign this one request with node:crypto.
  const weak = await generateKey('rsa-1024');
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const protectedHeader = b64({ alg: 'RS256', jwk: weak.object.export({ format: 'jwk' }), url: dir.newAccount, nonce: await nonce() });
  const payload = b64({ termsOfServiceAgreed: true });
  const signature = sign('sha256', Buffer.from(`${protectedHeader}.${payload}`), weak.object).toString('base64url');
  const r1 = await send(dir.newAccount!, JSON.stringify({ protected: protectedHeader, payload, signature }));
  t.equal(r1.json?.type, 'urn:ietf:params:acme:error:badPublicKey', 'RSA-1024 account keys are refused');
  const fresh = await jwsKey(await generateKey('ec-p256'));
  const r2 = await send(dir.newAccount!, await signJws({ key: fresh, url: dir.newAccount!, nonce: await nonce(), payload: { onlyReturnExisting: true } }));
  t.equal(r2.json?.type, 'urn:ietf:params:acme:error:accountDoesNotExist', 'onlyReturnExisting for an unknown key');
  const r3 = await send(dir.newAccount!, await signJws({ key: fresh, url: dir.newAccount!, nonce: await nonce(), payload: { contact: ['tel:+1555'] } }));
  t.equal(r3.json?.type, 'urn:ietf:params:acme:error:unsupportedContact');
  const rsa = await generateKey('rsa-2048');
  const a = await account(rsa);
  const again = await a.client.newAccount({ onlyReturnExisting: true });
  t.equal(again.url, a.url, 'the same key finds the same account');
  t.equal(again.created, false, '200, not 201');
  t.equal((await a.client.updateAccount({ contact: ['mailto:new@example.org'] })).contact?.[0], 'mailto:new@example.org', 'contact updated');
  t.equal((await a.client.updateAccount({ status: 'deactivated' })).status, 'deactivated');
  const after = await a.client.newOrder([{ type: 'dns', value: 'x.example.org' }]).catch((e: AcmeError) => e);
  t.equal((after as AcmeError).type, 'unauthorized', 'a deactivated account can do nothing');
});

t.test('an order from pending to valid, with the refusals on the way', async (t) => {
  const { client } = await account();
  const responder = await http01Standalone('127.0.0.1', httpPort);
  t.teardown(() => responder.close());
  const { url, order } = await client.newOrder([{ type: 'dns', value: 'flow.example.org' }]);
  t.equal(order.status, 'pending');
  const key = await generateKey('ec-p256');
  const early = await client.finalize(order.finalize, new Uint8Array((await createCsr(key, ['flow.example.org'])).rawData)).catch((e: AcmeError) => e);
  t.equal((early as AcmeError).type, 'orderNotReady', 'finalize before ready');
  t.equal((early as AcmeError).status, 403);
  const authz = await client.authorization(order.authorizations[0]!);
  t.same(authz.challenges.map((c) => c.type).sort(), ['dns-01', 'http-01', 'tls-alpn-01'], 'three challenge types for a DNS name');
  const ch = authz.challenges.find((c) => c.type === 'http-01')!;
  await responder.present(authz.identifier, ch.token, `${ch.token}.${await client.thumbprint()}`);
  await client.answerChallenge(ch.url);
  t.equal((await client.poll<Authorization>(order.authorizations[0]!, (a) => a.status !== 'pending')).status, 'valid');
  t.equal((await client.get<Order>(url)).body.status, 'ready', 'all authorizations valid: ready');
  const wrongNames = await client.finalize(order.finalize, new Uint8Array((await createCsr(key, ['flow.example.org', 'extra.example.org'])).rawData)).catch((e: AcmeError) => e);
  t.equal((wrongNames as AcmeError).type, 'unauthorized', 'a CSR with a name not in the order: unauthorized, as Pebble says');
  t.equal((wrongNames as AcmeError).problem.detail, 'Order includes different number of DNSnames identifiers than CSR specifies');
  const cnOnly = await client.finalize(order.finalize, new Uint8Array((await createCsr(key, [], { commonName: 'flow.example.org' })).rawData)).catch((e: AcmeError) => e);
  t.equal((cnOnly as AcmeError).type, 'unauthorized', 'no SAN: the order\'s names are not in the CSR');
  const accountKeyCsr = await client.finalize(order.finalize, new Uint8Array((await createCsr(client.options.accountKey, ['flow.example.org'])).rawData)).catch((e: AcmeError) => e);
  t.equal((accountKeyCsr as AcmeError).type, 'badCSR', "a CSR with the account's own key");
  const processing = await client.finalize(order.finalize, new Uint8Array((await createCsr(key, ['flow.example.org'])).rawData));
  t.equal(processing.status, 'processing', 'finalize answers processing, as Pebble does');
  const done = await client.poll<Order>(url, (o) => o.status === 'valid' || o.status === 'invalid');
  t.equal(done.status, 'valid');
  t.ok(done.certificate, 'with a certificate URL');
  const again = await client.finalize(order.finalize, new Uint8Array((await createCsr(key, ['flow.example.org'])).rawData)).catch((e: AcmeError) => e);
  t.equal((again as AcmeError).type, 'orderNotReady', 'finalize twice');
});

t.test('validation failure: the port answers, without the token; the authorization and the order become invalid', async (t) => {
  const { client } = await account();
  const { url, order } = await client.newOrder([{ type: 'dns', value: 'nobody.example.org' }]);
  const authz = await client.authorization(order.authorizations[0]!);
  await client.answerChallenge(authz.challenges.find((c) => c.type === 'http-01')!.url);
  const failed = await client.poll<Authorization>(order.authorizations[0]!, (a) => a.status !== 'pending');
  t.equal(failed.status, 'invalid');
  const ch = failed.challenges.find((c) => c.type === 'http-01')!;
  t.equal(ch.status, 'invalid');
  t.equal(ch.error?.type, 'urn:ietf:params:acme:error:unauthorized');
  t.match(ch.error?.detail, /^Non-200 status code from HTTP: http:\/\/nobody\.example\.org:\d+\/\.well-known\/acme-challenge\/\S+ returned 404$/);
  t.equal((await client.get<Order>(url)).body.status, 'invalid', 'an invalid authorization makes the order invalid');
});

t.test('authorization deactivation invalidates the order', async (t) => {
  const { client } = await account();
  const { url, order } = await client.newOrder([{ type: 'dns', value: 'deact.example.org' }]);
  t.equal((await client.deactivateAuthorization(order.authorizations[0]!)).status, 'deactivated');
  t.equal((await client.get<Order>(url)).body.status, 'invalid');
  const twice = await client.deactivateAuthorization(order.authorizations[0]!).catch((e: AcmeError) => e);
  t.equal((twice as AcmeError).type, 'malformed', 'a deactivated authorization cannot be deactivated again');
});

t.test('certificate download with alternates, revocation, order listing, key change', async (t) => {
  const { client, url: accountUrl } = await account();
  const responder = await http01Standalone('127.0.0.1', httpPort);
  t.teardown(() => responder.close());
  const certKey = await generateKey('rsa-2048');
  const issued = await issueCertificate(client, { names: ['dl.example.org'], responder, certificateKey: certKey });
  const leaf = new x509.X509Certificate(issued.certPem);
  t.equal(leaf.subject, 'CN=dl.example.org');
  t.equal(issued.chainsOffered, 1, 'one chain without PEBBLE_ALTERNATE_ROOTS');

  const status = await raw.request('GET', `${server.managementUrl}/cert-status-by-serial/${leaf.serialNumber}`);
  t.equal(JSON.parse(status.body.toString()).Status, 'Valid', 'management: cert-status-by-serial');

  const bad = await client.revoke(new Uint8Array(leaf.rawData), { reason: 7 }).catch((e: AcmeError) => e);
  t.equal((bad as AcmeError).type, 'badRevocationReason', 'reason 7 is not a reason');
  const stranger = await account();
  const notYours = await stranger.client.revoke(new Uint8Array(leaf.rawData)).catch((e: AcmeError) => e);
  t.equal((notYours as AcmeError).type, 'unauthorized', 'another account may not revoke it');
  const wrongKey = await client.revoke(new Uint8Array(leaf.rawData), { certificateKey: await generateKey('rsa-2048') }).catch((e: AcmeError) => e);
  t.equal((wrongKey as AcmeError).type, 'unauthorized', "a JWK that is not the certificate's key");
  await client.revoke(new Uint8Array(leaf.rawData), { reason: 1, certificateKey: certKey });
  const revoked = JSON.parse((await raw.request('GET', `${server.managementUrl}/cert-status-by-serial/${leaf.serialNumber}`)).body.toString());
  t.match(revoked, { Status: 'Revoked', Reason: 1, ReasonName: 'keyCompromise' }, 'revoked by the certificate key, keyCompromise');
  const twice = await client.revoke(new Uint8Array(leaf.rawData)).catch((e: AcmeError) => e);
  t.equal((twice as AcmeError).type, 'alreadyRevoked');

  for (let i = 0; i < 3; i++) await client.newOrder([{ type: 'dns', value: `list${i}.example.org` }]);
  const account1 = await client.account();
  const page1 = await client.get<{ orders: string[] }>(account1.orders!);
  t.equal(page1.body.orders.length, 2, 'PEBBLE_WFE_ORDERS_PER_PAGE=2 per page');
  const next = page1.links.find((l) => l.rel === 'next');
  t.ok(next, 'Link rel="next" to the following page');

  const other = await account();
  const conflict = await client.changeKey(other.client.options.accountKey).catch((e: AcmeError) => e);
  t.equal((conflict as AcmeError).type, 'conflict', "a key that is another account's");
  t.equal((conflict as AcmeError).status, 409);
  const oldKey = client.options.accountKey;
  await client.changeKey(await generateKey('ec-p384'));
  t.equal((await client.account()).status, 'valid', 'the new key works');
  const old = new AcmeClient({ directoryUrl: server.directoryUrl, accountKey: oldKey, accountUrl, ca: server.tlsCaPem });
  t.teardown(() => old.close());
  t.equal(((await old.account().catch((e: AcmeError) => e)) as AcmeError).type, 'malformed', 'the old key no longer verifies');
});

t.test('management interface: roots and intermediates as PEM', async (t) => {
  const root = await raw.request('GET', `${server.managementUrl}/roots/0`);
  t.equal(root.status, 200);
  t.equal(root.body.toString(), server.rootPem);
  const inter = new x509.X509Certificate((await raw.request('GET', `${server.managementUrl}/intermediates/0`)).body.toString());
  t.ok(await inter.verify({ publicKey: new x509.X509Certificate(server.rootPem) }), 'intermediate 0 is signed by root 0');
  t.equal((await raw.request('GET', `${server.managementUrl}/roots/1`)).status, 404, 'no alternate root by default');
});

t.test("Pebble's config file and PEBBLE_* variables", async (t) => {
  const o = parsePebbleConfig(JSON.stringify({ pebble: { listenAddress: '0.0.0.0:14000', httpPort: 5002, tlsPort: 5001, externalAccountBindingRequired: true, externalAccountMACKeys: { 'kid-1': 'abc' }, certificateValidityPeriod: 7776000, keyAlgorithm: 'ecdsa' } }), 'cfg.json');
  t.match(o, { listenAddress: '0.0.0.0:14000', httpPort: 5002, externalAccountBindingRequired: true, certificateValidityPeriod: 7776000, keyAlgorithm: 'ecdsa' });
  t.throws(() => parsePebbleConfig('{"pebble": {"httpPort": "80"}}', 'cfg.json'), /cfg\.json: pebble\.httpPort must be a non-negative integer/, 'a port that is a string');
  t.throws(() => parsePebbleConfig('{"listenAddress": "x"}', 'cfg.json'), /expected an object with a "pebble" key/);
  t.throws(() => parsePebbleConfig('{', 'cfg.json'), /cfg\.json: not JSON/);
  t.same(pebbleEnvironment({ PEBBLE_VA_NOSLEEP: '1', PEBBLE_VA_SLEEPTIME: '9', PEBBLE_WFE_NONCEREJECT: '30', PEBBLE_AUTHZREUSE: '100', PEBBLE_CHAIN_LENGTH: '0', PEBBLE_ALTERNATE_ROOTS: '2', PEBBLE_VA_ALWAYS_VALID: 'true', PEBBLE_WFE_ORDERS_PER_PAGE: 'x' }), {
    vaSleepSeconds: 0,
    vaAlwaysValid: true,
    nonceRejectPercent: 30,
    authzReusePercent: 100,
    chainLength: 1,
    alternateRoots: 2,
  }, 'NOSLEEP wins over SLEEPTIME; chain length is at least 1; unparsable values are ignored, as Pebble does');
});
