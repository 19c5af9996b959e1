// CI scripts depend on these; docs/reference/exit-codes.md is generated from EXIT_MEANINGS.
export const EXIT = {
  /** Every scenario passed (skips and todos allowed). */
  ok: 0,
  /** A scenario failed: an assertion, a service that did not start, a missing peer under CI; or every scenario was skipped. */
  failed: 1,
  /** The input is wrong: bad YAML, unknown key, missing file, bad option. Nothing ran. */
  badInput: 2,
  /** The harness itself broke (a bug: please report it with the output). */
  internal: 3,
  /** Interrupted by Ctrl-C or SIGTERM, after teardown. */
  interrupted: 130,
} as const;

/** What each exit code means, as the reference states it. */
export const EXIT_MEANINGS: Record<(typeof EXIT)[keyof typeof EXIT], string> = {
  0: 'every scenario passed (skipped and todo steps allowed); a run that selected nothing is not 0',
  1: 'a scenario failed: an assertion, a service that did not start, a missing peer under CI or `--require-peers`; or every selected scenario was skipped, so nothing was checked (the reports show each one skipped, with why)',
  2: 'bad input: YAML syntax, unknown key, wrong type, unknown reference, dependency cycle, missing file, bad option. Printed as `file:line:col: message (hint)`, every problem of every file, before anything runs; no stack trace',
  3: 'the harness itself broke (a bug: please report it with the output). Every world is torn down first (daemons stopped, work directories removed), then one line says what broke (`CERTHARNESS_DEBUG=1` adds the stack)',
  130: 'interrupted by Ctrl-C or SIGTERM, after teardown: no child process, port or work directory is left behind',
};

/** A usage or input error: printed as one line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
