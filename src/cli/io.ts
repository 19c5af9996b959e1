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

/** Whether this is a CI run: CI set to anything but empty, 0 or false (GitHub, GitLab and Jenkins set CI=true). */
export function isCi(env: Record<string, string | undefined>): boolean {
  const v = env.CI?.trim().toLowerCase();
  return v !== undefined && v !== '' && v !== '0' && v !== 'false';
}
