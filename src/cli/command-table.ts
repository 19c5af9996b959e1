// The commands, each loaded when it is asked for, and the top-level help that lists them.
import type { CliIo } from './io.ts';

export const MAIN_HELP = `certharness — a test harness and conformance suite for TLS certificate workflows

Usage: certharness <command> [options]

Commands:
  run <files...>        run scenarios and report (TAP, JUnit, JSON, HTML, console)
  validate <files...>   check scenario files without running them
  serve <file>          create a scenario's PKI, start its services, wait for Ctrl-C
  schema                print the JSON Schema of the scenario format
  merge <reports...>    merge JSON reports of shards, re-emit TAP/JUnit/JSON/HTML
  report <reports...>   the HTML report of a saved run: report run.json --html DIR
  pki lint|init         lint certificate files; write a document's PKI to a directory
  p12 check|convert     will a PKCS#12 file import on macOS, Java, Windows...; convert it
  grpc check            validate document 002's JSON settings before connecting
  certmanager run|renew|status   document 003's certificate manager (provided, ACME, self-signed)
  serve acme            a Pebble-compatible ACME CA on Pebble's ports
  serve catalogue       misconfigured TLS endpoints (expired, wrong-host...) to test a client against
  clients check         curl, openssl, python, node, gnutls-cli against the catalogue: a matrix
  gateway check         check an Express Gateway tls: section before deploying it
  simulate              a renewal policy against an ACME profile over simulated time
  clean                 remove work directories that killed runs left behind
  reference             the reference (steps, services, PKI, expect, lint, exit codes) as Markdown

Options: --help (also after a command), --version

Start here:
  certharness run scenarios/*.yaml
  certharness run scenarios --reporter console --reporter junit=report.xml

Documentation: README.md, docs/; reference: certharness reference; JSON Schema: certharness schema
`;

interface Command {
  run: (argv: string[], io: CliIo) => number | Promise<number>;
  help: string;
}

/**
 * Each command's module is loaded when it is asked for: loading all of them (the step and
 * service catalogue, grpc-js, undici, the PKI libraries) is most of the start-up time, and
 * `--version` or one command needs none of the others.
 */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => import('./commands/run.ts').then((m) => ({ run: m.runCommand, help: m.RUN_HELP })),
  validate: async () => import('./commands/validate.ts').then((m) => ({ run: m.validateCommand, help: m.VALIDATE_HELP })),
  serve: async () => import('./commands/serve.ts').then((m) => ({ run: m.serveCommand, help: m.SERVE_HELP })),
  schema: async () => import('./commands/schema.ts').then((m) => ({ run: m.schemaCommand, help: m.SCHEMA_HELP })),
  merge: async () => import('./commands/merge.ts').then((m) => ({ run: m.mergeCommand, help: m.MERGE_HELP })),
  report: async () => import('./commands/report.ts').then((m) => ({ run: m.reportCommand, help: m.REPORT_HELP })),
  pki: async () => import('./commands/pki.ts').then((m) => ({ run: m.pkiCommand, help: m.PKI_HELP })),
  p12: async () => import('./commands/p12.ts').then((m) => ({ run: m.p12Command, help: m.P12_HELP })),
  grpc: async () => import('./commands/grpc.ts').then((m) => ({ run: m.grpcCommand, help: m.GRPC_HELP })),
  certmanager: async () => import('./commands/certmanager.ts').then((m) => ({ run: m.certmanagerCommand, help: m.CERTMANAGER_HELP })),
  gateway: async () => import('./commands/gateway.ts').then((m) => ({ run: m.gatewayCommand, help: m.GATEWAY_HELP })),
  clients: async () => import('./commands/clients.ts').then((m) => ({ run: m.clientsCommand, help: m.CLIENTS_HELP })),
  simulate: async () => import('./commands/simulate.ts').then((m) => ({ run: m.simulateCommand, help: m.SIMULATE_HELP })),
  clean: async () => import('./commands/clean.ts').then((m) => ({ run: m.cleanCommand, help: m.CLEAN_HELP })),
  reference: async () => import('./commands/reference.ts').then((m) => ({ run: m.referenceCommand, help: m.REFERENCE_HELP })),
};
