// RFC 8555 §7.5 authorizations and their deactivation (§7.5.2), and §7.5.1 challenges: a POST
// of {} starts validation in the background; the client polls the authorization.
import { keyAuthorization } from '../../../clients/acme/jws.ts';
import { AcmeProblem, malformed, unauthorized } from '../problems.ts';
import type { VerifiedJws } from '../jws.ts';
import type { AuthorizationRecord, ChallengeRecord } from '../state.ts';
import { PATHS, withId, type WfeContext } from './context.ts';
import { signedRequest, type AcmeReply, type Route } from './http.ts';
import { authzUrl, authzView, challengeView } from './views.ts';

/** A validated authorization is good for 30 days (Let's Encrypt's reuse period). */
const VALID_AUTHZ_LIFETIME_MS = 30 * 86_400_000;

function ownAuthorization(jws: VerifiedJws, ctx: WfeContext, id: string): AuthorizationRecord {
  const authz = ctx.store.authorizations.get(id);
  if (!authz) throw new AcmeProblem('malformed', 404, `no authorization ${id}`);
  if (authz.accountId !== jws.account!.id) throw unauthorized('this authorization belongs to another account');
  return authz;
}

function retryHeaders(ctx: WfeContext, authz: AuthorizationRecord): Record<string, string> {
  const validating = authz.challengeIds.map((id) => ctx.store.challenges.get(id)!).find((c) => c.status === 'processing');
  if (!validating) return {};
  const left = Math.ceil(Math.max(0, (validating.expectedDoneAt ?? 0) - Date.now()) / 1000);
  return { 'retry-after': String(Math.max(left, ctx.options.retryAfter.authz)) };
}

function authzReply(base: string, ctx: WfeContext, authz: AuthorizationRecord): AcmeReply {
  return { status: 200, headers: retryHeaders(ctx, authz), json: authzView(base, ctx.store, authz) };
}

function startValidation(ctx: WfeContext, authz: AuthorizationRecord, challenge: ChallengeRecord, thumbprint: string): void {
  challenge.status = 'processing';
  challenge.expectedDoneAt = Date.now() + ctx.va.maxSleepSeconds * 1000;
  ctx.background(async () => {
    const problem = await ctx.va.validate({ type: challenge.type, identifier: authz.identifier, token: challenge.token, keyAuthorization: keyAuthorization(challenge.token, thumbprint) });
    // Deactivated while we were validating: the client's word wins.
    if (authz.status !== 'pending') return;
    if (problem) {
      challenge.status = 'invalid';
      challenge.error = problem.toJSON() as never;
      authz.status = 'invalid';
      ctx.limits.spend('failedValidations', `${authz.accountId} ${authz.identifier.value}`);
      ctx.log(`${challenge.type} for ${authz.identifier.value} failed: ${problem.message}`);
    } else {
      challenge.status = 'valid';
      challenge.validated = ctx.now();
      authz.status = 'valid';
      authz.expires = new Date(ctx.now().getTime() + VALID_AUTHZ_LIFETIME_MS);
      ctx.log(`${challenge.type} for ${authz.identifier.value} is valid`);
    }
  });
}

export const authzRoutes: Route[] = [
  {
    path: withId(PATHS.authz),
    methods: ['POST'],
    async handle(req, ctx) {
      const jws = await signedRequest(req, ctx, 'kid');
      const authz = ownAuthorization(jws, ctx, req.params[0]!);
      if (!jws.postAsGet) {
        const body = jws.payload as { status?: unknown };
        if (body?.status !== 'deactivated') throw malformed('an authorization can only be updated to {"status": "deactivated"}');
        const status = ctx.store.authzStatus(authz);
        if (status !== 'pending' && status !== 'valid') throw malformed(`an authorization that is ${status} cannot be deactivated`);
        authz.status = 'deactivated';
      }
      return authzReply(req.base, ctx, authz);
    },
  },
  {
    path: withId(PATHS.challenge),
    methods: ['POST'],
    async handle(req, ctx) {
      const jws = await signedRequest(req, ctx, 'kid');
      const challenge = ctx.store.challenges.get(req.params[0]!);
      if (!challenge) throw new AcmeProblem('malformed', 404, `no challenge ${req.params[0]}`);
      const authz = ownAuthorization(jws, ctx, challenge.authzId);
      if (!jws.postAsGet) {
        // Pebble's answer to a second POST, once the challenge has been validated or failed.
        if (challenge.status !== 'pending') throw malformed(`Cannot update challenge with status ${challenge.status}, only status pending`);
        const status = ctx.store.authzStatus(authz);
        if (status !== 'pending') throw malformed(`the authorization is ${status}: its challenges cannot be answered`);
        startValidation(ctx, authz, challenge, jws.thumbprint);
      }
      return { status: 200, headers: { link: `<${authzUrl(req.base, authz.id)}>;rel="up"`, ...retryHeaders(ctx, authz) }, json: challengeView(req.base, challenge) };
    },
  },
];
