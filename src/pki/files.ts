// PKI files: private keys 0600, certificates 0644, always written atomically.
import { writeFileAtomic } from '../util/atomic-write.ts';

export { writeFileAtomic };
export const writePrivate = (path: string, data: string | Uint8Array) => writeFileAtomic(path, data, 0o600);
