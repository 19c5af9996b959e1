// An RFC 8555 client: one account key, one directory, a nonce kept from every response, and
// each resource as a method. It retries badNonce (§6.5) with the nonce of the error response,
// honours Retry-After while polling (§7.5.1, §7.4) and turns every error into an AcmeError
// that carries the server's problem document.
import { setTimeout as sleep } from 'node:timers/promises';
import type { JWK } from 'jose';
import type { PrivateKeyMaterial } from '../../pki/keys.ts';
import { createTransport, type AcmeHttpResponse, type AcmeTransport, type AcmeTransportOptions } from './transport.ts';
import { jwsKey, signJws, externalAccountBinding, type JwsKey } from './jws.ts';
import { shortErrorType, type Account, type Authorization, type Directory, type Identifier, type Order, type Problem } from './wire.ts';

export class AcmeError extends Error {
  readonly problem: Problem;
  readonly status: number;
  readonly url: string;
  /** Retry-After of the answer, in seconds (rateLimited carries one). */
  readonly retryAfterSeconds: number | undefined;
  constructor(problem: Problem, status: number, url: string, retryAfter?: string) {
    super(`${shortErrorType(problem.type) || 'error'}: ${problem.detail ?? ''} (HTTP ${status} from ${url})`);
    this.name = 'AcmeError';
    this.problem = problem;
    this.status = status;
    this.url = url;
    const ms = retryAfterMs(retryAfter);
    this.retryAfterSeconds = ms === undefined ? undefined : Math.round(ms / 1000);
  }
  get type(): string {
    return shortErrorType(this.problem.type);
  }
}

export interface AcmeClientOptions extends AcmeTransportOptions {
  directoryUrl: string;
  accountKey: PrivateKeyMaterial;
  /** A known account URL (skips newAccount). */
  accountUrl?: string;
  /** How many times one request is re-sent after badNonce. Default 5. */
  badNonceRetries?: number;
  /** Polling: first interval and cap, in ms, when the server sends no Retry-After. */
  pollMinMs?: number;
  pollMaxMs?: number;
  /** Give up polling one resource after this long (ms). Default 60 000. */
  pollTimeoutMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface AcmeResponse<T> {
  status: number;
  headers: Record<string, string>;
  links: { rel: string; url: string }[];
  location?: string;
  body: T;
  raw: Buffer;
}

export class AcmeClient {
  readonly options: AcmeClientOptions;
  accountUrl: string | undefined;
  private readonly transport: AcmeTransport;
  private key: Promise<JwsKey>;
  private dir: Directory | undefined;
  private nonces: string[] = [];
  /** Counters a step reports: how often the server refused a nonce, how many requests were sent. */
  readonly stats = { requests: 0, badNonceRetries: 0, polls: 0 };

