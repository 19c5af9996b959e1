// Pebble's management interface (default port 15000), so scripts that fetch Pebble's roots work
// unchanged: /roots/N, /root-keys/N, /intermediates/N, /intermediate-keys/N (with Link headers to
// the alternates), /cert-status-by-serial/<hex>, and POST /set-renewal-info/ for ARI tests.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WfeContext } from './wfe/context.ts';
import { certIdOf } from './wfe/renewal-info.ts';
import { crlPem } from '../../pki/crl.ts';
import type { x509 } from '../../pki/crypto.ts';

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string | string[]> = {}, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

const CRL_REASON_NAMES = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', '', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];

export function managementHandler(ctx: WfeContext): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = route(ctx);
  return (req, res) => {
    // A request's failure is that request's: 400 or 500 for it, a line in the log, and the CA goes on.
    const fail = (e: unknown) => {
      ctx.log(`management: ${req.method} ${(req.url ?? '').slice(0, 200)} failed: ${(e as Error)?.message ?? String(e)}`);
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    };
    req.on('error', fail);
    try {
      handle(req, res, fail);
    } catch (e) {
      fail(e);
    }
  };
}

/** Reads a request body of at most 64 KiB, then calls back with it (or answers 413). */
function readText(req: IncomingMessage, res: ServerResponse, done: (text: string) => void, fail: (e: unknown) => void): void {
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (d: string) => {
    text += d;
    if (text.length > 65_536) {
      send(res, 413, 'body too large\n');
      req.destroy();
    }
  });
  req.on('end', () => {
    if (res.headersSent) return;
    try {
      done(text);
    } catch (e) {
      fail(e);
    }
  });
}

function replacedBy(ctx: WfeContext, certId: string): { replacedByOrder?: string } {
  const order = [...ctx.store.orders.values()].find((o) => o.replaces === certId && !o.failed);
  return order ? { replacedByOrder: order.id } : {};
}

/** The CA's current CRL: what its distribution point and /crls/0 serve. */
export async function currentCaCrl(context: WfeContext): Promise<x509.X509Crl> {
  const revoked = [...context.store.certificates.values()].flatMap((c) => (c.revoked ? [{ serialHex: c.serialHex, reason: c.revoked.reason, at: c.revoked.at }] : []));
  return context.ca.crl(revoked, context.startedAt, context.now());
}

function route(ctx: WfeContext): (req: IncomingMessage, res: ServerResponse, fail: (e: unknown) => void) => void {
  return (req, res, fail) => {
    const base = `https://${req.headers.host ?? ctx.defaultHost}`;
    const path = (req.url ?? '/').split('?')[0]!;
    const material = /^\/(roots|root-keys|intermediates|intermediate-keys)\/(\d+)$/.exec(path);
    if (material && req.method === 'GET') {
      const kind = material[1] as 'roots' | 'root-keys' | 'intermediates' | 'intermediate-keys';
      const n = Number(material[2]);
      const pem = ctx.ca.managed(kind, n);
      if (pem === undefined) return send(res, 404, `no ${kind} ${n}: there are ${ctx.ca.chains.length} chains (PEBBLE_ALTERNATE_ROOTS + 1)\n`);
      const links = ctx.ca.chains.map((_, i) => i).filter((i) => i !== n).map((i) => `<${base}/${kind}/${i}>;rel="alternate"`);
      return send(res, 200, pem, links.length ? { link: links } : {}, 'application/pem-certificate-chain; charset=utf-8');
    }
    if (path === '/crls/0' && req.method === 'GET') {
      void currentCaCrl(ctx).then((crl) => send(res, 200, crlPem(crl), {}, 'application/x-pem-file'), fail);
      return;
    }
    const status = /^\/cert-status-by-serial\/([0-9a-fA-F]+)$/.exec(path);
    if (status && req.method === 'GET') {
      const cert = ctx.store.certificateBySerial(status[1]!);
      if (!cert) return send(res, 404, `no certificate with serial ${status[1]}\n`);
      const body = {
        Status: cert.revoked ? 'Revoked' : 'Valid',
        Serial: cert.serialHex,
        Certificate: cert.chains[0]!.split(/(?<=-----END CERTIFICATE-----\n)/)[0],
        // Pebble's field names and its Go time format; the reason's name and certID are ours.
        ...(cert.revoked ? { Reason: cert.revoked.reason, RevokedAt: goTimeString(cert.revoked.at), ReasonName: CRL_REASON_NAMES[cert.revoked.reason] } : {}),
        certID: certIdOf(cert),
        // ARI: the order that replaces it (RFC 9773 "replaces"), when one does.
        ...replacedBy(ctx, certIdOf(cert)),
      };
      return send(res, 200, JSON.stringify(body, null, 2), {}, 'application/json; charset=utf-8');
    }
    if (path === '/clock') {
      // certharness's addition: the CA's notion of now, so a scenario's injected clock and the
      // certificates it gets agree. GET reads it; POST {"now": "2026-01-05T09:00:00Z"} sets it.
      if (req.method === 'GET') return send(res, 200, JSON.stringify({ now: ctx.now().toISOString() }) + '\n', {}, 'application/json');
      if (req.method !== 'POST') return send(res, 405, 'GET or POST\n');
      return readText(req, res, (text) => {
        let body: unknown;
        try {
          body = JSON.parse(text || '{}');
        } catch {
          body = undefined;
        }
        const now = (body as { now?: unknown } | undefined)?.now;
        const at = typeof now === 'string' ? Date.parse(now) : NaN;
        if (Number.isNaN(at)) return send(res, 400, 'expected JSON: {"now": "<RFC 3339 time>"}\n');
        ctx.setNow(new Date(at));
        send(res, 200, JSON.stringify({ now: ctx.now().toISOString() }) + '\n', {}, 'application/json');
      }, fail);
    }
    if (path === '/set-renewal-info/' && req.method === 'POST') {
      return readText(req, res, (text) => {
        try {
          const body = JSON.parse(text) as { certID?: string; suggestedWindow?: { start?: string; end?: string } };
          const cert = [...ctx.store.certificates.values()].find((c) => certIdOf(c) === body.certID);
          const start = Date.parse(body.suggestedWindow?.start ?? '');
          const end = Date.parse(body.suggestedWindow?.end ?? '');
          if (!cert) return send(res, 404, `no certificate with certID ${body.certID}\n`);
          if (Number.isNaN(start) || Number.isNaN(end) || end < start) return send(res, 400, 'suggestedWindow needs RFC 3339 start <= end\n');
          cert.renewalWindow = { start: new Date(start), end: new Date(end) };
          send(res, 200, 'ok\n');
        } catch {
          send(res, 400, 'expected JSON: {"certID": "...", "suggestedWindow": {"start": "...", "end": "..."}}\n');
        }
      }, fail);
    }
    send(res, 404, `no management resource at ${path}: try /roots/0, /intermediates/0, /cert-status-by-serial/<hex>\n`);
  };
}

/** A UTC time as Go's time.Time.String() prints it: "2026-12-02 06:18:06.681 +0000 UTC". */
export function goTimeString(at: Date): string {
  const [date, time] = at.toISOString().replace('Z', '').split('T') as [string, string];
  return `${date} ${time.replace(/\.?0+$/, '')} +0000 UTC`;
}
