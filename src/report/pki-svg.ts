// A scenario's certificates drawn as chains: one row per certificate under the one that issued
// it, and its validity as a bar on a shared time axis with the scenario's start marked. Expired,
// not yet valid and revoked certificates are marked in colour and in words (the row's title and
// its label), and every certificate is decoded below the picture, so nothing depends on colour
// or on a mouse. Each row links to its decoded entry and says which services present or trust
// it; the report's script highlights the rows of the certificates a step met.
import type { PkiCertificateSummary } from '../runner/events.ts';
import { html, type Html } from '../util/html.ts';

const ROW = 26;
const WIDTH = 980;
const BAR_LEFT = 600;
const BAR_RIGHT = WIDTH - 20;
const INDENT = 18;
const DAY = 86_400_000;

interface Placed {
  c: PkiCertificateSummary;
  depth: number;
  row: number;
  parentRow?: number;
}

/** Issuers first, each followed by what it issued (depth first); an issuer outside the scenario makes a root. */
function place(items: readonly PkiCertificateSummary[]): Placed[] {
  const names = new Set(items.map((c) => c.name));
  const children = (issuer: string | undefined) => items.filter((c) => (issuer === undefined ? !c.issuer || !names.has(c.issuer) : c.issuer === issuer));
  const out: Placed[] = [];
  const visit = (c: PkiCertificateSummary, depth: number, parentRow?: number) => {
    const row = out.length;
    out.push({ c, depth, row, ...(parentRow !== undefined ? { parentRow } : {}) });
    for (const child of children(c.name)) if (!out.some((p) => p.c === child)) visit(child, depth + 1, row);
  };
  for (const root of children(undefined)) visit(root, 0);
  return out;
}

/** What a certificate's state was when the scenario started. */
export function stateAt(c: PkiCertificateSummary, at: Date): 'revoked' | 'expired' | 'not yet valid' | 'valid' {
  if (c.revoked) return 'revoked';
  if (Date.parse(c.notAfter) < at.getTime()) return 'expired';
  if (Date.parse(c.notBefore) > at.getTime()) return 'not yet valid';
  return 'valid';
}

function purposes(c: PkiCertificateSummary): string {
  return c.isCa ? 'CA' : c.extendedKeyUsage.length ? c.extendedKeyUsage.join('+') : 'any purpose';
}

const key = (c: PkiCertificateSummary) => `${c.keyType}${c.keyBits ? ` ${c.keyBits}` : ''}`;

/** What the services do with a certificate: "presented by upstream", "trusted by proxy". */
export type CertificateRoles = ReadonlyMap<string, readonly string[]>;

/** The id of a certificate's decoded entry; `scope` keeps two scenarios' "ca" apart. */
export const certAnchor = (scope: string, name: string) => `${scope}-cert-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

export function pkiDiagram(items: readonly PkiCertificateSummary[], at: Date, label: string, o: { scope: string; roles?: CertificateRoles }): Html {
  const placed = place(items);
  // The axis: the scenario's certificates, but no more than a year before its start and two after (a 100-year root would flatten the rest).
  const lo = Math.max(Math.min(...items.map((c) => Date.parse(c.notBefore))), at.getTime() - 365 * DAY);
  const hi = Math.min(Math.max(...items.map((c) => Date.parse(c.notAfter))), at.getTime() + 730 * DAY);
  const span = Math.max(hi - lo, DAY);
  const x = (t: number) => BAR_LEFT + ((Math.min(Math.max(t, lo), hi) - lo) / span) * (BAR_RIGHT - BAR_LEFT);
  const height = placed.length * ROW + 30;
  return html`<svg class="pki" role="img" aria-label="${label}" viewBox="0 0 ${WIDTH} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg">
<title>${label}</title>
<line class="now" x1="${x(at.getTime()).toFixed(1)}" x2="${x(at.getTime()).toFixed(1)}" y1="0" y2="${height - 20}"/>
<text class="axis" x="${x(at.getTime()).toFixed(1)}" y="${height - 6}" text-anchor="middle">start ${at.toISOString().slice(0, 10)}</text>
${x(at.getTime()) - BAR_LEFT > 90 ? html`<text class="axis" x="${BAR_LEFT}" y="${height - 6}">${new Date(lo).toISOString().slice(0, 10)}</text>` : ''}
${BAR_RIGHT - x(at.getTime()) > 90 ? html`<text class="axis" x="${BAR_RIGHT}" y="${height - 6}" text-anchor="end">${new Date(hi).toISOString().slice(0, 10)}</text>` : ''}
${placed.map((p) => row(p, x, at, o.scope, o.roles?.get(p.c.name) ?? []))}
</svg>`;
}

function row(p: Placed, x: (t: number) => number, at: Date, scope: string, roles: readonly string[]): Html {
  const y = p.row * ROW + 4;
  const left = 8 + p.depth * INDENT;
  const state = stateAt(p.c, at);
  const from = x(Date.parse(p.c.notBefore));
  const to = Math.max(x(Date.parse(p.c.notAfter)), from + 2);
  const link = p.parentRow !== undefined ? html`<path class="link" d="M${left - INDENT + 4} ${p.parentRow * ROW + 18} V${y + 9} H${left - 2}"/>` : '';
  const used = roles.length ? ` · ${roles.join(', ')}` : '';
  return html`<a href="#${certAnchor(scope, p.c.name)}" class="cert-link" data-cert="${p.c.name}"><g class="cert ${state.replace(/ /g, '-')}" data-cert="${p.c.name}"><title>${p.c.name}: ${p.c.subject}; ${key(p.c)}; ${purposes(p.c)}; ${p.c.notBefore} to ${p.c.notAfter}; ${state}${used}</title>
