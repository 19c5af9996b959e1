// What `serve` and `serve catalogue` share: build a scenario's world, say where it is, wait for
// Ctrl-C, and tear everything down whatever happened.
import type { CliIo } from './io.ts';
import { EXIT } from './exit-codes.ts';
import type { Catalog } from '../runner/catalog.ts';
import type { Scenario } from '../scenario/types.ts';
import { buildWorld, isWorld, type World } from '../runner/world.ts';
import { TeardownStack } from '../runner/teardown.ts';

export async function serveWorld(scenario: Scenario, o: { catalog: Catalog; io: CliIo; keep: boolean }, announce: (world: World) => void): Promise<number> {
  const { io } = o;
  const teardown = new TeardownStack();
  try {
    const world = await buildWorld(scenario, { catalog: o.catalog, signal: io.signal, env: io.env, keep: o.keep }, teardown);
    if (!isWorld(world)) {
      io.stderr(`certharness: ${world.at ? `${world.at.file}:${world.at.line}:${world.at.col}: ` : ''}${world.message}\n`);
      return EXIT.failed;
    }
    announce(world);
    await untilInterrupted(io);
    return EXIT.ok;
  } finally {
    for (const f of await teardown.unwind()) io.stderr(`certharness: teardown: ${f}\n`);
  }
}

/** Waits for Ctrl-C (the io's signal). */
async function untilInterrupted(io: CliIo): Promise<void> {
  // A pending promise does not keep the process alive; with no listening service the event
  // loop would empty and the process would exit without tearing down. Hold it open.
  const keepAlive = setInterval(() => {}, 1 << 30);
  await new Promise<void>((resolve) => (io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve(), { once: true })));
  clearInterval(keepAlive);
}
