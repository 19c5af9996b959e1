// The simulation drawn: lifetime left over simulated time, falling from each issuance until the
// next one (or to zero at expiry), a tick at each renewal, lapses shaded, refused renewals as
// dots. It draws from `Lifetime`, plain data a step result carries, so the simulate command's
// --svg file and the HTML report draw the same picture from the same facts.
import { html, type Html } from '../util/html.ts';
import type { SimulationResult } from './renewals.ts';

/** What the picture needs of a simulation: every field a date, a number or a fixed name. */
export interface Lifetime {
  policy: string;
  profile: string;
  from: string;
  to: string;
  /** Each certificate: when it was issued and when it expires. */
  certificates: { issuedAt: string; expiresAt: string }[];
  lapses: { from: string; to: string; hours: number }[];
  rateLimitedAt: string[];
  renewals: number;
  expiredHours: number;
  minRemainingHours: number;
}

export function lifetimeOf(r: SimulationResult): Lifetime {
  return {
    policy: r.policy,
    profile: r.profile,
    from: r.from,
    to: r.to,
    certificates: r.renewedAt.map((issuedAt, i) => ({ issuedAt, expiresAt: r.expiresAt[i] ?? issuedAt })),
    lapses: r.lapses,
    rateLimitedAt: r.rateLimitedAt,
    renewals: r.renewals,
    expiredHours: r.expiredHours,
    minRemainingHours: Math.round(r.minRemainingHours * 10) / 10,
  };
}

const W = 900;
const H = 260;
const PAD = { left: 60, right: 20, top: 30, bottom: 40 };
const HOUR = 3_600_000;

/** The remaining lifetime as a polyline: each certificate from its issuance to the next one, never below zero. */
function lifetimePoints(l: Lifetime): { t: number; hours: number }[] {
  const end = Date.parse(l.to);
  return l.certificates.flatMap((c, i) => {
    const issued = Date.parse(c.issuedAt);
    const expires = Date.parse(c.expiresAt);
    const until = Math.min(Date.parse(l.certificates[i + 1]?.issuedAt ?? l.to), end);
    const left = (t: number) => Math.max(0, (expires - t) / HOUR);
    const points = [{ t: issued, hours: left(issued) }];
    if (expires < until) points.push({ t: expires, hours: 0 });
    points.push({ t: until, hours: left(until) });
    return points;
  });
}

export function lifetimeChart(l: Lifetime, o: { width?: string } = {}): Html {
  const t0 = Date.parse(l.from);
  const t1 = Math.max(Date.parse(l.to), t0 + HOUR);
  const points = lifetimePoints(l);
  const maxHours = Math.max(1, ...points.map((p) => p.hours));
  const xt = (t: number) => PAD.left + ((Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const x = (iso: string) => xt(Date.parse(iso)).toFixed(1);
  const y = (hours: number) => (H - PAD.bottom - (hours / maxHours) * (H - PAD.top - PAD.bottom)).toFixed(1);
  const summary = `policy ${l.policy}, profile ${l.profile}: ${l.renewals} renewals, ${l.expiredHours} h lapsed, ${l.rateLimitedAt.length} rate-limited, at least ${Math.round(l.minRemainingHours)} h left`;
  return html`<svg class="lifetime" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${o.width ?? W}" role="img" aria-label="lifetime left over time: ${summary}">
<style>.lapse{fill:#d33;opacity:.35}.life{fill:none;stroke:#246;stroke-width:1.5}.renewal{stroke:#292;stroke-width:1}.limited{fill:#c60}.axis{stroke:#888}text{font:12px sans-serif;fill:#666}</style>
<title>${summary}</title>
<line class="axis" x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}"/>
<line class="axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}"/>
<text x="${PAD.left}" y="${H - 10}">${l.from.slice(0, 10)}</text>
<text x="${W - PAD.right}" y="${H - 10}" text-anchor="end">${l.to.slice(0, 10)}</text>
<text x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${Math.round(maxHours)} h</text>
<text x="${PAD.left - 6}" y="${H - PAD.bottom}" text-anchor="end">0</text>
<text x="${PAD.left}" y="18">${summary}</text>
${l.lapses.map((p) => html`<rect class="lapse" x="${x(p.from)}" y="${PAD.top}" width="${Math.max(1, xt(Date.parse(p.to)) - xt(Date.parse(p.from))).toFixed(1)}" height="${H - PAD.top - PAD.bottom}"><title>lapsed ${p.hours} h from ${p.from}</title></rect>\n`)}
<polyline class="life" points="${points.map((p) => `${xt(p.t).toFixed(1)},${y(p.hours)}`).join(' ')}"/>
${l.certificates.slice(1).map((c) => html`<line class="renewal" x1="${x(c.issuedAt)}" x2="${x(c.issuedAt)}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom + 6}"/>\n`)}
${l.rateLimitedAt.map((at) => html`<circle class="limited" cx="${x(at)}" cy="${H - PAD.bottom + 10}" r="3"><title>renewal refused (rateLimited) at ${at}</title></circle>\n`)}
</svg>
`;
}

/** The picture as a file of its own (the simulate command's and step's --svg). */
export function timelineSvg(r: SimulationResult): string {
  return lifetimeChart(lifetimeOf(r)).text;
}
