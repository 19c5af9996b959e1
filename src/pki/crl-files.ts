// `{{name.crlFile}}`: each CA item's current CRL as a PEM file in the work directory, for the
// programs that read a file (openssl verify -CRLfile, nginx ssl_crl, curl --crlfile). A CA item's
// crlFile is the CRL it issues; a certificate it issued names the same file. The files are
// rewritten whenever the scenario revokes at that CA, before the revoke step ends.
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { crlPem, currentCrl, issuingCa, signingCas } from './crl.ts';
import type { PkiItems } from './build.ts';
import type { Revocations } from './revocations.ts';

/** Writes every CA's CRL file, sets the crlFile properties, and keeps the files current. */
export async function publishCrlFiles(pki: PkiItems, revocations: Revocations, dir: string): Promise<void> {
  const cas = signingCas(pki);
  const fileOf = (ca: string) => join(dir, `${ca}.crl.pem`);
  const write = async (ca: string) => {
    const item = cas.get(ca);
    if (item) await writeFileAtomic(fileOf(ca), crlPem(await currentCrl(ca, item, revocations)));
  };
  await Promise.all([...cas.keys()].map(write));
  for (const [name, item] of Object.entries(pki)) {
    if (item.kind !== 'certificate') continue;
    const ca = cas.has(name) ? name : issuingCa(item, pki);
    if (ca && cas.has(ca)) item.props.crlFile = fileOf(ca);
  }
  revocations.subscribe(write);
}
