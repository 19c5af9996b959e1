// `clock`: the scenario's notion of now, for steps that decide by date (the certificate
// manager's "every Monday, when fewer than 30 days remain") and for our ACME CA, whose clock
// follows (management POST /clock), so the certificates it issues agree with the scenario.
//
//   - clock: { set: "2027-01-04T09:00:00Z" }     # a Monday
//   - clock: { advance: 61d }
import { s, duration, type Infer } from '../scenario/schema.ts';
import { parseDuration, MAX_SPAN_MS } from '../scenario/duration.ts';
import { matcher } from '../expect/vocabulary.ts';
import { createTransport } from '../clients/acme/transport.ts';
import { readFile } from 'node:fs/promises';
import { defineStep, type StepContext } from './types.ts';

export const CLOCK_STATE = 'clock:now';

/** The scenario's now: set by a `clock` step, else the real time. */
export function scenarioNow(ctx: Pick<StepContext, 'state'>): Date {
  const at = ctx.state.get(CLOCK_STATE) as Date | undefined;
  return at ? new Date(at) : new Date();
}

export type ClockSpec = Infer<typeof clockSchema>;

const clockSchema = s.object({
  set: s.string({ description: 'an RFC 3339 time, e.g. 2027-01-04T09:00:00Z' }),
  advance: duration('move forward by this much, e.g. 61d (at most 100 years)', MAX_SPAN_MS),
});

export const clockStep = defineStep({
  kind: 'clock',
  summary: "sets or advances the scenario's clock (and the clock of its acme services)",
  schema: clockSchema,
  expect: { now: matcher('string', 'the new time, ISO 8601'), weekday: matcher('string', 'monday, tuesday...'), caClocks: matcher('number', 'acme services whose clock followed') },
  async execute(spec, ctx) {
    let at = scenarioNow(ctx);
    if (spec.set !== undefined) {
      const t = Date.parse(spec.set);
      if (Number.isNaN(t)) return { error: { code: 'bad-time', message: `'${spec.set}' is not an RFC 3339 time` } };
      at = new Date(t);
    }
    if (spec.advance !== undefined) at = new Date(at.getTime() + (parseDuration(spec.advance) ?? 0));
    ctx.state.set(CLOCK_STATE, at);
    let caClocks = 0;
    for (const [name, props] of Object.entries(ctx.world.services)) {
      if (typeof props.managementUrl !== 'string' || !props.managementUrl || typeof props.caFile !== 'string') continue;
      const transport = createTransport({ ca: await readFile(props.caFile, 'utf8') });
      try {
        const res = await transport.request('POST', `${props.managementUrl}/clock`, { body: JSON.stringify({ now: at.toISOString() }), contentType: 'application/json' });
        if (res.status === 200) caClocks++;
        else ctx.log(`service ${name} has no settable clock (HTTP ${res.status}): the real Pebble keeps real time`);
      } finally {
        await transport.close();
      }
    }
    return { now: at.toISOString(), weekday: at.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' }).toLowerCase(), caClocks };
  },
  timeline: (r) => (r.now ? [{ at: r.now, what: `the clock is set (a ${r.weekday})` }] : []),
});
