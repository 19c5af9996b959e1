// A scenario's clock drawn: the moments its steps set or saw (a clock step's new now, an
// issuance and its expiry, a revocation, what a certificate manager did) on one axis from the
// scenario's start, each numbered by its step, with the same moments as a table below, so the
// picture is never the only place a fact is.
import type { ScenarioResult } from '../runner/events.ts';
import { html, type Html } from '../util/html.ts';

const W = 980;
const LEFT = 20;
const RIGHT = W - 20;
const LANE = 16;
const LANES = 4;
const CHAR_WIDTH = 7;
/** Moments closer than this on the axis share one mark, labelled with all their steps. */
const CLUSTER_PX = 4;

export interface ClockMoment {
  at: string;
  step: number;
  stepName: string;
  what: string;
}

export function clockMoments(s: ScenarioResult): ClockMoment[] {
  // A saved report is input like any other: a mark without a readable time is left out, not a crash.
  return s.steps
    .flatMap((st) => (Array.isArray(st.timeline) ? st.timeline : []).filter((m) => typeof m?.at === 'string' && !Number.isNaN(Date.parse(m.at))).map((m) => ({ at: new Date(Date.parse(m.at)).toISOString(), step: st.index + 1, stepName: st.name, what: String(m.what) })))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.step - b.step);
}

/** The axis and the table; nothing when no step put a moment on the clock. */
export function clockTimeline(s: ScenarioResult): Html | '' {
  const moments = clockMoments(s);
  if (!moments.length) return '';
  const start = Date.parse(s.startedAt);
  const times = [start, ...moments.map((m) => Date.parse(m.at))];
  const lo = Math.min(...times);
  const span = Math.max(Math.max(...times) - lo, 1000);
  const x = (t: number) => LEFT + ((t - lo) / span) * (RIGHT - LEFT);
  // One mark per cluster of moments, its step numbers above the axis in the first lane where they cover no other label.
  const laneEnds: number[] = [];
  const placed = clusters(moments, x).map((c) => {
    const label = [...new Set(c.moments.map((m) => m.step))].join(', ');
    const half = (label.length * CHAR_WIDTH) / 2;
    let lane = laneEnds.findIndex((end) => end < c.x - half);
    if (lane < 0) lane = laneEnds.length < LANES ? laneEnds.length : laneEnds.indexOf(Math.min(...laneEnds));
    laneEnds[lane] = c.x + half;
    return { ...c, label, lane };
  });
  const axisY = LANES * LANE + 14;
  const height = axisY + 28;
  const label = `The scenario's clock: ${moments.length} moment${moments.length === 1 ? '' : 's'} from ${new Date(lo).toISOString()} to ${new Date(lo + span).toISOString()}`;
  return html`<div class="clock-block"><svg class="clock" role="img" aria-label="${label}" viewBox="0 0 ${W} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg">
<title>${label}</title>
<line class="axis" x1="${LEFT}" x2="${RIGHT}" y1="${axisY}" y2="${axisY}"/>
<line class="start" x1="${x(start).toFixed(1)}" x2="${x(start).toFixed(1)}" y1="4" y2="${axisY + 6}"/>
<text class="axis" x="${LEFT}" y="${height - 4}">${new Date(lo).toISOString().slice(0, 16).replace('T', ' ')}</text>
<text class="axis" x="${RIGHT}" y="${height - 4}" text-anchor="end">${new Date(lo + span).toISOString().slice(0, 16).replace('T', ' ')}</text>
${placed.map((c) => html`<g class="moment"><title>${c.moments.map((m) => `step ${m.step} at ${m.at}: ${m.what}`).join('\n')}</title><line x1="${c.x.toFixed(1)}" x2="${c.x.toFixed(1)}" y1="${(c.lane + 1) * LANE + 2}" y2="${axisY}"/><circle cx="${c.x.toFixed(1)}" cy="${axisY}" r="3.5"/><text x="${c.x.toFixed(1)}" y="${(c.lane + 1) * LANE}" text-anchor="${anchorAt(c.x, c.label)}">${c.label}</text></g>
`)}
</svg>
<table class="moments"><thead><tr><th scope="col">When</th><th scope="col">Step</th><th scope="col">What</th></tr></thead><tbody>
${moments.map((m) => html`<tr><td><time datetime="${m.at}">${m.at.replace('T', ' ').replace('.000Z', 'Z')}</time></td><td>${m.step}. ${m.stepName}</td><td>${m.what}</td></tr>\n`)}</tbody></table></div>`;
}

/** Labels at the ends of the axis grow inwards, so none is cut off. */
function anchorAt(x: number, label: string): 'start' | 'middle' | 'end' {
  const half = (label.length * CHAR_WIDTH) / 2;
  return x - half < 0 ? 'start' : x + half > W ? 'end' : 'middle';
}

/** Moments in time order, grouped while each is within CLUSTER_PX of the group's first. */
function clusters(moments: ClockMoment[], x: (t: number) => number): { x: number; moments: ClockMoment[] }[] {
  const out: { x: number; moments: ClockMoment[] }[] = [];
  for (const m of moments) {
    const mx = x(Date.parse(m.at));
    const last = out[out.length - 1];
    if (last && mx - last.x < CLUSTER_PX) last.moments.push(m);
    else out.push({ x: mx, moments: [m] });
  }
  return out;
}

export const CLOCK_STYLE = `
svg.clock { max-width: 100%; font: 11px system-ui, sans-serif; }
svg.clock .axis { stroke: #8888; fill: #6e7781; } svg.clock text { fill: currentColor; }
svg.clock .start { stroke: #0969da; stroke-dasharray: 3 3; }
svg.clock .moment line { stroke: #8886; } svg.clock .moment circle { fill: #0969da; }
table.moments { border-collapse: collapse; font-size: 0.9em; } .moments td, .moments th { text-align: left; padding: 0.15rem 0.5rem; border-bottom: 1px solid #8883; vertical-align: top; }
.moments td:first-child { white-space: nowrap; }
`;