  constructor(options: AcmeClientOptions) {
    this.options = options;
    this.accountUrl = options.accountUrl;
    this.transport = createTransport(options);
    this.key = jwsKey(options.accountKey);
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  async accountJwk(): Promise<JWK> {
    return (await this.key).jwk;
  }

  async thumbprint(): Promise<string> {
    return (await this.key).thumbprint;
  }

  private log(line: string) {
    this.options.log?.(line);
  }

  private async http(method: 'GET' | 'HEAD' | 'POST', url: string, body?: string): Promise<AcmeHttpResponse> {
    this.stats.requests++;
    const res = await this.transport.request(method, url, { ...(body !== undefined ? { body, contentType: 'application/jose+json' } : {}), ...(this.options.signal ? { signal: this.options.signal } : {}) });
    const nonce = res.headers['replay-nonce'];
    if (nonce) this.nonces.push(nonce);
    return res;
  }

  async directory(): Promise<Directory> {
    if (this.dir) return this.dir;
    const res = await this.http('GET', this.options.directoryUrl);
    if (res.status !== 200) throw new AcmeError(problemOf(res), res.status, this.options.directoryUrl);
    this.dir = JSON.parse(res.body.toString('utf8')) as Directory;
    return this.dir;
  }

  private async nonce(): Promise<string> {
    const kept = this.nonces.shift();
    if (kept) return kept;
    const url = (await this.directory()).newNonce;
    const res = await this.http('HEAD', url);
    const nonce = this.nonces.shift();
    if (!nonce) throw new AcmeError({ type: 'urn:ietf:params:acme:error:badNonce', detail: `no Replay-Nonce header from ${url}` }, res.status, url);
    return nonce;
  }

  /**
   * A signed POST. `payload` undefined is POST-as-GET. `as: 'jwk'` signs with the JWK in the
   * header (newAccount); `key` signs with another key (revocation by certificate key).
   */
  async post<T = unknown>(url: string, payload: unknown, o: { as?: 'kid' | 'jwk'; key?: JwsKey; accept?: 'json' | 'raw' } = {}): Promise<AcmeResponse<T>> {
    const key = o.key ?? (await this.key);
    const useKid = (o.as ?? 'kid') === 'kid' && !o.key;
    if (useKid && !this.accountUrl) throw new Error('no account yet: call newAccount first');
    const retries = this.options.badNonceRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      const body = await signJws({ key, url, nonce: await this.nonce(), payload, ...(useKid ? { kid: this.accountUrl! } : {}) });
      const res = await this.http('POST', url, body);
      if (res.status >= 400) {
        const problem = problemOf(res);
        if (shortErrorType(problem.type) === 'badNonce' && attempt < retries) {
          this.stats.badNonceRetries++;
          this.log(`badNonce from ${url}: retrying with the nonce of the error response`);
          continue;
        }
        throw new AcmeError(problem, res.status, url, res.headers['retry-after']);
      }
      const text = res.body.toString('utf8');
      const json = o.accept !== 'raw' && /json/.test(res.headers['content-type'] ?? '') && text ? (JSON.parse(text) as T) : (text as T);
      return { status: res.status, headers: res.headers, links: res.links, ...(res.headers.location ? { location: new URL(res.headers.location, url).toString() } : {}), body: json, raw: res.body };
    }
  }

  async newAccount(o: { contact?: string[]; termsOfServiceAgreed?: boolean; onlyReturnExisting?: boolean; eab?: { keyId: string; hmacKey: string } } = {}): Promise<{ url: string; account: Account; created: boolean }> {
    const dir = await this.directory();
    const payload: Record<string, unknown> = {};
    if (o.contact) payload.contact = o.contact;
    if (o.termsOfServiceAgreed !== undefined) payload.termsOfServiceAgreed = o.termsOfServiceAgreed;
    if (o.onlyReturnExisting) payload.onlyReturnExisting = true;
    if (o.eab) payload.externalAccountBinding = await externalAccountBinding({ ...o.eab, accountJwk: await this.accountJwk(), url: dir.newAccount });
    const res = await this.post<Account>(dir.newAccount, payload, { as: 'jwk' });
    if (!res.location) throw new Error(`newAccount answered ${res.status} without a Location header`);
    this.accountUrl = res.location;
    return { url: res.location, account: res.body, created: res.status === 201 };
  }

  async account(): Promise<Account> {
    return (await this.post<Account>(this.requireAccount(), undefined)).body;
  }

  async updateAccount(update: { contact?: string[]; status?: 'deactivated' }): Promise<Account> {
    return (await this.post<Account>(this.requireAccount(), update)).body;
  }

  private requireAccount(): string {
    if (!this.accountUrl) throw new Error('no account yet: call newAccount first');
    return this.accountUrl;
  }

  /** RFC 8555 §7.3.5: the outer JWS is signed by the current key, the inner by the new one. */
  async changeKey(newKey: PrivateKeyMaterial): Promise<void> {
    const dir = await this.directory();
    const next = await jwsKey(newKey);
    const inner = JSON.parse(await signJws({ key: next, url: dir.keyChange, payload: { account: this.requireAccount(), oldKey: await this.accountJwk() } }));
    await this.post(dir.keyChange, inner);
    this.key = Promise.resolve(next);
  }

  async newOrder(identifiers: Identifier[], o: { notBefore?: string; notAfter?: string; replaces?: string; profile?: string } = {}): Promise<{ url: string; order: Order }> {
    const dir = await this.directory();
    const res = await this.post<Order>(dir.newOrder, { identifiers, ...o });
    if (!res.location) throw new Error(`newOrder answered ${res.status} without a Location header`);
    return { url: res.location, order: res.body };
  }