${link}<rect class="row-bg" x="0" y="${y}" width="${WIDTH}" height="${ROW - 2}"/><text x="${left}" y="${y + 13}"><tspan class="name">${p.c.name}</tspan> <tspan class="detail">${key(p.c)} · ${purposes(p.c)}${state === 'valid' ? '' : ` · ${state}`}${used}</tspan></text>
<rect class="bar" x="${from.toFixed(1)}" y="${y + 3}" width="${(to - from).toFixed(1)}" height="12" rx="3"/>
</g></a>
`;
}

/** Every certificate decoded, its fields named as `openssl x509 -text` names them. */
export function pkiDetails(items: readonly PkiCertificateSummary[], at: Date, o: { scope: string; roles?: CertificateRoles }): Html {
  return html`<details class="pki-details"><summary>The ${items.length} certificates, decoded</summary>
<dl>${items.map((c) => html`<dt id="${certAnchor(o.scope, c.name)}">${c.name} <small>${stateAt(c, at)}${o.roles?.get(c.name)?.length ? ` · ${o.roles.get(c.name)!.join(', ')}` : ''}</small></dt><dd>${decoded(c)}</dd>`)}</dl>
</details>`;
}

function decoded(c: PkiCertificateSummary): Html {
  // Summaries from a report written before a field existed lack it: each optional line is shown only when there is something to show.
  const lines: [string, string | undefined][] = [
    ['Serial Number', c.serial],
    ['Signature Algorithm', `${c.signatureHash} with ${c.keyType}`],
    ['Issuer', c.issuer ?? 'itself, or outside the scenario'],
    ['Validity', `Not Before ${c.notBefore}, Not After ${c.notAfter}`],
    ['Subject', c.subject],
    ['Public Key', key(c)],
    ['Basic Constraints', `CA:${c.isCa ? 'TRUE' : 'FALSE'}${c.pathLength !== undefined ? `, pathlen:${c.pathLength}` : ''}`],
    ['Key Usage', c.keyUsage?.join(', ') || undefined],
    ['Extended Key Usage', c.extendedKeyUsage.join(', ') || undefined],
    ['Subject Alternative Name', c.san.join(', ') || undefined],
    ['Subject Key Identifier', c.subjectKeyId],
    ['Authority Key Identifier', c.authorityKeyId],
    ['CRL Distribution Points', c.crlUrls?.join(', ') || undefined],
    ['OCSP', c.ocspUrls?.join(', ') || undefined],
    ['TLS Feature', c.mustStaple ? 'status_request (Must-Staple)' : undefined],
  ];
  return html`${lines.filter(([, v]) => v !== undefined).map(([k, v], i) => html`${i ? html`<br>` : ''}${k}: ${v}`)}${c.revoked ? html`<br><strong>Revoked</strong>` : ''}`;
}

export const PKI_STYLE = `
svg.pki { max-width: 100%; font: 12px system-ui, sans-serif; }
svg.pki .name { font-weight: 600; fill: currentColor; } svg.pki .detail, svg.pki .axis { fill: #6e7781; font-size: 11px; }
svg.pki text { fill: currentColor; } svg.pki .link { fill: none; stroke: #8888; }
svg.pki .now { stroke: #0969da; stroke-dasharray: 3 3; }
svg.pki .bar { fill: #1a7f37; } svg.pki .expired .bar, svg.pki .revoked .bar { fill: #cf222e; } svg.pki .not-yet-valid .bar { fill: #9a6700; }
svg.pki .row-bg { fill: transparent; } svg.pki .hl .row-bg { fill: #0969da22; stroke: #0969da; } svg.pki a:focus .row-bg { stroke: Highlight; stroke-width: 2; }
.pki-details dt:target { background: #0969da22; }
svg.pki .revoked .detail, svg.pki .expired .detail { fill: #cf222e; }
.pki-details dd { margin: 0 0 0.6rem 1rem; color: #6e7781; }
`;
