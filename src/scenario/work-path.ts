// The work directory is a jail for the paths a scenario names. A file the harness writes (an
// `out:`, a webroot, a config dir) must land inside it, after symbolic links are followed; a
// relative file it reads must too. An absolute path to read is the user's own input (an
// operator's certificate to inspect) and stays allowed, read-only.
import { constants, realpathSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import { s, type Typed } from './schema.ts';

export type PathAccess = 'read' | 'write';

/** A path that leads outside the work directory: the step fails, nothing is written. */
export class OutsideWorkDirError extends Error {
  readonly code = 'OUTSIDE_WORKDIR';
  constructor(message: string) {
    super(message);
    this.name = 'OutsideWorkDirError';
  }
}

/** What is wrong with a literal path, known before anything runs; undefined when nothing is. */
export function staticPathProblem(value: string, access: PathAccess): string | undefined {
  if (value.includes('\0')) return 'contains a NUL byte';
  if (value === '') return 'is empty';
  if (isAbsolute(value)) return access === 'write' ? 'is an absolute path: what the harness writes stays inside the work directory (write a relative path)' : undefined;
  const n = normalize(value);
  if (n === '..' || n.startsWith(`..${sep}`)) return `climbs out of the work directory ('${value.slice(0, 80)}')`;
  return undefined;
}

/** A schema field naming a path in the work directory, checked at load when it has no {{references}}. */
export function workFile(access: PathAccess, description: string): Typed<string> {
  return s.string({ description, check: (v) => staticPathProblem(v, access) });
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The real path of p, or of its deepest ancestor that exists with the rest appended. */
function realpathOfExisting(p: string): string {
  let head = p;
  let tail = '';
  for (;;) {
    try {
      return resolve(realpathSync(head), tail);
    } catch {
      const up = dirname(head);
      if (up === head) return p;
      tail = tail ? `${head.slice(up.length + 1)}${sep}${tail}` : head.slice(up.length + 1);
      head = up;
    }
  }
}

/**
 * Resolves a path a scenario names against the work directory, or throws OutsideWorkDirError.
 * `what` names the field in the message ("sign-csr out").
 */
export function resolveWorkPath(workDir: string, value: string, access: PathAccess, what = 'path'): string {
  const wrong = staticPathProblem(value, 'read');
  if (wrong) throw new OutsideWorkDirError(`${what} ${wrong}`);
  if (access === 'read' && isAbsolute(value)) return value;
  const full = resolve(workDir, value);
  if (!inside(workDir, full)) throw new OutsideWorkDirError(`${what} '${value.slice(0, 200)}' is outside the work directory`);
  if (!inside(realpathOfExisting(workDir), realpathOfExisting(full))) {
    throw new OutsideWorkDirError(`${what} '${value.slice(0, 200)}' leads outside the work directory through a symbolic link`);
  }
  return full;
}

/** Files a step reads (certificates, keys, CSRs, configs) are small: a device or a huge file is refused. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/**
 * Reads a file a scenario names: resolved as `resolveWorkPath` does, and only a regular file
 * of at most MAX_INPUT_BYTES (so `/dev/zero` or a FIFO fails the step instead of hanging it).
 */
export async function readWorkFile(workDir: string, value: string, what = 'file'): Promise<Buffer> {
  const file = resolveWorkPath(workDir, value, 'read', what);
  const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw Object.assign(new Error(`${value}: not a regular file`), { code: 'not-a-file' });
    if (st.size > MAX_INPUT_BYTES) throw Object.assign(new Error(`${value}: ${st.size} bytes is more than the ${MAX_INPUT_BYTES}-byte limit`), { code: 'too-large' });
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
