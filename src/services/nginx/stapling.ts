// nginx fetches a stapled OCSP answer only when a handshake asks for one, and answers that
// handshake without it. A scenario step must not depend on being second, so the service asks
// until nginx staples, or until its error log says the answer was not stapled (nginx staples
// only a good answer that verifies). openssl s_client -status asks: the TLS clients of Bun and
// Deno never send status_request.
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { runProcess } from '../../clients/process.ts';

const PRIME_LIMIT_MS = 10_000;
const PRIME_POLL_MS = 50;

async function stapledNow(host: string, port: number, cwd: string, env: Record<string, string | undefined>): Promise<boolean> {
  const r = await runProcess(['openssl', 's_client', '-connect', `${host.includes(':') ? `[${host}]` : host}:${port}`, '-status'], { cwd, env, stdin: '' });
  return /OCSP Response Status: successful/.test(r.stdout);
}

/** Asks until nginx staples or logs why it did not; what happened, for the service log. */
export async function primeStapling(host: string, port: number, errorLog: string, cwd: string, env: Record<string, string | undefined>): Promise<string> {
  const started = performance.now();
  // Only what this start logs: after a restart the file still holds the last run's lines.
  const from = (await readFile(errorLog).catch(() => Buffer.alloc(0))).length;
  while (performance.now() - started < PRIME_LIMIT_MS) {
    if (await stapledNow(host, port, cwd, env)) return `nginx staples an OCSP answer (after ${Math.round(performance.now() - started)}ms)`;
    const log = (await readFile(errorLog).catch(() => Buffer.alloc(0))).subarray(from).toString('utf8');
    const refused = /.*OCSP.*(?:response|responder).*|.*certificate status .*/i.exec(log.split('\n').filter((l) => /\[(error|warn)\]/.test(l)).join('\n'));
    if (refused) return `nginx staples nothing: ${refused[0].replace(/^.*?\[(error|warn)\] [^:]*: /, '')}`;
    await delay(PRIME_POLL_MS);
  }
  throw new Error(`nginx neither stapled an OCSP answer nor logged why within ${PRIME_LIMIT_MS / 1000}s`);
}
