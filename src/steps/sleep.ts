// `sleep`: wait a fixed time. Prefer `wait-for`, which waits only as long as needed.
//   - sleep: 500ms
import { setTimeout as delay } from 'node:timers/promises';
import { duration } from '../scenario/schema.ts';
import { parseDuration } from '../scenario/duration.ts';
import { matcher } from '../expect/vocabulary.ts';
import { defineStep } from './types.ts';

const sleepSchema = duration();

export const sleepStep = defineStep({
  kind: 'sleep',
  summary: 'wait a fixed time ("500ms", "2s"); prefer wait-for',
  schema: sleepSchema,
  expect: { sleptMs: matcher('number') },
  async execute(spec, ctx) {
    const ms = parseDuration(spec) ?? 0;
    const start = performance.now();
    try {
      await delay(ms, undefined, { signal: ctx.signal });
    } catch {
      /* aborted: the runner reports the timeout or interruption */
    }
    return { sleptMs: Math.round(performance.now() - start) };
  },
});
