// The name constraints extension (RFC 5280 §4.2.1.10) of a CA: the names the certificates below
// it may carry. A DNS entry ("example.test") permits or excludes that name and every name under
// it; an IP entry is a range in CIDR form ("127.0.0.0/8"). Always critical, as §4.2.1.10 says.
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints, id_ce_nameConstraints } from '@peculiar/asn1-x509';
import { isIP } from 'node:net';
import { x509 } from './crypto.ts';

export interface NameConstraintsDecl {
  permitted?: string[];
  excluded?: string[];
}

/** Why an entry cannot be a constraint, or undefined. */
export function nameConstraintProblem(entry: string): string | undefined {
  const [address, prefix, ...rest] = entry.split('/');
  if (prefix !== undefined) {
    const version = isIP(address!);
    const bits = Number(prefix);
    if (!version || rest.length || !/^\d+$/.test(prefix) || bits > (version === 4 ? 32 : 128)) return `${entry} is not an IP range (127.0.0.0/8, fd00::/8)`;
    return undefined;
  }
  if (isIP(entry)) return `${entry} is an address: an IP constraint is a range (${entry}/${isIP(entry) === 4 ? 32 : 128})`;
  return /^\.?([A-Za-z0-9_-]+\.)*[A-Za-z0-9_-]+$/.test(entry) ? undefined : `${entry} is neither a DNS name nor an IP range`;
}

function subtrees(entries: readonly string[]): GeneralSubtrees {
  return new GeneralSubtrees(entries.map((e) => new GeneralSubtree({ base: new GeneralName(e.includes('/') ? { iPAddress: e } : { dNSName: e }) })));
}

export function nameConstraintsExtension(d: NameConstraintsDecl): x509.Extension {
  const value = new NameConstraints({
    ...(d.permitted?.length ? { permittedSubtrees: subtrees(d.permitted) } : {}),
    ...(d.excluded?.length ? { excludedSubtrees: subtrees(d.excluded) } : {}),
  });
  return new x509.Extension(id_ce_nameConstraints, true, AsnConvert.serialize(value));
}
