// A request's failure is that request's: whatever a handler throws (at once or later) becomes
// a 500 for it, or a closed connection once its answer has started, and a line in the log —
// never an uncaught error that takes the world down.
interface Answerable {
  headersSent: boolean;
  writeHead(status: number, headers?: Record<string, string>): unknown;
  end(body?: string): unknown;
  destroy(error?: Error): unknown;
}

export function failRequest(res: Answerable, log: (line: string) => void, what: string, e: unknown): void {
  log(`[error] ${what}: ${(e as Error)?.message ?? String(e)}`);
  try {
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('500 Internal Server Error\n');
    } else res.destroy();
  } catch {
    res.destroy();
  }
}

/** Runs `fn` for a request; a throw or rejection fails that request only. */
export function guarded(res: Answerable, log: (line: string) => void, what: string, fn: () => unknown): void {
  try {
    const r = fn();
    if (r instanceof Promise) r.catch((e: unknown) => failRequest(res, log, what, e));
  } catch (e) {
    failRequest(res, log, what, e);
  }
}
