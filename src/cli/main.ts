// The composition root: the only module that reads argv, the environment, the terminal and
// signals. It maps outcomes to exit codes and never lets a stack trace reach a user for
// input errors.
import { availableParallelism } from 'node:os';
import { VERSION } from '../util/embedded.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import type { CliIo } from './io.ts';
import { didYouMean } from '../scenario/suggest.ts';
import { unwindAll } from '../runner/teardown.ts';
import { COMMANDS, MAIN_HELP } from './command-table.ts';

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
    return await runCommand(argv, io);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** One command line against an io: what `main` runs once the process is wired (tests call it directly). */
export async function runCommand(argv: string[], io: CliIo): Promise<number> {
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
  }
}
