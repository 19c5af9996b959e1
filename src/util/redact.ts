// Secrets never reach a report or a log: private-key PEM blocks lose their body, and password
// arguments (openssl's pass:..., curl's --pass and --cert file:password) lose their value.
// Applied where results become events, so every reporter and scenario.log see the same text.

const PRIVATE_KEY_BLOCK = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----[\s\S]*?(?:-----END \1-----|$)/g;
/** One shell word as a displayed command writes it: bare, 'single', "double" or backslashed parts. */
const WORD = `(?:'[^']*'|"(?:\\\\.|[^"\\\\])*"|\\\\.|[^\\s'"\\\\])+`;
const PASSWORD_ARGUMENTS: [RegExp, string][] = [
  // openssl -passin pass:x, -passout pass:x, -password pass:x, -pass pass:x ('pass:a b' quoted too)
  [new RegExp(`\\bpass:(?:${WORD})?`, 'g'), 'pass:[redacted]'],
  // curl --pass x / --pass=x, --proxy-pass, --key-password
  [new RegExp(`(--(?:proxy-)?pass(?:word)?|--key-password)(\\s+|=)(${WORD})`, 'g'), '$1$2[redacted]'],
  // curl --cert file:password / -E file:password (a bare file name keeps its meaning)
  [/((?:--cert|-E)(?:\s+|=)['"]?[^\s:'"]+):([^\s'"]+)/g, '$1:[redacted]'],
];

export function redactText(text: string): string {
  let out = text.replace(PRIVATE_KEY_BLOCK, (_, label: string) => `-----BEGIN ${label}----- [redacted by certharness] -----END ${label}-----`);
  for (const [re, to] of PASSWORD_ARGUMENTS) out = out.replace(re, to);
  return out;
}

/** A deep copy with every string redacted. */
export function redact<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map(redact) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)])) as T;
  }
  return value;
}
