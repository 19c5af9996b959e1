// The ACME CA under 10,000 malformed requests on loopback: wrong types in every JWS header and
// payload field, broken encodings, odd paths and bodies. No answer may be a 500 (each malformed
// request is the client's fault and gets an RFC 8555 problem), the process must survive, and a
// real client must still get a certificate afterwards. Seeded, so a failure replays.
import t from 'tap';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:net';
import { startAcmeServer, type RunningAcmeServer } from '../src/services/acme/server.ts';
import { defaultAcmeOptions } from '../src/services/acme/config.ts';
import { seededChance } from '../src/services/acme/chance.ts';
import { createTransport, type AcmeTransport } from '../src/clients/acme/transport.ts';
import { AcmeClient } from '../src/clients/acme/client.ts';
import { http01Standalone } from '../src/clients/acme/responders.ts';
import { issueCertificate } from '../src/clients/acme/issue.ts';
import { generateKey } from '../src/pki/keys.ts';
import { x509 } from '../src/pki/crypto.ts';

const REQUESTS = Number(process.env.ACME_FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.ACME_FUZZ_SEED ?? 20261201);
const WORKERS = 8;
const MAC_KEY = Buffer.alloc(32, 7).toString('base64url');
/** A bound on the whole run, so a regression that slows every answer cannot hang CI. */
const BUDGET_MS = 150_000;

/** The CA's own seeded generator, shaped for picking mutations. */
function prng(seed: number) {
  const chance = seededChance(seed);
  const next = () => chance.below(2 ** 32) / 2 ** 32;
  return { next, int: (n: number) => chance.below(n), pick: <T>(xs: readonly T[]): T => xs[chance.below(xs.length)]! };
}

const ODD_VALUES: unknown[] = [null, 0, -1, 1.5, 1e308, '', 'x', '%ZZ', '\u0000', 'é', 'a'.repeat(3000), [], [null], [[[]]], {}, { a: 1 }, true, false, 'mailto:', 'dns', 'https://127.0.0.1:1/'];

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Replaces one member somewhere in a JSON value with an odd one (or deletes it). */
function mutate(value: unknown, r: ReturnType<typeof prng>, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 4 || r.next() < 0.25) return r.pick(ODD_VALUES);
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  const keys = Object.keys(copy);
  if (!keys.length) return r.pick(ODD_VALUES);
  const k = r.pick(keys);
  if (r.next() < 0.1) delete copy[k];
  else copy[k] = mutate(copy[k], r, depth + 1);
  return copy;
}

let server: RunningAcmeServer;
let raw: AcmeTransport;
let dir: Record<string, string>;
let responder: Awaited<ReturnType<typeof http01Standalone>>;
const holders: ReturnType<typeof createServer>[] = [];

/** A loopback port held open (nobody answers on it) for the CA's tls-alpn-01 validator; closed when the test ends. */
async function heldPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  holders.push(s);
  return (s.address() as { port: number }).port;
}

t.before(async () => {
  // The http-01 responder binds port 0 first and the CA is told its port: no port is picked and released.
  responder = await http01Standalone('127.0.0.1', 0);
  server = await startAcmeServer({ ...defaultAcmeOptions(), listenAddress: '127.0.0.1:0', managementListenAddress: '127.0.0.1:0', httpPort: responder.port, tlsPort: await heldPort(), maxBodyBytes: 64 * 1024, externalAccountMACKeys: { k: MAC_KEY } });
  raw = createTransport({ ca: server.tlsCaPem });
  dir = JSON.parse((await raw.request('GET', server.directoryUrl)).body.toString());
});
t.teardown(async () => {
  await raw.close();
  await server.stop();
  await responder.close();
  for (const h of holders) h.close();
});

