// What a command gets from the composition root: no command reads process.* itself.
export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutIsTTY: boolean;
  /** Terminal width when stdout is a terminal. */
  columns?: number;
  /** Aborted on the first Ctrl-C / SIGTERM. */
  signal: AbortSignal;
  cores: number;
}
