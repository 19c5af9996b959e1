// How curl's command line names a client certificate: `--cert file[:password]`, `--pass`,
// `--key`, `--cert-type`. Rule R1 of the macOS table (docs/macos-curl.md):
// curl's tool_getparam.c parse_cert_parameter splits --cert at the first unescaped ':'; `\:`
// is a literal ':', `\\` a '\', any other `\x` is kept; a `pkcs11:` URI, or a value with
// neither ':' nor '\', is the name as a whole. An empty password counts as none.
export interface CertArg {
  name: string;
  password?: string;
}

export function parseCertParameter(value: string): CertArg {
  if (value.startsWith('pkcs11:') || (!value.includes(':') && !value.includes('\\'))) return { name: value };
  let name = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && (value[i + 1] === ':' || value[i + 1] === '\\')) {
      name += value[++i];
    } else if (ch === ':') {
      const password = value.slice(i + 1);
      return password === '' ? { name } : { name, password };
    } else name += ch;
  }
  return { name };
}

export interface CurlClientCertOptions {
  cert?: CertArg;
  key?: string;
  certType?: string;
  /** --pass as given (the last of --cert's password and --pass wins). */
  password?: string;
  passGivenEmpty: boolean;
  verbose: boolean;
  silent: boolean;
  showError: boolean;
  /** The arguments without the client-certificate options, for the request itself. */
  rest: string[];
}

const SHORT_FLAGS: Record<string, string> = { v: 'verbose', s: 'silent', S: 'show-error', k: 'insecure', E: 'cert' };

/** Reads the client-certificate options out of a curl argument list; everything else is kept. */
export function parseCurlArgs(args: string[]): CurlClientCertOptions {
  const o: CurlClientCertOptions = { passGivenEmpty: false, verbose: false, silent: false, showError: false, rest: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = () => args[++i] ?? '';
    if (a === '--cert' || a === '-E') {
      o.cert = parseCertParameter(next());
      if (o.cert.password !== undefined) o.password = o.cert.password;
    } else if (a === '--key') o.key = next();
    else if (a === '--cert-type') o.certType = next();
    else if (a === '--pass') {
      const p = next();
      if (p === '') o.passGivenEmpty = true;
      o.password = p === '' ? undefined : p;
    } else if (/^-[a-zA-Z]+$/.test(a) && !a.startsWith('--')) {
      // Combined short flags: -vsk
      for (const f of a.slice(1)) {
        if (SHORT_FLAGS[f] === 'verbose') o.verbose = true;
        if (SHORT_FLAGS[f] === 'silent') o.silent = true;
        if (SHORT_FLAGS[f] === 'show-error') o.showError = true;
      }
      o.rest.push(a);
    } else {
      if (a === '--verbose') o.verbose = true;
      if (a === '--silent') o.silent = true;
      if (a === '--show-error') o.showError = true;
      o.rest.push(a);
    }
  }
  return o;
}
