// The composition root: the only module that reads argv, the environment, the terminal and
// signals. It maps outcomes to exit codes and never lets a stack trace reach a user for
// input errors.
import { availableParallelism } from 'node:os';
import { VERSION } from '../util/embedded.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import type { CliIo } from './io.ts';
import { didYouMean } from '../scenario/suggest.ts';
import { unwindAll } from '../runner/teardown.ts';

const MAIN_HELP = `certharness — a test harness and conformance suite for TLS certificate workflows

Usage: certharness <command> [options]

Commands:
  run <files...>        run scenarios and report (TAP, JUnit, JSON, console)
  validate <files...>   check scenario files without running them
  serve <file>          create a scenario's PKI, start its services, wait for Ctrl-C
  schema                print the JSON Schema of the scenario format
  merge <reports...>    merge JSON reports of shards, re-emit TAP/JUnit/JSON
  pki lint|init         lint certificate files; write a document's PKI to a directory
  p12 check|convert     will a PKCS#12 file import on macOS, Java, Windows...; convert it
  grpc check            validate document 002's JSON settings before connecting
  certmanager run|renew|status   document 003's certificate manager (provided, ACME, self-signed)
  serve acme            a Pebble-compatible ACME CA on Pebble's ports
  gateway check         check an Express Gateway tls: section before deploying it
  clean                 remove work directories that killed runs left behind

Options: --help (also after a command), --version

Start here:
  certharness run scenarios/*.yaml
  certharness run scenarios --reporter console --reporter junit=report.xml

Documentation: README.md; scenario format: schema/scenario.schema.json
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
  pki: async () => import('./commands/pki.ts').then((m) => ({ run: m.pkiCommand, help: m.PKI_HELP })),
  p12: async () => import('./commands/p12.ts').then((m) => ({ run: m.p12Command, help: m.P12_HELP })),
  grpc: async () => import('./commands/grpc.ts').then((m) => ({ run: m.grpcCommand, help: m.GRPC_HELP })),
  certmanager: async () => import('./commands/certmanager.ts').then((m) => ({ run: m.certmanagerCommand, help: m.CERTMANAGER_HELP })),
  gateway: async () => import('./commands/gateway.ts').then((m) => ({ run: m.gatewayCommand, help: m.GATEWAY_HELP })),
  clean: async () => import('./commands/clean.ts').then((m) => ({ run: m.cleanCommand, help: m.CLEAN_HELP })),
};

/** How long the last resort waits for teardown before it exits anyway. */
const CRASH_TEARDOWN_MS = 15_000;

/**
 * The last resort: an error nothing caught (a bug) tears down every world first — daemons,
 * listeners, work directories — then exits 3 with one line. Never a stack trace on its own,
 * never a daemon left behind.
 */
let lastResortInstalled = false;
function installLastResort(): void {
  if (lastResortInstalled) return;
  lastResortInstalled = true;
  let crashing = false;
  const crash = (e: unknown) => {
    if (crashing) return;
    crashing = true;
    const why = (e as Error)?.message ?? String(e);
    process.stderr.write(`certharness: internal error (a bug; please report it): ${why.split('\n')[0]!.slice(0, 300)}; tearing down\n`);
    if (process.env.CERTHARNESS_DEBUG) process.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
    const deadline = setTimeout(() => process.exit(EXIT.internal), CRASH_TEARDOWN_MS);
    deadline.unref();
    void unwindAll().finally(() => process.exit(EXIT.internal));
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}

export async function main(argv: string[]): Promise<number> {
  installLastResort();
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\ncertharness: ${sig}: stopping, tearing down (again to force)\n`);
      controller.abort(sig);
    } else process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const io: CliIo = {
    env: { ...process.env },
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
    signal: controller.signal,
    cores: availableParallelism(),
  };
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      const topic = command === 'help' ? rest[0] : undefined;
      io.stdout(topic && COMMANDS[topic] ? (await COMMANDS[topic]()).help : MAIN_HELP);
      return command === undefined ? EXIT.badInput : EXIT.ok;
    }
    if (command === '--version' || command === '-v' || command === 'version') {
      io.stdout(`certharness ${VERSION}\n`);
      return EXIT.ok;
    }
    const cmd = COMMANDS[command];
    if (!cmd) {
      const hint = didYouMean(command, Object.keys(COMMANDS));
      throw new UsageError(`unknown command '${command}'${hint ? ` (${hint})` : ''}; see certharness --help`);
    }
    return await (await cmd()).run(rest, io);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`certharness: ${(e as Error).message}\n`);
      return EXIT.badInput;
    }
    io.stderr(`certharness: internal error (a bug; please report it with this output):\n${(e as Error).stack ?? String(e)}\n`);
    return EXIT.internal;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
