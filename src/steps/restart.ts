// `restart`: stops a running service and starts it again from its declaration, as an operator
// "updates" a deployed service (document 003: update express-gw after replacing certificates).
//   - restart: gw
import { s } from '../scenario/schema.ts';
import { errorFields, matcher } from '../expect/vocabulary.ts';
import { defineStep } from './types.ts';

const restartSchema = s.string({ ref: 'service', description: 'the service to restart' });

export const restartStep = defineStep({
  kind: 'restart',
  summary: 'stop a running service and start it again (it reads its files anew)',
  schema: restartSchema,
  expect: { restarted: matcher('boolean'), error: errorFields() },
  async execute(name, ctx) {
    if (!ctx.world.services[name]) return { error: { code: 'not-running', message: `service ${name} is not running` } };
    const failed = await ctx.world.restartService(name);
    return failed ? { restarted: false, error: { code: 'service-failed', message: failed } } : { restarted: true };
  },
});
