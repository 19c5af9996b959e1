// Services start in waves: those that use none of each other together, each one after every
// service it uses, and `start: step` services in none (a start step starts them).
import t from 'tap';
import { startWaves } from '../src/runner/world.ts';
import type { Scenario } from '../src/scenario/types.ts';

const scenario = (services: Record<string, { dependsOn?: string[]; start?: string }>): Pick<Scenario, 'services' | 'serviceOrder'> => ({
  serviceOrder: Object.keys(services),
  services: Object.fromEntries(Object.entries(services).map(([name, s]) => [name, { name, kind: 'upstream', spec: s.start ? { start: s.start } : {}, dependsOn: s.dependsOn ?? [], usesPki: [] }])) as unknown as Scenario['services'],
});

t.test('independent services share a wave; a service waits for those it uses', async (t) => {
  t.strictSame(startWaves(scenario({ a: {}, b: {}, c: {} })), [['a', 'b', 'c']], 'three independent services: one wave');
  t.strictSame(startWaves(scenario({ up: {}, proxy: { dependsOn: ['up'] }, other: {} })), [['up', 'other'], ['proxy']], 'the proxy after its upstream');
  t.strictSame(startWaves(scenario({ ca: {}, manager: { dependsOn: ['ca'] }, nginx: { dependsOn: ['manager', 'ca'] } })), [['ca'], ['manager'], ['nginx']], 'a chain: one a wave');
  t.strictSame(startWaves(scenario({})), [], 'no services: no waves');
});

t.test('start: step services are in no wave, and do not hold back those that name them', async (t) => {
  t.strictSame(startWaves(scenario({ later: { start: 'step' }, now: {}, user: { dependsOn: ['later'] } })), [['now', 'user']]);
});
