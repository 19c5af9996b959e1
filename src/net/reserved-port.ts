// Ports that certharness binds on port 0 and keeps until the end: a port handed out (to a CA's
// validator, say) is never released for another program, or an outgoing connection, to take
// before its server is up. Whoever answers on it attaches a server for a while, and the
// connections that arrive go to that server; between attachments an idle handler answers.
import net from 'node:net';

/** A server that takes connections it did not accept itself (http, https, tls and net servers do). */
export interface ConnectionSink {
  emit(event: 'connection', socket: net.Socket): boolean;
}

/** Between attachments the connection is closed at once, unless the reservation names an idle sink. */
const HANG_UP: ConnectionSink = {
  emit: (_event, socket) => (socket.destroy(), true),
};

const held = new Set<ReservedPort>();

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

export class ReservedPort {
  private attached: ConnectionSink | undefined;
  private closed = false;
  private readonly sockets = new Set<net.Socket>();
  readonly host: string;
  readonly port: number;
  private readonly server: net.Server;
  private readonly idle: ConnectionSink;

  private constructor(host: string, port: number, server: net.Server, idle: ConnectionSink) {
    this.host = host;
    this.port = port;
    this.server = server;
    this.idle = idle;
    server.on('connection', (socket) => {
      socket.on('error', () => {});
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      (this.attached ?? this.idle).emit('connection', socket);
    });
  }

  /** Binds host on port 0 (or a pinned port) and keeps listening until close(). */
  static async reserve(host: string, o: { port?: number; idle?: ConnectionSink } = {}): Promise<ReservedPort> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, host, () => (server.off('error', reject), resolve()));
    });
    const reserved = new ReservedPort(host, (server.address() as net.AddressInfo).port, server, o.idle ?? HANG_UP);
    held.add(reserved);
    return reserved;
  }

  /**
   * The reservation this process holds that a bind of host:port would collide with: the same
   * port on the same address, or any address when host is a wildcard.
   */
  static at(host: string, port: number): ReservedPort | undefined {
    for (const r of held) if (r.port === port && (r.host === host || WILDCARDS.has(host))) return r;
    return undefined;
  }

  /** Sends the port's connections to sink until the returned function is called; one sink at a time, like one bind. */
  attach(sink: ConnectionSink): () => void {
    if (this.closed) throw Object.assign(new Error(`listen EADDRNOTAVAIL: the reservation of ${this.host}:${this.port} is closed`), { code: 'EADDRNOTAVAIL' });
    if (this.attached) throw Object.assign(new Error(`listen EADDRINUSE: address already in use ${this.host}:${this.port} (another responder answers on it)`), { code: 'EADDRINUSE' });
    this.attached = sink;
    return () => {
      if (this.attached === sink) this.attached = undefined;
    };
  }

  close(): Promise<void> {
    this.closed = true;
    this.attached = undefined;
    held.delete(this);
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    return closing;
  }
}

export interface Serving {
  port: number;
  /** Stops taking connections; a reservation itself stays with its owner. */
  close(): Promise<void>;
}

/** Serves on a reservation when there is one (attached), else by binding host:port itself. */
export async function serveOn(server: net.Server, at: { host: string; port: number | undefined; reserved: ReservedPort | undefined }): Promise<Serving> {
  const dropConnections = () => (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  if (at.reserved) {
    const detach = at.reserved.attach(server);
    return { port: at.reserved.port, close: async () => (detach(), dropConnections()) };
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port ?? 0, at.host, () => (server.off('error', reject), resolve()));
  });
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise<void>((resolve) => (dropConnections(), server.close(() => resolve()))) };
}
