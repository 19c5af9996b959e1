// `certharness serve acme`: the mock CA as a drop-in for `pebble`, on Pebble's ports, reading
// Pebble's config file and PEBBLE_* variables, until Ctrl-C.
import { parseOptions } from '../options.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXIT, UsageError } from '../exit-codes.ts';
import { loopbackListenHost, NotLoopbackError } from '../../runtime/network.ts';
import type { CliIo } from '../io.ts';
import { AcmeConfigError, defaultAcmeOptions, parsePebbleConfig, pebbleEnvironment, type AcmeServerOptions } from '../../services/acme/config.ts';
import { startAcmeServer } from '../../services/acme/server.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { LETS_ENCRYPT_RATE_LIMITS } from '../../services/acme/rate-limit-table.ts';

export const SERVE_ACME_HELP = `Usage: certharness serve acme [--config pebble-config.json] [--dnsserver host:port] [--letsencrypt] [--seed N] [--json] [--keep]

A Pebble-compatible ACME CA (RFC 8555) until Ctrl-C: directory at https://localhost:14000/dir,
management (roots, intermediates, cert status) at https://localhost:15000, http-01 validated
on port 5002 and tls-alpn-01 on 5001, as Pebble does. Every name resolves to 127.0.0.1 unless
--dnsserver points at a DNS server (pebble-challtestsrv, for dns-01).

  --config FILE      Pebble's JSON config ({"pebble": {listenAddress, httpPort, certificate, ...}}).
                     0.0.0.0 in it is served on 127.0.0.1: certharness binds loopback only.
  --dnsserver ADDR   resolve names through this DNS server (Pebble's -dnsserver)
  --letsencrypt      behave as Let's Encrypt in 2026 rather than Pebble: its profiles (classic,
                     tlsserver, shortlived; dated by the clock) and its rate limits (5 certificates
                     per exact set of names per week, 50 per registered domain, 300 orders per
                     account per 3 hours, 5 failed validations per name an hour; rateLimited with
                     Retry-After; ARI renewals exempt)
  --seed N           seed for PEBBLE_WFE_NONCEREJECT / PEBBLE_AUTHZREUSE / PEBBLE_VA_SLEEPTIME
  --json             print {directoryUrl, managementUrl, crlUrl, caFile, rootFile, seed} once listening
  --keep             keep the directory with the CA files after exit

Pebble's variables apply (each off by default, unlike Pebble): PEBBLE_VA_NOSLEEP,
PEBBLE_VA_SLEEPTIME, PEBBLE_VA_ALWAYS_VALID, PEBBLE_WFE_NONCEREJECT, PEBBLE_AUTHZREUSE,
PEBBLE_WFE_ORDERS_PER_PAGE, PEBBLE_CHAIN_LENGTH, PEBBLE_ALTERNATE_ROOTS.

Examples:
  certharness serve acme
  PEBBLE_CHAIN_LENGTH=2 certharness serve acme --config /usr/share/doc/pebble/examples/pebble-config.json
  certharness serve acme --json > ca.json &
  certharness serve acme --letsencrypt      # does your client survive a 429 and a 160-hour certificate?
  REQUESTS_CA_BUNDLE=$(jq -r .caFile ca.json) certbot certonly --standalone --server https://localhost:14000/dir \\
      --http-01-port 5002 --http-01-address 127.0.0.1 -d anything.example.com --agree-tos -m you@example.org \\
      --non-interactive --config-dir ./le --work-dir ./le --logs-dir ./le
`;

/** Pebble's config says 0.0.0.0 (or ::, *, 0): we serve the same port on loopback; any other host is refused. */
function loopback(address: string, what: string): string {
  const m = /^(.*):(\d+)$/.exec(address.trim());
  if (!m) throw new UsageError(`${what} '${address}' is not host:port`);
  try {
    const host = loopbackListenHost(m[1]!);
    return `${host.includes(':') ? `[${host}]` : host}:${m[2]}`;
  } catch (e) {
    throw new UsageError(`${what} ${(e as Error).message}`);
  }
}

export async function serveAcmeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
      config: { type: 'string' },
      dnsserver: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      letsencrypt: { type: 'boolean', default: false }
    }, 'serve acme');
  if (values.help) {
    io.stdout(SERVE_ACME_HELP);
    return EXIT.ok;
  }
  if (positionals.length) throw new UsageError(`serve acme takes no other arguments (got ${positionals.join(' ')})`);
  const options: AcmeServerOptions = defaultAcmeOptions();
  try {
    if (values.config) {
      const file = resolve(values.config);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new AcmeConfigError(`${values.config}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      }
      const fromFile = parsePebbleConfig(text, values.config);
      if (fromFile.listenAddress) fromFile.listenAddress = loopback(fromFile.listenAddress, 'listenAddress');
      if (fromFile.managementListenAddress) fromFile.managementListenAddress = loopback(fromFile.managementListenAddress, 'managementListenAddress');
      // Pebble reads certificate paths relative to where it runs; so do we.
      Object.assign(options, fromFile);
    }
    Object.assign(options, pebbleEnvironment(io.env));
    if (values.letsencrypt) {
      options.profilePreset = 'letsencrypt';
      options.rateLimits = LETS_ENCRYPT_RATE_LIMITS;
    }
    if (values.dnsserver) options.resolver = values.dnsserver;
    if (values.seed !== undefined) {
      if (!/^\d+$/.test(values.seed)) throw new UsageError(`--seed must be a non-negative integer, not '${values.seed}'`);
      options.seed = Number(values.seed);
    }
    const server = await startAcmeServer(options, (line) => io.stderr(`${line}\n`));
    const dir = mkdtempSync(join(tmpdir(), 'certharness-acme-'));
    const caFile = join(dir, 'listener-ca.pem');
    const rootFile = join(dir, 'root-0.pem');
    await writeFileAtomic(caFile, server.tlsCaPem);
    await writeFileAtomic(rootFile, server.rootPem);
    const info = { directoryUrl: server.directoryUrl, managementUrl: server.managementUrl, crlUrl: server.crlUrl, caFile, rootFile, httpPort: options.httpPort, tlsPort: options.tlsPort, seed: server.seed };
    if (values.json) io.stdout(JSON.stringify(info) + '\n');
    else io.stdout(`ACME directory: ${info.directoryUrl}\nmanagement:     ${info.managementUrl ?? '(off)'}\nHTTPS trust:    ${caFile} (REQUESTS_CA_BUNDLE, LEGO_CA_CERTIFICATES)\nissuing root:   ${rootFile}\nCRL:            ${info.crlUrl ?? '(off)'} (in every certificate)\nvalidation:     http-01 on port ${options.httpPort}, tls-alpn-01 on ${options.tlsPort}; seed ${server.seed}\nPress Ctrl-C to stop.\n`);
    await new Promise<void>((done) => (io.signal.aborted ? done() : io.signal.addEventListener('abort', () => done(), { once: true })));
    await server.stop();
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof AcmeConfigError || e instanceof NotLoopbackError) {
      io.stderr(`certharness: ${e.message}\n`);
      return EXIT.badInput;
    }
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      io.stderr(`certharness: ${(e as Error).message.replace(/^listen /, '')}: the port is taken (is Pebble running?); set listenAddress in --config\n`);
      return EXIT.failed;
    }
    throw e;
  }
}
