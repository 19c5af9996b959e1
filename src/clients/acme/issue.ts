// One issuance, start to finish (RFC 8555 §7.1 overview): order, prove control of each name with
// the given responder, finalize with a CSR, wait, download and pick a chain. The certificate
// manager of document 003 and the `acme` step both call this.
import { isIP } from 'node:net';
import type { PrivateKeyMaterial } from '../../pki/keys.ts';
import { createCsr } from '../../pki/csr.ts';
import { parseCertificates } from '../../pki/inspect.ts';
import type { AcmeClient } from './client.ts';
import { keyAuthorization } from './jws.ts';
import type { ChallengeResponder } from './responders.ts';
import type { Authorization, Identifier, Order } from './wire.ts';

export function identifiersFor(names: string[]): Identifier[] {
  return names.map((value) => ({ type: isIP(value) ? 'ip' : 'dns', value }));
}

export interface IssueRequest {
  names: string[];
  responder: ChallengeResponder;
  /** The certificate's key (a CSR is made with it), or a CSR given as DER. */
  certificateKey?: PrivateKeyMaterial;
  csrDer?: Uint8Array;
  /** Prefer the chain whose topmost certificate's issuer CN or subject CN equals this. */
  preferredChain?: string;
  /** ARI: the certID of the certificate this one replaces. */
  replaces?: string;
  profile?: string;
  notAfter?: string;
  onProgress?: (text: string) => void;
}

export interface IssueResult {
  orderUrl: string;
  order: Order;
  certificateUrl: string;
  /** leaf + intermediates as served. */
  chainPem: string;
  certPem: string;
  chainOnlyPem: string;
  chainsOffered: number;
  chosenChain: number;
  /** Authorizations that were already valid (reused) and that we validated. */
  reused: number;
  validated: number;
}

export async function issueCertificate(client: AcmeClient, r: IssueRequest): Promise<IssueResult> {
  const progress = r.onProgress ?? (() => {});
  const { url: orderUrl, order } = await client.newOrder(identifiersFor(r.names), { ...(r.replaces ? { replaces: r.replaces } : {}), ...(r.profile ? { profile: r.profile } : {}), ...(r.notAfter ? { notAfter: r.notAfter } : {}) });
  progress(`order ${order.status}`);
  const thumbprint = await client.thumbprint();
  let reused = 0;
  let validated = 0;
  for (const authzUrl of order.authorizations) {
    const authz = await client.authorization(authzUrl);
    if (authz.status === 'valid') {
      reused++;
      continue;
    }
    if (authz.status !== 'pending') throw new Error(`authorization for ${authz.identifier.value} is ${authz.status}`);
    const challenge = authz.challenges.find((c) => c.type === r.responder.type);
    if (!challenge) throw new Error(`the server offers no ${r.responder.type} challenge for ${authz.identifier.value} (offered: ${authz.challenges.map((c) => c.type).join(', ')})`);
    await r.responder.present(authz.identifier, challenge.token, keyAuthorization(challenge.token, thumbprint));
    try {
      await client.answerChallenge(challenge.url);
      progress(`validating ${authz.identifier.value} (${r.responder.type})`);
      const done = await client.poll<Authorization>(authzUrl, (a) => a.status !== 'pending');
      if (done.status !== 'valid') {
        const failed = done.challenges.find((c) => c.error);
        const e = new Error(`authorization for ${authz.identifier.value} is ${done.status}${failed?.error ? `: ${failed.error.detail}` : ''}`);
        Object.assign(e, { problem: failed?.error, authorization: done });
        throw e;
      }
      validated++;
    } finally {
      await r.responder.cleanup(authz.identifier, challenge.token);
    }
  }
  let current = await client.poll<Order>(orderUrl, (o) => o.status !== 'pending');
  if (current.status !== 'ready') throw Object.assign(new Error(`order is ${current.status}, not ready`), { problem: current.error });
  const csrDer = r.csrDer ?? new Uint8Array((await createCsr(r.certificateKey!, r.names)).rawData);
  await client.finalize(current.finalize, csrDer);
  progress('finalizing');
  current = await client.poll<Order>(orderUrl, (o) => o.status !== 'processing' && o.status !== 'ready');
  if (current.status !== 'valid' || !current.certificate) throw Object.assign(new Error(`order is ${current.status} after finalize`), { problem: current.error });
  const chains = await client.certificateChains(current.certificate);
  const chosen = r.preferredChain ? Math.max(0, chains.findIndex((c) => chainMatches(c.pem, r.preferredChain!))) : 0;
  const chainPem = chains[chosen]!.pem;
  const certs = parseCertificates(chainPem);
  const pem = (c: (typeof certs)[number]) => c.toString('pem') + '\n';
  return {
    orderUrl,
    order: current,
    certificateUrl: chains[chosen]!.url,
    chainPem,
    certPem: pem(certs[0]!),
    chainOnlyPem: certs.slice(1).map(pem).join(''),
    chainsOffered: chains.length,
    chosenChain: chosen,
    reused,
    validated,
  };
}

/** certbot's --preferred-chain: the name of the topmost issuer in the chain. */
function chainMatches(pem: string, name: string): boolean {
  const certs = parseCertificates(pem);
  const top = certs[certs.length - 1];
  if (!top) return false;
  const cn = (dn: string) => /CN=([^,]+)/.exec(dn)?.[1]?.trim();
  return cn(top.issuer) === name || cn(top.subject) === name;
}
