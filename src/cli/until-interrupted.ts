// What `serve` and its variants do once everything listens: wait for Ctrl-C.
import type { CliIo } from './io.ts';

/** Waits for Ctrl-C (the io's signal). */
export async function untilInterrupted(io: CliIo): Promise<void> {
  // A pending promise does not keep the process alive; with no listening service the event
  // loop would empty and the process would exit without tearing down. Hold it open.
  const keepAlive = setInterval(() => {}, 1 << 30);
  await new Promise<void>((resolve) => (io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve(), { once: true })));
  clearInterval(keepAlive);
}
