// The bundled protos (fixtures/proto): grpc.health.v1.Health and certharness.echo.v1.Echo.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { projectFile } from '../../runtime/project-files.ts';

export interface BundledServices {
  Health: grpc.ServiceClientConstructor;
  Echo: grpc.ServiceClientConstructor;
}

export function loadBundledServices(): BundledServices {
  const dir = projectFile('fixtures', 'proto');
  const def = protoLoader.loadSync(['health.proto', 'echo.proto'], { includeDirs: [dir], keepCase: false, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
    certharness: { echo: { v1: { Echo: grpc.ServiceClientConstructor } } };
  };
  return { Health: pkg.grpc.health.v1.Health, Echo: pkg.certharness.echo.v1.Echo };
}

/** gRPC status codes by number (grpc/grpc doc/statuscodes.md). */
export const STATUS_NAMES: Record<number, string> = Object.fromEntries(Object.entries(grpc.status).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v as number, k]));
