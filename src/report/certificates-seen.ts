// Which of the scenario's certificates a step met, read from its result by serial: the chain a
// server sent (`peerChain`, from https and tls-probe) and the client certificate an upstream
// says it received (`clientCertificate`, in its JSON echo, which curl and exec steps carry as
// text). A serial is 16 random bytes, so a match names one certificate of the scenario.
import type { PkiCertificateSummary, StepOutcome } from '../runner/events.ts';

export type SeenAs = 'presented by the server' | 'presented by the client' | 'in its result';

export interface SeenCertificate {
  name: string;
  as: SeenAs;
}

/** Text longer than this is not parsed for an echo: a report reads at most what trimResult kept. */
const MAX_JSON_TEXT = 100_000;

const normalSerial = (s: string) => s.toUpperCase().replace(/[^0-9A-F]/g, '').replace(/^0+(?=.)/, '');

/** Certificate names by serial, made once per scenario. */
export type SerialIndex = ReadonlyMap<string, string>;

export function serialIndex(pki: readonly PkiCertificateSummary[]): SerialIndex {
  return new Map(pki.map((c) => [normalSerial(c.serial), c.name]));
}

export function certificatesSeen(step: StepOutcome, bySerial: SerialIndex): SeenCertificate[] {
  if (!step.result || !bySerial.size) return [];
  const seen = new Map<string, SeenAs>();
  const note = (serial: string, as: SeenAs) => {
    const name = bySerial.get(normalSerial(serial));
    if (name && (!seen.has(name) || seen.get(name) === 'in its result')) seen.set(name, as);
  };
  const walk = (v: unknown, as: SeenAs, depth: number): void => {
    if (depth > 12) return;
    if (typeof v === 'string') {
      const t = v.trimStart();
      if (t.startsWith('{') && t.length <= MAX_JSON_TEXT) walk(parsed(t), as, depth + 1);
      return;
    }
    if (Array.isArray(v)) return v.forEach((x) => walk(x, as, depth + 1));
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'serial' && typeof x === 'string') note(x, as);
      else walk(x, k === 'peerChain' ? 'presented by the server' : k === 'clientCertificate' ? 'presented by the client' : as, depth + 1);
    }
  };
  walk(step.result, 'in its result', 0);
  return [...seen].map(([name, as]) => ({ name, as }));
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