  async get<T>(url: string): Promise<AcmeResponse<T>> {
    return this.post<T>(url, undefined);
  }

  async authorization(url: string): Promise<Authorization> {
    return (await this.get<Authorization>(url)).body;
  }

  async answerChallenge(url: string): Promise<unknown> {
    return (await this.post(url, {})).body;
  }

  async deactivateAuthorization(url: string): Promise<Authorization> {
    return (await this.post<Authorization>(url, { status: 'deactivated' })).body;
  }

  async finalize(finalizeUrl: string, csrDer: Uint8Array): Promise<Order> {
    return (await this.post<Order>(finalizeUrl, { csr: Buffer.from(csrDer).toString('base64url') })).body;
  }

  /** Polls until `done(resource)` holds, waiting Retry-After when sent, else backing off. */
  async poll<T>(url: string, done: (r: T) => boolean): Promise<T> {
    const deadline = Date.now() + (this.options.pollTimeoutMs ?? 60_000);
    let interval = this.options.pollMinMs ?? 100;
    for (;;) {
      const res = await this.get<T>(url);
      if (done(res.body)) return res.body;
      if (Date.now() > deadline) throw new Error(`gave up polling ${url} after ${this.options.pollTimeoutMs ?? 60_000} ms: still ${(res.body as { status?: string }).status}`);
      this.stats.polls++;
      // Retry-After is a floor (RFC 8555 §7.4); our own back-off still applies above it.
      const wait = Math.max(retryAfterMs(res.headers['retry-after']) ?? 0, interval);
      interval = Math.min(interval * 2, this.options.pollMaxMs ?? 2_000);
      await sleep(Math.max(0, Math.min(wait, deadline - Date.now())), undefined, this.options.signal ? { signal: this.options.signal } : undefined);
    }
  }

  /** The chain at `url` and the alternates the server links to (RFC 8555 §7.4.2). */
  async certificateChains(url: string): Promise<{ url: string; pem: string }[]> {
    const first = await this.post<string>(url, undefined, { accept: 'raw' });
    const chains = [{ url, pem: first.raw.toString('utf8') }];
    for (const link of first.links.filter((l) => l.rel === 'alternate')) {
      chains.push({ url: link.url, pem: (await this.post<string>(link.url, undefined, { accept: 'raw' })).raw.toString('utf8') });
    }
    return chains;
  }

  /** RFC 8555 §7.6: signed by the account key, or by the certificate's own key when `certificateKey` is given. */
  async revoke(certificateDer: Uint8Array, o: { reason?: number; certificateKey?: PrivateKeyMaterial } = {}): Promise<void> {
    const dir = await this.directory();
    const payload = { certificate: Buffer.from(certificateDer).toString('base64url'), ...(o.reason !== undefined ? { reason: o.reason } : {}) };
    if (o.certificateKey) await this.post(dir.revokeCert, payload, { key: await jwsKey(o.certificateKey) });
    else await this.post(dir.revokeCert, payload);
  }

  /** ARI (draft-ietf-acme-ari-03 §4): a plain GET of renewalInfo/<certID>. */
  async renewalInfo(certId: string): Promise<{ suggestedWindow: { start: string; end: string }; explanationURL?: string } | undefined> {
    const dir = await this.directory();
    if (!dir.renewalInfo) return undefined;
    const url = `${dir.renewalInfo.replace(/\/$/, '')}/${certId}`;
    const res = await this.http('GET', url);
    if (res.status !== 200) throw new AcmeError(problemOf(res), res.status, url);
    return JSON.parse(res.body.toString('utf8'));
  }
}

function problemOf(res: AcmeHttpResponse): Problem {
  try {
    const parsed = JSON.parse(res.body.toString('utf8')) as Problem;
    if (parsed && typeof parsed.type === 'string') return parsed;
  } catch {
    // not JSON: fall through
  }
  return { type: 'about:blank', detail: `HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 200)}` };
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
