// What `curl -v` says, as fields: the TLS version and cipher, the server certificate, the HTTP
// status and curl's own error line. Read from curl 7.88's verbose output (OpenSSL backend).
export interface CurlVerbose {
  tlsVersion?: string;
  cipher?: string;
  alpn?: string;
  serverCertificate?: { subject?: string; issuer?: string; expireDate?: string; subjectAltNameMatch?: boolean };
  httpStatus?: number;
  /** "curl: (56) OpenSSL SSL_read: ... tlsv13 alert certificate required" without the prefix. */
  curlError?: string;
}

export function parseCurlVerbose(stderr: string): CurlVerbose {
  const out: CurlVerbose = {};
  const line = (re: RegExp) => re.exec(stderr)?.[1]?.trim();
  const conn = /^\* SSL connection using (\S+) \/ (\S+)/m.exec(stderr);
  if (conn) {
    out.tlsVersion = conn[1]!;
    out.cipher = conn[2]!;
  }
  const alpn = line(/^\* ALPN[:,] server accepted (?:to use )?(\S+)/m);
  if (alpn) out.alpn = alpn;
  const subject = line(/^\*\s+subject: (.*)$/m);
  const issuer = line(/^\*\s+issuer: (.*)$/m);
  const expire = line(/^\*\s+expire date: (.*)$/m);
  if (subject || issuer) {
    out.serverCertificate = {
      ...(subject ? { subject } : {}),
      ...(issuer ? { issuer } : {}),
      ...(expire ? { expireDate: expire } : {}),
      ...(/subjectAltName: host .* matched cert's/m.test(stderr) ? { subjectAltNameMatch: true } : /subjectAltName does not match/m.test(stderr) ? { subjectAltNameMatch: false } : {}),
    };
  }
  const statuses = [...stderr.matchAll(/^< HTTP\/[\d.]+ (\d{3})/gm)];
  if (statuses.length) out.httpStatus = Number(statuses.at(-1)![1]);
  const err = line(/^curl: \(\d+\) (.*)$/m);
  if (err) out.curlError = err;
  return out;
}
