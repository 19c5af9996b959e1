// What the command line swaps in a scenario, for an operator checking a real deployment:
// - `--target NAME=URL`: in every scenario that declares a service NAME, that service is not
//   started; an `external` service stands in for it, so the steps (and services that use it,
//   such as a proxy's `to:`) talk to the deployment at URL.
// - `--pki NAME=CERT[,KEY]`: the PKI item NAME (a certificate, or a trust bundle) is loaded from
//   those files instead of generated,
//   so the deployment's own CA and client certificate are used. Items it issues are issued
//   with its key (an expired or wrong-purpose certificate from the operator's own CA); without
//   the key, the steps that need them are skipped with the reason.
import type { Scenario } from '../scenario/types.ts';

export interface PkiFiles {
  certFile: string;
  /** Absent: a trust anchor only; what it would issue is skipped. */
  keyFile?: string;
}

export interface Overrides {
  targets: Record<string, string>;
  pki: Record<string, PkiFiles>;
}

export function applyOverrides(scenario: Scenario, o: Overrides): Scenario {
  const services = { ...scenario.services };
  for (const [name, url] of Object.entries(o.targets)) {
    const decl = services[name];
    if (!decl) continue;
    // A `start: step` service still waits for its start step; what it used (PKI, services) it no longer needs.
    const spec = { url, replaces: decl.kind, ...(decl.spec.start === 'step' ? { start: 'step' } : {}) };
    services[name] = { name, kind: 'external', spec, dependsOn: [], usesPki: [], ...(decl.at ? { at: decl.at } : {}) };
  }
  const pki = { ...scenario.pki };
  for (const [name, files] of Object.entries(o.pki)) {
    const decl = pki[name];
    if (!decl) continue;
    // A trust bundle loaded from a file is a certificate item like any other loaded one.
    pki[name] = { name, kind: decl.kind === 'trust' ? 'default' : decl.kind, spec: { ...files }, ...(decl.at ? { at: decl.at } : {}) };
  }
  return { ...scenario, services, pki };
}

/**
 * Why an override cannot apply: a name no scenario declares (it would change nothing), or a
 * PKI item that is not a certificate (a PKCS#12 bundle or a CRL is made from certificates).
 */
export function overrideProblems(scenarios: Scenario[], o: Overrides): string[] {
  const problems: string[] = [];
  const list = (names: string[]) => (names.length ? names.join(', ') : 'none');
  for (const name of Object.keys(o.targets)) {
    if (!scenarios.some((s) => name in s.services)) problems.push(`--target ${name}: no scenario declares a service named ${name} (services: ${list([...new Set(scenarios.flatMap((s) => Object.keys(s.services)))])})`);
  }
  for (const name of Object.keys(o.pki)) {
    const decls = scenarios.map((s) => s.pki[name]).filter((d) => d !== undefined);
    if (!decls.length) problems.push(`--pki ${name}: no scenario declares a PKI item named ${name} (items: ${list([...new Set(scenarios.flatMap((s) => Object.keys(s.pki)))])})`);
    else if (decls.some((d) => d.kind !== 'default' && d.kind !== 'trust')) problems.push(`--pki ${name}: it is a ${decls.find((d) => d.kind !== 'default' && d.kind !== 'trust')!.kind} item; only certificates and trust bundles load from files`);
    else if (o.pki[name]!.keyFile && decls.some((d) => d.kind === 'trust')) problems.push(`--pki ${name}: it is a trust bundle, which has no key: give only the certificate file`);
  }
  return problems;
}
