// One world that several scenarios run their steps in, for scenarios that only read it:
// `clients check` holds each client to the same catalogue, and building the catalogue's PKI
// once instead of once per client is most of what the run saves. The world is built when the
// first of its scenarios needs it and torn down when the last has finished with it.
import type { Scenario } from '../scenario/types.ts';
import type { SetupOutcome } from './events.ts';
import { TeardownStack } from './teardown.ts';
import { buildWorld, type World, type WorldOptions } from './world.ts';

export class SharedWorld {
  private readonly teardown = new TeardownStack();
  private building: Promise<World | SetupOutcome> | undefined;
  private released = 0;
  private closed = false;
  readonly scenario: Scenario;
  private readonly users: number;

  /**
   * `scenario` declares the world: every PKI item and service that any of its `users` names, as
   * they declare it. `users` is how many scenarios will release it.
   */
  constructor(scenario: Scenario, users: number) {
    this.scenario = scenario;
    this.users = users;
  }

  /** The world, built by the first caller; `built` says whether this call built it. */
  async acquire(o: Omit<WorldOptions, 'beforeRemoval'>): Promise<{ world: World | SetupOutcome; built: boolean }> {
    if (this.closed) throw new Error('the shared world was used after it was torn down');
    const built = !this.building;
    this.building ??= buildWorld(this.scenario, o, this.teardown);
    return { world: await this.building, built };
  }

  /** A scenario is done with the world; the last one tears it down and gets its clean-up failures. */
  async release(): Promise<string[]> {
    this.released++;
    return this.released >= this.users ? this.close() : [];
  }

  /** Tears the world down now: after the last user, or when a run stops before every user ran. */
  async close(): Promise<string[]> {
    if (this.closed) return [];
    this.closed = true;
    return this.teardown.unwind();
  }
}

/** What a scenario declares that its shared world does not declare the same way: nothing, or the pairing is a bug. */
export function undeclaredIn(world: Scenario, user: Scenario): string[] {
  const differs = (a: { spec: unknown } | undefined, b: { spec: unknown }) => !a || JSON.stringify(a.spec) !== JSON.stringify(b.spec);
  return [
    ...Object.entries(user.pki).filter(([n, d]) => differs(world.pki[n], d)).map(([n]) => `pki ${n}`),
    ...Object.entries(user.services).filter(([n, d]) => differs(world.services[n], d)).map(([n]) => `service ${n}`),
  ];
}
