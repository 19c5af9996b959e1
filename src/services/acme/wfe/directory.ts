// RFC 8555 §7.1.1 directory and §7.2 newNonce.
import type { Directory } from '../../../clients/acme/wire.ts';
import { PATHS } from './context.ts';
import type { Route } from './http.ts';
import { signedRequest } from './http.ts';
import { offeredProfiles } from '../profiles.ts';

/** Pebble's terms of service, verbatim, so clients that display or compare it see the same. */
export const TERMS_OF_SERVICE = 'data:text/plain,Do%20what%20thou%20wilt';

export const directoryRoutes: Route[] = [
  {
    path: /^\/dir\/?$/,
    methods: ['GET', 'POST'],
    async handle(req, ctx) {
      if (req.method === 'POST') await signedRequest(req, ctx, 'either');
      const profiles = Object.entries(offeredProfiles(ctx.options, ctx.now()).profiles);
      const dir: Directory = {
        newNonce: req.base + PATHS.newNonce,
        newAccount: req.base + PATHS.newAccount,
        newOrder: req.base + PATHS.newOrder,
        revokeCert: req.base + PATHS.revokeCert,
        keyChange: req.base + PATHS.keyChange,
        renewalInfo: req.base + PATHS.renewalInfo,
        meta: {
          termsOfService: TERMS_OF_SERVICE,
          externalAccountRequired: ctx.options.externalAccountBindingRequired,
          ...(profiles.length ? { profiles: Object.fromEntries(profiles.map(([name, p]) => [name, p.description])) } : {}),
        },
      };
      return { status: 200, json: dir };
    },
  },
  {
    // RFC 8555 §7.2: HEAD answers 200, GET 204; both carry the Replay-Nonce every reply has.
    path: /^\/nonce-plz\/?$/,
    methods: ['HEAD', 'GET', 'POST'],
    async handle(req, ctx) {
      if (req.method === 'POST') {
        await signedRequest(req, ctx, 'kid');
        return { status: 200 };
      }
      return { status: req.method === 'HEAD' ? 200 : 204 };
    },
  },
];
