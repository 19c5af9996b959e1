// Distinguished names as a scenario writes them, in the three forms people paste:
//   "CN=Example CA, O=Example"            (RFC 4514 order as written)
//   "/C=FR/O=Example/CN=localhost"         (openssl -subj)
//   { C: FR, O: Example, CN: localhost }    (openssl req's prompts, "." for an empty answer)
import { x509 } from './crypto.ts';

/** Attribute order of `openssl req`'s prompts. */
export const DN_ATTRIBUTES = ['C', 'ST', 'L', 'O', 'OU', 'CN', 'emailAddress'] as const;

const OID: Record<string, string> = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  emailAddress: '1.2.840.113549.1.9.1',
  E: '1.2.840.113549.1.9.1',
  DC: '0.9.2342.19200300.100.1.25',
  serialNumber: '2.5.4.5',
};

export type SubjectInput = string | Record<string, string | number | undefined>;

/** [attribute, value] pairs in order, without empty ("." or blank) answers. */
export function parseSubject(input: SubjectInput): [string, string][] {
  let pairs: [string, string][];
  if (typeof input === 'string') {
    const text = input.trim();
    const parts = text.startsWith('/') ? text.slice(1).split(/(?<!\\)\//) : text.split(/(?<!\\),\s*/);
    pairs = parts
      .filter((p) => p.trim())
      .map((p) => {
        const eq = p.indexOf('=');
        if (eq < 1) throw new Error(`subject part '${p}' is not NAME=value`);
        return [p.slice(0, eq).trim(), p.slice(eq + 1).trim().replace(/\\([,/])/g, '$1')];
      });
  } else {
    pairs = Object.entries(input)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]);
  }
  for (const [k] of pairs) if (!OID[k]) throw new Error(`unknown subject attribute '${k}' (known: ${Object.keys(OID).join(', ')})`);
  return pairs.filter(([, v]) => v !== '.' && v !== '');
}

export function toX509Name(pairs: [string, string][]): x509.Name {
  // One RDN per attribute, in the given order, the way openssl builds a name from -subj.
  return new x509.Name(pairs.map(([k, v]) => ({ [OID[k]!]: [k === 'C' ? { printableString: v } : k === 'emailAddress' || k === 'E' ? { ia5String: v } : { utf8String: v }] }) as unknown as x509.JsonName[number]));
}

export function commonName(pairs: [string, string][]): string | undefined {
  return pairs.findLast(([k]) => k === 'CN')?.[1];
}

