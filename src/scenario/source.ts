// Reading a scenario file: a regular file of bounded size, or a problem. A device (/dev/zero),
// a FIFO or a 10 GB file must give one line, not a hang or an exhausted heap.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Problem } from './problem.ts';

/** Scenario files larger than this are refused (documented in docs/safety.md). */
export const MAX_SCENARIO_BYTES = 4 * 1024 * 1024;

export function readScenarioSource(file: string): string | Pick<Problem, 'code' | 'message'> {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : code === 'ENXIO' ? 'is not a regular file' : String((err as Error).message);
    return { code: 'missing-file', message: `cannot read scenario ${file}: ${why}` };
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { code: 'missing-file', message: `cannot read scenario ${file}: is a directory` };
    if (!st.isFile()) return { code: 'bad-input', message: `cannot read scenario ${file}: not a regular file (a device, FIFO or socket)` };
    if (st.size > MAX_SCENARIO_BYTES) return { code: 'bad-input', message: `scenario ${file} is ${st.size} bytes; the limit is ${MAX_SCENARIO_BYTES} (4 MiB)` };
    // Read at most one byte past the limit: a file that grows while we read is still bounded.
    const buf = Buffer.alloc(Math.min(st.size, MAX_SCENARIO_BYTES) + 1);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > MAX_SCENARIO_BYTES) return { code: 'bad-input', message: `scenario ${file} is larger than the limit of ${MAX_SCENARIO_BYTES} bytes (4 MiB)` };
    return buf.subarray(0, n).toString('utf8');
  } catch (err) {
    return { code: 'missing-file', message: `cannot read scenario ${file}: ${(err as Error).message}` };
  } finally {
    closeSync(fd);
  }
}
