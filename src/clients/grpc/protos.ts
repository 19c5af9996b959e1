// The bundled protos (fixtures/proto): grpc.health.v1.Health and certharness.echo.v1.Echo.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { BUNDLED_PROTOS } from '../../util/embedded.ts';

export interface BundledServices {
  Health: grpc.ServiceClientConstructor;
  Echo: grpc.ServiceClientConstructor;
}

export function loadBundledServices(): BundledServices {
  // Parsed from the embedded text, so the protos need no files (a single binary has none).
  const root = new protobuf.Root();
  for (const text of Object.values(BUNDLED_PROTOS)) protobuf.parse(text, root, { keepCase: false });
  const def = protoLoader.fromJSON(root.toJSON(), { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
    certharness: { echo: { v1: { Echo: grpc.ServiceClientConstructor } } };
  };
  return { Health: pkg.grpc.health.v1.Health, Echo: pkg.certharness.echo.v1.Echo };
}

/** gRPC status codes by number (grpc/grpc doc/statuscodes.md). */
export const STATUS_NAMES: Record<number, string> = Object.fromEntries(Object.entries(grpc.status).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v as number, k]));
