// The ports a CA's validator connects to for http-01 and tls-alpn-01. Unless a scenario pins
// one, the service reserves it (bound on port 0 and kept until the service stops), so the
// `acme` and `certmanager` steps answer on a port no other program can have taken meanwhile.
// Between steps a web server that knows no token answers http-01 (404) and tls-alpn-01
// connections are closed. A pinned port is left free for the program the scenario runs.
import { ReservedPort } from '../../net/reserved-port.ts';
import { http01Idle } from '../../clients/acme/responders.ts';

export interface ValidationPorts {
  httpPort: number;
  tlsPort: number;
  close(): Promise<void>;
}

/** `pinned` ports (non-zero) are used as they are; the others are reserved on host. */
export async function validationPorts(host: string, pinned: { httpPort?: number | undefined; tlsPort?: number | undefined }): Promise<ValidationPorts> {
  const reserved: ReservedPort[] = [];
  const close = async () => void (await Promise.all(reserved.map((r) => r.close())));
  try {
    const take = async (port: number | undefined, idle?: () => ReturnType<typeof http01Idle>) => {
      if (port) return port;
      const r = await ReservedPort.reserve(host, idle ? { idle: idle() } : {});
      reserved.push(r);
      return r.port;
    };
    const httpPort = await take(pinned.httpPort, http01Idle);
    const tlsPort = await take(pinned.tlsPort);
    return { httpPort, tlsPort, close };
  } catch (e) {
    await close();
    throw e;
  }
}
