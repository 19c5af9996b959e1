// Where an in-process service's server listens: on the port the world reserved for it
// (ServiceKind.listeners), or, started on its own (serve <kind>), on a port of its own.
import type { Server } from 'node:net';
import type { ServiceContext } from './types.ts';

export interface Listening {
  port: number;
  /** Stops taking connections (the reservation itself stays with the world until the end). */
  close(): Promise<void>;
}

export async function listenOn(server: Server, ctx: ServiceContext, pinned: number | undefined, reservation = 'port'): Promise<Listening> {
  const reserved = ctx.reserved?.[reservation];
  const dropConnections = () => (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  if (reserved) {
    const detach = reserved.attach(server);
    return { port: reserved.port, close: async () => (detach(), dropConnections()) };
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(pinned ?? 0, ctx.host, () => resolve());
  });
  return { port: (server.address() as { port: number }).port, close: () => new Promise<void>((resolve) => (dropConnections(), server.close(() => resolve()))) };
}
