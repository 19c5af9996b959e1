// A user's .proto: find a service by its full name (package.Service), for canned servers and
// generic client calls.
import { dirname, basename } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export interface UserService {
  client: grpc.ServiceClientConstructor;
  definition: grpc.ServiceDefinition;
}

export function loadUserService(protoFile: string, serviceName: string): UserService {
  const def = protoLoader.loadSync(basename(protoFile), { includeDirs: [dirname(protoFile)], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  let node: unknown = grpc.loadPackageDefinition(def);
  for (const part of serviceName.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  const client = node as grpc.ServiceClientConstructor | undefined;
  if (typeof client !== 'function' || !client.service) {
    const services = Object.entries(def).filter(([, v]) => (v as { format?: string }).format === undefined && typeof v === 'object' && v !== null && !('type' in v)).map(([k]) => k);
    throw new Error(`${protoFile} has no service ${serviceName}${services.length ? ` (services: ${services.join(', ')})` : ''}`);
  }
  return { client, definition: client.service };
}
