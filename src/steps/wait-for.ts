// `wait-for`: wait until a TCP port accepts connections or a file exists, so scenarios need
// no `sleep` guesses and no shell loops.
//   - wait-for: { port: "{{nginx.port}}" }
//   - wait-for: { file: live/aiotes/cert.pem, timeout: 10s }
import { connect } from 'node:net';
import { access } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { s, duration, type Infer } from '../scenario/schema.ts';
import { resolveWorkPath, workFile } from '../scenario/work-path.ts';
import { parseDuration } from '../scenario/duration.ts';
import { matcher, errorFields } from '../expect/vocabulary.ts';
import { defineStep } from './types.ts';

export type WaitForSpec = Infer<typeof waitForSchema>;

const POLL_MS = 50;

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

const waitForSchema = s.object({
  port: s.anyOf([s.integer({ minimum: 1, maximum: 65535 }), s.string()], 'TCP port (usually {{service.port}})'),
  host: s.string({ description: 'host for port (default 127.0.0.1)' }),
  file: workFile('read', 'path relative to the work directory'),
  timeout: duration('how long to wait (default 10s)'),
  interval: duration('time between checks (default 50ms)'),
}, { check: (v) => (v.port === undefined && v.file === undefined ? [{ message: 'needs port: or file:, something to wait for' }] : []) });

export const waitForStep = defineStep({
  kind: 'wait-for',
  summary: 'wait until a TCP port on loopback accepts connections, or a file exists',
  schema: waitForSchema,
  expect: { waitedMs: matcher('number'), error: errorFields() },
  async execute(spec, ctx) {
    const start = performance.now();
    const limit = parseDuration(spec.timeout ?? '10s') ?? 10_000;
    const interval = parseDuration(spec.interval ?? POLL_MS) ?? POLL_MS;
    const what = spec.file !== undefined ? `file ${spec.file}` : `port ${spec.host ?? '127.0.0.1'}:${spec.port}`;
    const ready = async () => {
      if (spec.file !== undefined) return access(resolveWorkPath(ctx.workDir, spec.file, 'read', 'wait-for file')).then(() => true, () => false);
      if (spec.port !== undefined) return canConnect(spec.host ?? '127.0.0.1', Number(spec.port));
      return true;
    };
    while (!ctx.signal.aborted) {
      if (await ready()) return { waitedMs: Math.round(performance.now() - start) };
      if (performance.now() - start > limit) break;
      await delay(interval, undefined, { signal: ctx.signal }).catch(() => {});
    }
    const waitedMs = Math.round(performance.now() - start);
    return { waitedMs, error: { code: 'ETIMEDOUT', message: `${what} was not ready after ${waitedMs}ms` } };
  },
});
