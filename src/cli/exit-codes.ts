// Documented in README "Exit codes"; CI scripts depend on them.
export const EXIT = {
  /** Every scenario passed (skips and todos allowed). */
  ok: 0,
  /** A scenario failed: an assertion, a service that did not start, a missing peer under CI. */
  failed: 1,
  /** The input is wrong: bad YAML, unknown key, missing file, bad option. Nothing ran. */
  badInput: 2,
  /** The harness itself broke (a bug: please report it with the output). */
  internal: 3,
  /** Interrupted by Ctrl-C or SIGTERM, after teardown. */
  interrupted: 130,
} as const;

/** A usage or input error: printed as one line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
