// RFC 8555 §7.3: newAccount (with onlyReturnExisting and external account binding), the
// account resource (update, deactivation), and the order list (Pebble: /list-orderz/<id>).
import { flattenedVerify, type FlattenedJWSInput, type JWK } from 'jose';
import { calculateJwkThumbprint } from 'jose';
import { accountDoesNotExist, externalAccountRequired, invalidContact, malformed, unauthorized, unsupportedContact } from '../problems.ts';
import { isJwkShaped, objectPayload, parseJws } from '../jws.ts';
import type { AccountRecord } from '../state.ts';
import { PATHS, withId, type WfeContext } from './context.ts';
import { signedRequest, type Route } from './http.ts';
import { accountUrl, accountView, orderUrl } from './views.ts';

function checkContacts(contact: unknown): string[] {
  if (contact === undefined) return [];
  if (!Array.isArray(contact)) throw malformed('"contact" must be a list of URLs');
  for (const c of contact) {
    if (typeof c !== 'string') throw malformed('"contact" must be a list of URLs');
    if (!c.startsWith('mailto:')) throw unsupportedContact(`contact '${c}' is not a mailto: URL; only mailto: is supported`);
    const address = c.slice('mailto:'.length);
    if (!/^[^@\s,?]+@[^@\s,?]+\.[^@\s,?]+$/.test(address)) throw invalidContact(`contact '${c}' is not a valid email address`);
  }
  return contact as string[];
}

/** RFC 8555 §7.3.4: an HS256 JWS over the account JWK, keyed by a MAC key the CA gave out. */
async function checkBinding(binding: unknown, accountJwk: JWK, url: string, ctx: WfeContext): Promise<string> {
  if (!binding || typeof binding !== 'object') throw externalAccountRequired('this CA requires an external account binding ("externalAccountBinding" in newAccount)');
  const { jws, header } = parseJws(Buffer.from(JSON.stringify(binding)));
  if (header.alg !== 'HS256' && header.alg !== 'HS384' && header.alg !== 'HS512') throw malformed(`externalAccountBinding must be signed with an HMAC algorithm, not ${header.alg}`);
  if (header.url !== url) throw malformed(`externalAccountBinding "url" must be the newAccount URL ${url}`);
  if ('nonce' in header) throw malformed('externalAccountBinding must not have a "nonce"');
  const macKey = typeof header.kid === 'string' ? ctx.options.externalAccountMACKeys[header.kid] : undefined;
  if (!macKey) throw unauthorized(`externalAccountBinding key id '${String(header.kid)}' is not known to this CA`);
  let payload: Uint8Array;
  try {
    payload = (await flattenedVerify(jws as FlattenedJWSInput, Buffer.from(macKey, 'base64url'))).payload;
  } catch {
    throw unauthorized('externalAccountBinding does not verify with the MAC key of its key id');
  }
  let bound: JWK;
  try {
    bound = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw malformed('externalAccountBinding payload is not a JWK');
  }
  if (!isJwkShaped(bound)) throw malformed('externalAccountBinding payload is not a JWK');
  const boundThumbprint = await calculateJwkThumbprint(bound, 'sha256').catch(() => Promise.reject(malformed('externalAccountBinding payload is not a complete JWK')));
  if (boundThumbprint !== (await calculateJwkThumbprint(accountJwk, 'sha256'))) throw unauthorized('externalAccountBinding binds a different key than the one signing this request');
  return header.kid as string;
}

export const accountRoutes: Route[] = [
  {
    path: /^\/sign-me-up\/?$/,
    methods: ['POST'],
    async handle(req, ctx) {
      const jws = await signedRequest(req, ctx, 'jwk');
      const body = objectPayload(jws);
      const existingId = ctx.store.accountsByThumbprint.get(jws.thumbprint);
      if (existingId) {
        const existing = ctx.store.accounts.get(existingId)!;
        if (existing.status !== 'valid') throw unauthorized(`the account for this key is ${existing.status}`);
        return { status: 200, headers: { location: accountUrl(req.base, existingId) }, json: accountView(req.base, existing) };
      }
      if (body.onlyReturnExisting === true) throw accountDoesNotExist('unable to find an existing account for this key (onlyReturnExisting)');
      const contact = checkContacts(body.contact);
      const eabKeyId = ctx.options.externalAccountBindingRequired || body.externalAccountBinding !== undefined ? await checkBinding(body.externalAccountBinding, jws.jwk, req.url, ctx) : undefined;
      const account: AccountRecord = {
        id: ctx.store.newId(),
        jwk: jws.jwk,
        thumbprint: jws.thumbprint,
        status: 'valid',
        contact,
        termsOfServiceAgreed: body.termsOfServiceAgreed === true,
        orderIds: [],
        ...(eabKeyId ? { eabKeyId } : {}),
        createdAt: ctx.now(),
      };
      ctx.store.accounts.set(account.id, account);
      ctx.store.accountsByThumbprint.set(account.thumbprint, account.id);
      ctx.log(`new account ${account.id}${contact.length ? ` (${contact.join(', ')})` : ''}`);
      return { status: 201, headers: { location: accountUrl(req.base, account.id) }, json: accountView(req.base, account) };
    },
  },
  {
    path: withId(PATHS.account),
    methods: ['POST'],
    async handle(req, ctx) {
      const jws = await signedRequest(req, ctx, 'kid');
      const account = jws.account!;
      if (account.id !== req.params[0]) throw unauthorized('the request is signed by a different account than the one it addresses');
      if (!jws.postAsGet) {
        const body = objectPayload(jws);
        if (body.status !== undefined && body.status !== 'deactivated' && body.status !== 'valid') throw malformed(`an account's status may only be set to "deactivated", not "${String(body.status)}"`);
        if (body.contact !== undefined) account.contact = checkContacts(body.contact);
        if (body.status === 'deactivated') {
          account.status = 'deactivated';
          ctx.log(`account ${account.id} deactivated`);
        }
      }
      return { status: 200, headers: { location: accountUrl(req.base, account.id) }, json: accountView(req.base, account) };
    },
  },
  {
    path: withId(PATHS.orders),
    methods: ['POST'],
    async handle(req, ctx) {
      const jws = await signedRequest(req, ctx, 'kid');
      if (jws.account!.id !== req.params[0]) throw unauthorized('an account may only list its own orders');
      const perPage = ctx.options.ordersPerPage;
      const cursor = Math.max(0, Number(req.query.get('cursor') ?? 0) || 0);
      const all = jws.account!.orderIds;
      const page = all.slice(cursor * perPage, (cursor + 1) * perPage);
      const more = (cursor + 1) * perPage < all.length;
      return {
        status: 200,
        ...(more ? { headers: { link: `<${req.base}${PATHS.orders}${req.params[0]}?cursor=${cursor + 1}>;rel="next"` } } : {}),
        json: { orders: page.map((id) => orderUrl(req.base, id)) },
      };
    },
  },
];
