// The simulation drawn: lifetime left over simulated time, a tick at each renewal, lapses
// shaded. Every text in it is a number, a date or a fixed word, so nothing needs escaping.
import type { SimulationResult } from './renewals.ts';

const W = 900;
const H = 260;
const PAD = { left: 60, right: 20, top: 30, bottom: 40 };

export function timelineSvg(r: SimulationResult): string {
  const t0 = Date.parse(r.from);
  const t1 = Date.parse(r.to);
  const maxHours = Math.max(1, ...r.validityHours);
  const x = (iso: string) => PAD.left + ((Date.parse(iso) - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (hours: number) => H - PAD.bottom - (hours / maxHours) * (H - PAD.top - PAD.bottom);
  // Remaining lifetime falls linearly between looks and jumps back up at each renewal.
  const points: string[] = [`${x(r.from).toFixed(1)},${y(r.validityHours[0] ?? 0).toFixed(1)}`];
  let renewal = 1;
  for (const s of r.samples) {
    points.push(`${x(s.at).toFixed(1)},${y(s.remainingHours).toFixed(1)}`);
    if (r.renewedAt[renewal] === s.at) points.push(`${x(s.at).toFixed(1)},${y(r.validityHours[renewal++] ?? 0).toFixed(1)}`);
  }
  const lapses = r.lapses.map((l) => `<rect class="lapse" x="${x(l.from).toFixed(1)}" y="${PAD.top}" width="${Math.max(1, x(l.to) - x(l.from)).toFixed(1)}" height="${H - PAD.top - PAD.bottom}"/>`);
  const refused = r.rateLimitedAt.map((at) => `<circle class="limited" cx="${x(at).toFixed(1)}" cy="${H - PAD.bottom + 10}" r="3"/>`);
  const ticks = r.renewedAt.slice(1).map((at) => `<line class="renewal" x1="${x(at).toFixed(1)}" x2="${x(at).toFixed(1)}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom + 6}"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="lifetime left over time: policy ${r.policy}, profile ${r.profile}">
<style>.lapse{fill:#d33;opacity:.35}.life{fill:none;stroke:#246;stroke-width:1.5}.renewal{stroke:#292;stroke-width:1}.limited{fill:#c60}.axis{stroke:#333}text{font:12px sans-serif;fill:#333}</style>
<title>${r.policy} against ${r.profile}: ${r.renewals} renewals, ${r.expiredHours} hours without a valid certificate</title>
<line class="axis" x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}"/>
<line class="axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}"/>
<text x="${PAD.left}" y="${H - 10}">${r.from.slice(0, 10)}</text>
<text x="${W - PAD.right}" y="${H - 10}" text-anchor="end">${r.to.slice(0, 10)}</text>
<text x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${maxHours} h</text>
<text x="${PAD.left - 6}" y="${H - PAD.bottom}" text-anchor="end">0</text>
<text x="${PAD.left}" y="18">policy ${r.policy}, profile ${r.profile}: ${r.renewals} renewals, ${r.expiredHours} h lapsed, ${r.rateLimited} rate-limited, at least ${Math.round(r.minRemainingHours)} h left</text>
${lapses.join('\n')}
<polyline class="life" points="${points.join(' ')}"/>
${ticks.join('\n')}
${refused.join('\n')}
</svg>
`;
}
