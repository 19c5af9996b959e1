// Our grpc-server against a real Python grpcio client (Debian python3-grpcio), with the same
// certificate files and the target-name override, in TLS and mTLS, and one refusal.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, runCli, tempDir, peerMissing, firstLine } from './helpers.ts';

const PYTHON = '/usr/bin/python3';

/** Debian's python3-grpcio is a peer like any other: missing, it skips the test (fails under CI). */
function needPythonGrpc(t: Parameters<typeof peerMissing>[0]): boolean {
  if (spawnSync(PYTHON, ['-c', 'import grpc'], { stdio: 'ignore' }).status === 0) return true;
  peerMissing(t, 'python3 with grpc not found: apt-get install python3-grpcio');
  return false;
}

const CLIENT = `
import sys, grpc
root, key, chain, target, with_cert, method = sys.argv[1:7]
creds = grpc.ssl_channel_credentials(open(root,'rb').read(), open(key,'rb').read() if with_cert == '1' else None, open(chain,'rb').read() if with_cert == '1' else None)
ch = grpc.secure_channel(target, creds, options=[('grpc.ssl_target_name_override', 'localhost')])
# Raw protobuf bytes, no generated code: EchoRequest{message: "hi"} is 0a 02 68 69.
path, request = {'health': ('/grpc.health.v1.Health/Check', b''), 'echo': ('/certharness.echo.v1.Echo/Echo', bytes.fromhex('0a026869'))}[method]
try:
    out = ch.unary_unary(path)(request, timeout=5)
    print('OK', out.hex())
except grpc.RpcError as e:
    print('ERR', e.code().name, e.details())
`;

t.test('python grpcio calls our server: Health/Check with and without a client certificate', async (t) => {
  if (!needPythonGrpc(t)) return;
  const dir = tempDir();
  t.equal((await runCli(['pki', 'init', join(dir, 'certs'), '--profile', 'doc-002'])).code, 0);
  writeFileSync(
    join(dir, 'server.yaml'),
    `scenario: grpc server for python\npki:\n  rootCA: { certFile: certs/rootCA.pem, keyFile: certs/rootCA.key }\n  srv: { certFile: certs/server.crt, keyFile: certs/server.key }\nservices:\n  api: { kind: grpc-server, cert: srv, rootCert: rootCA }\n  tlsOnly: { kind: grpc-server, cert: srv }\nsteps: []\n`,
  );
  writeFileSync(join(dir, 'client.py'), CLIENT);
  const server = spawn(process.execPath, [BIN, 'serve', join(dir, 'server.yaml'), '--json'], { cwd: ROOT });
  const world = JSON.parse(await firstLine(server));
  const call = (service: string, withCert: boolean, method = 'health') =>
    spawnSync(PYTHON, [join(dir, 'client.py'), join(dir, 'certs/rootCA.pem'), join(dir, 'certs/client.key'), join(dir, 'certs/client.crt'), world.services[service].address, withCert ? '1' : '0', method], { encoding: 'utf8' }).stdout.trim();
  t.equal(call('api', true), 'OK 0801', 'mTLS: SERVING, as bytes 08 01');
  t.match(call('api', false), /^ERR UNAVAILABLE/, 'mTLS without a client certificate: UNAVAILABLE');
  const echo = call('api', true, 'echo');
  t.match(echo, /^OK 0a026869/, 'Echo answers the message first');
  t.ok(Buffer.from(echo.slice(3), 'hex').includes(Buffer.from('training-client')), "Echo's reply carries the client certificate's CN");
  t.equal(call('tlsOnly', false), 'OK 0801', 'TLS only, no client certificate: SERVING');
  await new Promise((resolve) => (server.on('close', resolve), server.kill('SIGINT')));
});

