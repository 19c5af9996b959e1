// RFC 8555 §7.3.5 key rollover: the outer JWS is signed by the account's current key, the inner
// by the new one, and the inner payload names the account and the old key.
import { calculateJwkThumbprint, flattenedVerify, importJWK, type FlattenedJWSInput, type JWK } from 'jose';
import { badPublicKey, conflict, malformed, unauthorized } from '../problems.ts';
import { isJwkShaped, objectPayload, parseJws, SUPPORTED_ALGORITHMS } from '../jws.ts';
import { signedRequest, type Route } from './http.ts';
import { accountUrl, accountView } from './views.ts';

export const keyChangeRoutes: Route[] = [
  {
    path: /^\/rollover-account-key\/?$/,
    methods: ['POST'],
    async handle(req, ctx) {
      const outer = await signedRequest(req, ctx, 'kid');
      const account = outer.account!;
      const { jws, header } = parseJws(Buffer.from(JSON.stringify(objectPayload(outer))));
      if (!header.jwk || header.kid || !isJwkShaped(header.jwk)) throw malformed('the inner JWS of a key change must carry the new key as "jwk", a JSON object of strings');
      if (header.url !== req.url) throw malformed(`the inner JWS "url" must equal the outer one (${req.url})`);
      if ('nonce' in header) throw malformed('the inner JWS of a key change must not have a "nonce"');
      if (!(SUPPORTED_ALGORITHMS as readonly string[]).includes(header.alg)) throw malformed(`inner JWS algorithm '${header.alg}' is not supported`);
      let payload: unknown;
      try {
        const key = await importJWK({ ...header.jwk, alg: header.alg }, header.alg);
        payload = JSON.parse(Buffer.from((await flattenedVerify(jws as FlattenedJWSInput, key)).payload).toString('utf8'));
      } catch {
        throw malformed('the inner JWS does not verify with the new key it carries');
      }
      if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw malformed('the inner JWS payload must be a JSON object with "account" and "oldKey"');
      const inner = payload as Record<string, unknown>;
      if (inner.account !== accountUrl(req.base, account.id)) throw unauthorized('the inner JWS names a different account than the one signing the request');
      const oldThumbprint = isJwkShaped(inner.oldKey) ? await calculateJwkThumbprint(inner.oldKey as JWK, 'sha256').catch(() => undefined) : undefined;
      if (oldThumbprint !== account.thumbprint) throw unauthorized('"oldKey" is not the key this account has now');
      const newJwk = header.jwk;
      if (newJwk.kty === 'RSA' && Buffer.from(newJwk.n ?? '', 'base64url').length * 8 < 2048) throw badPublicKey('the new key is an RSA key shorter than 2048 bits');
      const thumbprint = await calculateJwkThumbprint(newJwk, 'sha256').catch(() => Promise.reject(malformed('the new key is not a complete JWK')));
      const holder = ctx.store.accountsByThumbprint.get(thumbprint);
      if (holder) throw conflict('the new key is already the key of an account', accountUrl(req.base, holder));
      ctx.store.accountsByThumbprint.delete(account.thumbprint);
      account.jwk = newJwk;
      account.thumbprint = thumbprint;
      account.verifyKeys = new Map();
      ctx.store.accountsByThumbprint.set(thumbprint, account.id);
      ctx.log(`account ${account.id} changed its key`);
      return { status: 200, headers: { location: accountUrl(req.base, account.id) }, json: accountView(req.base, account) };
    },
  },
];
