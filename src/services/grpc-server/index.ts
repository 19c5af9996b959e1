// `grpc-server`: document 002's server side with @grpc/grpc-js: plaintext, TLS or mTLS, serving
// grpc.health.v1.Health (SERVING) and certharness's Echo, which answers with what the server saw
// of the caller: peer, :authority, and the client certificate.
//
//   services:
//     server: { kind: grpc-server, cert: server, rootCert: rootCA, checkClientCertificate: true }
//     asDocumented: { kind: grpc-server, config: fixtures/002/server.json }   # the document's JSON
import { s, type Infer } from '../../scenario/schema.ts';
import { defineService } from '../types.ts';

export type GrpcServerSpec = Infer<typeof grpcServerSchema>;

/** What `alpn: false` needs: its terminator serves its own TLS, without client certificates. */
export const NO_ALPN_NEEDS = 'false needs cert, and no plaintext, config or rootCert: the terminator serves TLS without client certificates';

const grpcServerSchema = s.object({
  cert: s.string({ ref: 'pki', description: 'server certificate item (ssl_cert, ssl_private_key)' }),
  rootCert: s.string({ ref: 'pki', description: 'root that client certificates must chain to (ssl_root_cert)' }),
  checkClientCertificate: s.boolean('require and verify a client certificate (default: true when rootCert is given)'),
  plaintext: s.boolean('no TLS (use_secure_connection false)'),
  config: s.string({ inputFile: true, description: "the document's server JSON: use_secure_connection, ssl_private_key, ssl_cert, ssl_root_cert (relative to the scenario file)" }),
  port: s.integer({ minimum: 0, maximum: 65535, description: 'pin the port (default 0)' }),
  alpn: s.boolean('false: serve TLS through a terminator that negotiates no ALPN, as a TCP load balancer in front of a plaintext gRPC server does (needs cert, no client certificates); gRPC clients that require h2 by ALPN refuse it'),
  protos: s.array(
    s.object(
      {
        file: s.string({ inputFile: true, description: '.proto file (relative to the scenario file)' }),
        service: s.string({ description: 'full name, package.Service' }),
        responses: s.map(s.any(), 'method name -> the reply (a list: the replies of a server-streaming method)'),
      },
      { required: ['file', 'service'] },
    ),
    { description: 'your own services, answering with canned replies' },
  ),
}, { check: (v) => (v.alpn === false && (!v.cert || v.plaintext || v.config !== undefined || v.rootCert !== undefined) ? [{ key: 'alpn', message: NO_ALPN_NEEDS }] : []) });

export const grpcServerService = defineService({
  kind: 'grpc-server',
  summary: "document 002's gRPC server (grpc-js): plaintext, TLS or mTLS; Health and an Echo that reports the caller's certificate",
  schema: grpcServerSchema,
  properties: ['address', 'host', 'port', 'target'],
  // grpc-js and protobufjs load only for a scenario that starts a gRPC server.
  start: async (spec, ctx) => (await import('./server.ts')).startGrpcServer(spec, ctx),
});
