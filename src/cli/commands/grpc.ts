// `certharness grpc check`: validates document 002's JSON settings before anything connects.
import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { parseOptions } from '../options.ts';
import { isIP } from 'node:net';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { readGrpcConfig, GrpcConfigError, type GrpcRole, type GrpcSettings } from '../../clients/grpc/config.ts';
import { loadPrivateKey } from '../../pki/keys.ts';
import { dispatch } from '../subcommands.ts';

export const GRPC_HELP = `Usage: certharness grpc check <config.json> [--role server|client] [--peer other.json] [--host NAME]

Validates document 002's settings (use_secure_connection, ssl_private_key, ssl_cert,
ssl_root_cert, options) before anything connects: the files exist and parse, the key matches
the certificate, the certificate chains to the root, it is valid now; with --peer, the server
certificate covers the client's grpc.ssl_target_name_override (or --host, the name dialled)
and the client certificate's issuer is the server's root. One line per finding; exit 1 when
anything would fail at connect time.

Examples:
  certharness grpc check server.json --role server
  certharness grpc check client.json --role client --peer server.json
`;

interface Loaded {
  cfg: GrpcSettings;
  cert?: X509Certificate;
  root?: X509Certificate;
}

export function grpcCommand(argv: string[], io: CliIo): Promise<number> {
  return dispatch('grpc', argv, io, GRPC_HELP, { check: grpcCheck });
}

function grpcCheck(argv: string[], io: CliIo): number {
  const { values, positionals } = parseOptions(argv, { role: { type: 'string' }, peer: { type: 'string' }, host: { type: 'string' } }, 'grpc check');
  if (positionals.length !== 1) throw new UsageError('grpc check takes one config file: certharness grpc check server.json --role server');
  const role = (values.role ?? (/client/i.test(positionals[0]!) ? 'client' : 'server')) as GrpcRole;
  if (role !== 'server' && role !== 'client') throw new UsageError(`--role ${values.role}: use server or client`);
  const lines: string[] = [];
  let errors = 0;
  const finding = (ok: boolean, text: string) => {
    if (!ok) errors++;
    lines.push(`${ok ? 'ok   ' : 'ERROR'} ${text}`);
  };
  const load = (file: string, r: GrpcRole): Loaded => {
    let cfg: GrpcSettings;
    try {
      cfg = readGrpcConfig(file, r);
    } catch (e) {
      if (e instanceof GrpcConfigError) throw new UsageError(e.message);
      throw e;
    }
    for (const w of cfg.warnings) lines.push(`warn  ${w}`);
    const out: Loaded = { cfg };
    if (!cfg.useSecureConnection) {
      lines.push(`note  ${file}: use_secure_connection is false: plaintext, no certificates are used`);
      return out;
    }
    const read = (path: string, what: string) => {
      try {
        return readFileSync(path);
      } catch {
        finding(false, `${file}: ${what} ${path} does not exist`);
        return undefined;
      }
    };
    const certData = read(cfg.cert, 'ssl_cert');
    const keyData = read(cfg.privateKey, 'ssl_private_key');
    const rootData = read(cfg.rootCert, 'ssl_root_cert');
    try {
      if (certData) out.cert = new X509Certificate(certData);
    } catch {
      finding(false, `${file}: ssl_cert ${cfg.cert} is not a certificate`);
    }
    try {
      if (rootData) out.root = new X509Certificate(rootData);
    } catch {
      finding(false, `${file}: ssl_root_cert ${cfg.rootCert} is not a certificate`);
    }
    if (keyData && out.cert) {
      try {
        const key = loadPrivateKey(keyData, undefined, cfg.privateKey).object;
        finding(out.cert.checkPrivateKey(createPrivateKey(key.export({ type: 'pkcs8', format: 'pem' }))), `${file}: the key matches ssl_cert (a mismatch fails createSsl with ERR_OSSL_X509_KEY_VALUES_MISMATCH)`);
      } catch (e) {
        finding(false, `${file}: ${(e as Error).message} (grpc-js takes no password: the key must be unencrypted)`);
      }
    }
    if (out.cert) {
      const now = Date.now();
      finding(new Date(out.cert.validFrom).getTime() <= now && now <= new Date(out.cert.validTo).getTime(), `${file}: ssl_cert is valid now (${out.cert.validFrom} - ${out.cert.validTo})`);
    }
    return out;
  };
  const self = load(positionals[0]!, role);
  if (self.cert && self.root) finding(self.cert.checkIssued(self.root) && self.cert.verify(self.root.publicKey), `${positionals[0]}: ssl_cert is signed by ssl_root_cert (${self.root.subject.replace(/\n/g, ', ')})`);
  if (values.peer) {
    const peer = load(values.peer, role === 'server' ? 'client' : 'server');
    const server = role === 'server' ? self : peer;
    const client = role === 'server' ? peer : self;
    if (server.cfg.useSecureConnection !== client.cfg.useSecureConnection) finding(false, `use_secure_connection differs: ${server.cfg.useSecureConnection} on the server, ${client.cfg.useSecureConnection} on the client (the connection never succeeds)`);
    if (server.cert && client.root) finding(server.cert.checkIssued(client.root) && server.cert.verify(client.root.publicKey), `the client's ssl_root_cert verifies the server certificate`);
    if (client.cert && server.root) finding(client.cert.checkIssued(server.root) && client.cert.verify(server.root.publicKey), `the server's ssl_root_cert verifies the client certificate`);
    const override = client.cfg.options.find(([k]) => k === 'grpc.ssl_target_name_override')?.[1];
    const name = String(override ?? values.host ?? 'localhost');
    if (server.cert) finding(Boolean(isIP(name) ? server.cert.checkIP(name) : server.cert.checkHost(name)), `the server certificate covers '${name}' (${override !== undefined ? 'grpc.ssl_target_name_override' : values.host ? '--host' : 'the default, localhost'})`);
  }
  io.stdout(lines.join('\n') + `\n${errors ? `${errors} problem(s): the connection would fail` : 'no problems found'}\n`);
  return errors ? EXIT.failed : EXIT.ok;
}
