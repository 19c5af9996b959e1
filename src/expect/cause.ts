// The underlying error of a failed step, in one line, from the fields client and process
// steps report: the error code and message, gRPC's TLS label and last error, curl's error
// line, the phase an exchange stopped at, and failing that the last lines of stderr.
const LIMIT = 400;

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

export function causeOf(result: Record<string, unknown>): string | undefined {
  const parts: string[] = [];
  const error = result.error as { code?: unknown; message?: unknown; alert?: unknown } | undefined;
  if (error && (error.code || error.message)) parts.push([text(error.code), text(error.message)].filter(Boolean).join(': '));
  if (text(result.tlsError)) parts.push(`tlsError ${result.tlsError}`);
  if (text(result.lastError) && !parts.some((p) => p.includes(String(result.lastError)))) parts.push(String(result.lastError));
  if (text(result.curlError)) parts.push(`curl: (${String(result.exit)}) ${result.curlError}`);
  if (!parts.length && text(result.stderr)) parts.push(String(result.stderr).trim().split('\n').slice(-3).join(' | '));
  if (text(result.phase) && parts.length) parts.unshift(`stopped at ${result.phase}`);
  if (!parts.length) return undefined;
  const line = parts.join('; ').replace(/\s+/g, ' ');
  return line.length > LIMIT ? `${line.slice(0, LIMIT)}…` : line;
}