const SERVER = `
import sys, grpc
from concurrent import futures
root, key, chain = [open(p, 'rb').read() for p in sys.argv[1:4]]
def check(request, context):
    return b'\\x08\\x01'
handler = grpc.method_handlers_generic_handler('grpc.health.v1.Health', {'Check': grpc.unary_unary_rpc_method_handler(check)})
server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), handlers=[handler])
port = server.add_secure_port('127.0.0.1:0', grpc.ssl_server_credentials([(key, chain)], root_certificates=root, require_client_auth=sys.argv[4] == 'mtls'))
server.start()
print(port, flush=True)
server.wait_for_termination()
`;

t.test('our grpc step calls a python grpcio server requiring client certificates', async (t) => {
  if (!needPythonGrpc(t)) return;
  const dir = tempDir();
  t.equal((await runCli(['pki', 'init', join(dir, 'certs'), '--profile', 'doc-002'])).code, 0);
  writeFileSync(join(dir, 'server.py'), SERVER);
  const start = async (mode: string) => {
    const p = spawn(PYTHON, [join(dir, 'server.py'), join(dir, 'certs/rootCA.pem'), join(dir, 'certs/server.key'), join(dir, 'certs/server.crt'), mode]);
    return { p, port: (await firstLine(p)).trim() };
  };
  const { p: py, port } = await start('mtls');
  const { p: pyTls, port: tlsPort } = await start('tls');
  writeFileSync(
    join(dir, 'client.yaml'),
    `scenario: grpc client against python\npki:\n  rootCA: { certFile: certs/rootCA.pem, keyFile: certs/rootCA.key }\n  client: { certFile: certs/client.crt, keyFile: certs/client.key }\n` +
      `  other: { subject: "/CN=Other CA" }\n  stranger: { issuer: other, subject: "/CN=stranger", usage: client }\n  expired: { issuer: rootCA, subject: "/CN=expired", usage: client, notBefore: -60d, notAfter: -1d }\nsteps:\n` +
      `  - name: mTLS with the override\n    grpc: { target: "127.0.0.1:${port}", call: health, rootCert: rootCA, clientCert: client, options: { grpc.ssl_target_name_override: localhost } }\n    expect: { status: OK, response: { status: SERVING } }\n` +
      // grpcio's server closes without an alert in each of these: what a client can tell is that it was refused.
      `  - name: without a client certificate\n    grpc: { target: "127.0.0.1:${port}", call: health, rootCert: rootCA, options: { grpc.ssl_target_name_override: localhost } }\n    expect: { status: UNAVAILABLE, tlsError: closed-after-handshake, refused: { closed: true } }\n` +
      `  - name: a client certificate from another CA\n    grpc: { target: "127.0.0.1:${port}", call: health, rootCert: rootCA, clientCert: stranger, options: { grpc.ssl_target_name_override: localhost } }\n    expect: { status: UNAVAILABLE, tlsError: closed-after-handshake, refused: { closed: true } }\n` +
      `  - name: an expired client certificate\n    grpc: { target: "127.0.0.1:${port}", call: health, rootCert: rootCA, clientCert: expired, options: { grpc.ssl_target_name_override: localhost } }\n    expect: { status: UNAVAILABLE, tlsError: closed-after-handshake, refused: { closed: true } }\n` +
      `  - name: plaintext to the TLS port\n    grpc: { target: "127.0.0.1:${port}", call: health, plaintext: true }\n    expect: { status: UNAVAILABLE, tlsError: plaintext-mismatch, refused: false }\n` +
      `  - name: TLS only\n    grpc: { target: "127.0.0.1:${tlsPort}", call: health, rootCert: rootCA, options: { grpc.ssl_target_name_override: localhost } }\n    expect: { status: OK, response: { status: SERVING } }\n` +
      `  - name: TLS only, a root that is not the server's\n    grpc: { target: "127.0.0.1:${tlsPort}", call: health, rootCert: client, options: { grpc.ssl_target_name_override: localhost } }\n    expect: { status: UNAVAILABLE, tlsError: unknown-ca }\n`,
  );
  const r = await runCli(['run', join(dir, 'client.yaml'), '--reporter', 'tap']);
  t.equal(r.code, 0, r.stdout);
  py.kill();
  pyTls.kill();
});
