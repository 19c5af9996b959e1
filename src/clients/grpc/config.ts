// Document 002's JSON settings for either side of a gRPC connection:
//   { "use_secure_connection": true, "ssl_private_key": "server.key", "ssl_cert": "server.crt",
//     "ssl_root_cert": "rootCA.pem", "options": [["grpc.ssl_target_name_override", "localhost"]] }
// with the document's defaults, paths relative to the file. The document writes Python's `True`;
// users paste it, so it is accepted with a warning.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { didYouMean } from '../../scenario/suggest.ts';
import { unknownChannelOption } from './channel-options.ts';

export type GrpcRole = 'server' | 'client';

export interface GrpcSettings {
  file: string;
  role: GrpcRole;
  useSecureConnection: boolean;
  privateKey: string;
  cert: string;
  rootCert: string;
  options: [string, string | number][];
  warnings: string[];
}

export const KNOWN_KEYS = ['use_secure_connection', 'ssl_private_key', 'ssl_cert', 'ssl_root_cert', 'options'];

/** The document's defaults (data/certificates/...). */
export function defaults(role: GrpcRole): Pick<GrpcSettings, 'useSecureConnection' | 'privateKey' | 'cert' | 'rootCert'> {
  return { useSecureConnection: false, privateKey: `data/certificates/${role}.key`, cert: `data/certificates/${role}.crt`, rootCert: 'data/certificates/rootCA.pem' };
}

export class GrpcConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GrpcConfigError';
  }
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before.at(-1)!.length + 1}`;
}

/** Python's literals outside strings, replaced by JSON's; the warnings say where. */
function pythonLiterals(text: string, file: string): { json: string; warnings: string[] } {
  const warnings: string[] = [];
  const map: Record<string, string> = { True: 'true', False: 'false', None: 'null' };
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      continue;
    }
    const word = /^(True|False|None)\b/.exec(text.slice(i))?.[1];
    if (word && !/[\w]/.test(text[i - 1] ?? '')) {
      warnings.push(`${file}:${lineCol(text, i)}: Python's ${word} is not JSON; read as ${map[word]}`);
      out += map[word];
      i += word.length - 1;
      continue;
    }
    out += ch;
  }
  return { json: out, warnings };
}

export function readGrpcConfig(file: string, role: GrpcRole): GrpcSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new GrpcConfigError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const { json, warnings } = pythonLiterals(text, file);
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    throw new GrpcConfigError(`${file}${m ? `:${lineCol(json, Number(m[1]))}` : ''}: not JSON (${(e as Error).message.replace(/ in JSON at position \d+.*$/, '')})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new GrpcConfigError(`${file}: must be a JSON object with use_secure_connection, ssl_private_key, ssl_cert, ssl_root_cert`);
  const obj = data as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!KNOWN_KEYS.includes(k)) throw new GrpcConfigError(`${file}: unknown key '${k}'${(() => { const h = didYouMean(k, KNOWN_KEYS); return h ? ` (${h})` : ''; })()}`);
  }
  const d = defaults(role);
  const dir = dirname(resolve(file));
  const path = (k: string, fallback: string) => {
    const v = obj[k] ?? fallback;
    if (typeof v !== 'string') throw new GrpcConfigError(`${file}: ${k} must be a file path`);
    return resolve(dir, v);
  };
  const secure = obj.use_secure_connection ?? d.useSecureConnection;
  if (typeof secure !== 'boolean') throw new GrpcConfigError(`${file}: use_secure_connection must be true or false`);
  const options = (obj.options ?? []) as unknown;
  if (!Array.isArray(options) || !options.every((o) => Array.isArray(o) && o.length === 2 && typeof o[0] === 'string')) {
    throw new GrpcConfigError(`${file}: options must be a list of [name, value] pairs, e.g. [["grpc.ssl_target_name_override", "localhost"]]`);
  }
  for (const [name] of options as [string, unknown][]) {
    const unknown = unknownChannelOption(name);
    if (unknown) warnings.push(`${file}: option '${name}' ${unknown}`);
  }
  return {
    file,
    role,
    useSecureConnection: secure,
    privateKey: path('ssl_private_key', d.privateKey),
    cert: path('ssl_cert', d.cert),
    rootCert: path('ssl_root_cert', d.rootCert),
    options: options as [string, string | number][],
    warnings,
  };
}