t.test(`${REQUESTS} malformed requests: no 500, no crash, and issuance still works`, async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const otherJwk = other.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });

  const nonces: string[] = [];
  const nonce = async () => nonces.pop() ?? ((await raw.request('HEAD', dir.newNonce!)).headers['replay-nonce'] as string);
  const jws = (header: unknown, payload: unknown, key = privateKey) => {
    const p = b64(header);
    const body = payload === undefined ? '' : b64(payload);
    return { protected: p, payload: body, signature: sign('sha256', Buffer.from(`${p}.${body}`), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url') };
  };
  /** An external account binding MAC'd with the CA's key, so mutations of what it binds get past the MAC. */
  const eab = (bound: unknown) => {
    const p = b64({ alg: 'HS256', kid: 'k', url: dir.newAccount });
    const body = b64(bound);
    return { protected: p, payload: body, signature: createHmac('sha256', Buffer.from(MAC_KEY, 'base64url')).update(`${p}.${body}`).digest('base64url') };
  };
  const post = async (url: string, body: string, contentType = 'application/jose+json') => {
    const res = await raw.request('POST', url, { body, contentType });
    const n = res.headers['replay-nonce'];
    if (typeof n === 'string') nonces.push(n);
    return res;
  };

  // One real account and order, so kid-signed mutations reach the handlers behind the JWS check.
  const acct = await post(dir.newAccount!, JSON.stringify(jws({ alg: 'ES256', jwk, url: dir.newAccount, nonce: await nonce() }, { termsOfServiceAgreed: true })));
  const kid = acct.headers.location as string;
  t.ok(kid, 'an account to sign with');
  const order = JSON.parse((await post(dir.newOrder!, JSON.stringify(jws({ alg: 'ES256', kid, url: dir.newOrder, nonce: await nonce() }, { identifiers: [{ type: 'dns', value: 'fuzz.example.org' }] })))).body.toString());
  const authzUrl = order.authorizations?.[0] as string;
  const authz = JSON.parse((await post(authzUrl, JSON.stringify(jws({ alg: 'ES256', kid, url: authzUrl, nonce: await nonce() }, undefined)))).body.toString());
  const challengeUrl = authz.challenges?.[0]?.url as string;

  // The cases once seen to answer 500, by name.
  const named: [string, string, unknown, unknown][] = [
    ['a non-string kid', dir.newOrder!, { alg: 'ES256', kid: 5 }, { identifiers: [{ type: 'dns', value: 'a.example.org' }] }],
    ['a numeric jwk.n', dir.newAccount!, { alg: 'RS256', jwk: { ...rsa, n: 12345 } }, { termsOfServiceAgreed: true }],
    ['key-change with a null inner payload', dir.keyChange!, { alg: 'ES256', kid }, jws({ alg: 'ES256', jwk: otherJwk, url: dir.keyChange }, null, other.privateKey)],
    ['a non-string profile', dir.newOrder!, { alg: 'ES256', kid }, { identifiers: [{ type: 'dns', value: 'a.example.org' }], profile: 7 }],
    ['an EAB whose payload is not a JWK', dir.newAccount!, { alg: 'ES256', jwk }, { termsOfServiceAgreed: true, externalAccountBinding: eab('not a jwk') }],
    ['an EAB whose JWK has a numeric x', dir.newAccount!, { alg: 'ES256', jwk: otherJwk }, { termsOfServiceAgreed: true, externalAccountBinding: eab({ ...otherJwk, x: 5 }) }],
  ];
  for (const [what, url, header, payload] of named) {
    const res = await post(url, JSON.stringify(jws({ ...(header as object), url, nonce: await nonce() }, payload)));
    t.ok(res.status < 500, `${what}: ${res.status}, not a server error`);
    if (res.status >= 400) t.match(res.headers['content-type'], /problem\+json/, `${what}: application/problem+json`);
  }
  const ari = await raw.request('GET', new URL('/draft-ietf-acme-ari-03/renewalInfo/%ZZ', server.directoryUrl).href);
  t.equal(ari.status, 400, 'GET renewalInfo/%ZZ: 400 malformed');

  const r = prng(SEED);
  const templates = [
    { url: dir.newAccount!, header: { alg: 'ES256', jwk }, payload: { termsOfServiceAgreed: true, contact: ['mailto:a@example.org'], externalAccountBinding: eab(otherJwk) } },
    { url: dir.newAccount!, header: { alg: 'RS256', jwk: rsa }, payload: { termsOfServiceAgreed: true } },
    { url: dir.newOrder!, header: { alg: 'ES256', kid }, payload: { identifiers: [{ type: 'dns', value: 'a.example.org' }, { type: 'ip', value: '127.0.0.1' }], notBefore: '2026-01-01T00:00:00Z', profile: 'default' } },
    { url: kid, header: { alg: 'ES256', kid }, payload: { contact: ['mailto:b@example.org'], status: 'valid' } },
    { url: dir.keyChange!, header: { alg: 'ES256', kid }, payload: jws({ alg: 'ES256', jwk: otherJwk, url: dir.keyChange }, { account: kid, oldKey: jwk }, other.privateKey) },
    { url: dir.revokeCert!, header: { alg: 'ES256', kid }, payload: { certificate: 'MIIB', reason: 1 } },
    { url: order.finalize as string, header: { alg: 'ES256', kid }, payload: { csr: 'MIIB' } },
    { url: challengeUrl, header: { alg: 'ES256', kid }, payload: {} },
    { url: authzUrl, header: { alg: 'ES256', kid }, payload: { status: 'deactivated' } },
  ];
  const getPaths = ['/draft-ietf-acme-ari-03/renewalInfo/%ZZ', '/draft-ietf-acme-ari-03/renewalInfo/AAAA.%E0%A4%A', '/draft-ietf-acme-ari-03/renewalInfo/a.b', '/my-order/%ZZ', '/authZ/%', '/certZ/%C0%AF', `/${'a'.repeat(5000)}`, '/dir?%ZZ', '/nonce-plz'];

  const fiveHundreds: string[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  let sent = 0;
  const one = async (i: number) => {
    const choice = r.next();
    let what: string;
    let res;
    if (choice < 0.08) {
      const path = r.pick(getPaths);
      what = `GET ${path.slice(0, 60)}`;
      res = await raw.request('GET', new URL(path, server.directoryUrl).href);
    } else if (choice < 0.14) {
      const body = r.pick(['', '{', '[]', 'null', '{"protected":1,"payload":2,"signature":3}', JSON.stringify({ protected: b64('not json'), payload: '', signature: '' }), JSON.stringify({ protected: b64({ alg: 'ES256', kid }), payload: '!!', signature: '!!' })]);
      what = `raw body ${body.slice(0, 60)}`;
      res = await post(r.pick(templates).url, body, r.pick(['application/jose+json', 'text/plain']));
    } else {
      const tpl = r.pick(templates);
      const header: Record<string, unknown> = { ...tpl.header, url: tpl.url, nonce: await nonce() };
      const target = r.next();
      const mutatedHeader = target < 0.4 ? (mutate(header, r) as Record<string, unknown>) : header;
      const mutatedPayload = target >= 0.3 ? mutate(tpl.payload, r) : tpl.payload;
      what = `POST ${tpl.url.replace(/^https:\/\/[^/]+/, '')} header=${JSON.stringify(mutatedHeader).slice(0, 160)} payload=${JSON.stringify(mutatedPayload)?.slice(0, 160)}`;
      let body: string;
      try {
        body = JSON.stringify(jws(mutatedHeader, mutatedPayload));
      } catch {
        body = JSON.stringify({ protected: b64(mutatedHeader ?? null), payload: b64(mutatedPayload ?? null), signature: 'AA' });
      }
      res = await post(tpl.url, body);
    }
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status >= 500) fiveHundreds.push(`#${i} ${res.status} ${what} -> ${res.body.toString().slice(0, 200)}`);
  };
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (sent < REQUESTS && performance.now() - started < BUDGET_MS) await one(sent++);
    }),
  );
  t.equal(sent, REQUESTS, `all ${REQUESTS} requests were sent within the budget`);
  t.strictSame(fiveHundreds.slice(0, 10), [], `no answer of 500 or more (${fiveHundreds.length} of ${sent}; seed ${SEED})`);
  t.comment(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);

  // The management port takes junk too.
  const clock = await raw.request('POST', `${server.managementUrl}/clock`, { body: 'not json', contentType: 'application/json' });
  t.equal(clock.status, 400, 'POST /clock with a body that is not JSON: 400');

  // And a real client still gets a certificate.
  const client = new AcmeClient({ directoryUrl: server.directoryUrl, accountKey: await generateKey('ec-p256'), ca: server.tlsCaPem, pollMinMs: 10 });
  await client.newAccount({ termsOfServiceAgreed: true });
  try {
    const issued = await issueCertificate(client, { names: ['after-fuzz.example.org'], responder, certificateKey: await generateKey('ec-p256') });
    t.equal(new x509.X509Certificate(issued.certPem).subject, 'CN=after-fuzz.example.org', 'issued after the fuzz');
  } finally {
    await client.close();
  }
});
