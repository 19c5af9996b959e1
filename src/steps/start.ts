// `start`: starts a service declared with `start: step`, at this point of the scenario, so it can
// use files that earlier steps made (document 002's openssl lines, then the server on them).
//   services:
//     api: { kind: grpc-server, start: step, config: "{{workDir}}/server.json" }
//   steps:
//     - openssl: ...
//     - start: api
import { s } from '../scenario/schema.ts';
import { errorFields, matcher } from '../expect/vocabulary.ts';
import { defineStep } from './types.ts';

const startSchema = s.string({ ref: 'service', description: 'the service to start' });

export const startStep = defineStep({
  kind: 'start',
  summary: 'start a service declared with start: step',
  schema: startSchema,
  expect: { started: matcher('boolean'), error: errorFields() },
  async execute(name, ctx) {
    if (ctx.world.services[name]) return { error: { code: 'already-started', message: `service ${name} is already running (declare it with start: step)` } };
    const failed = await ctx.world.startService(name);
    return failed ? { started: false, error: { code: 'service-failed', message: failed } } : { started: true };
  },
});
