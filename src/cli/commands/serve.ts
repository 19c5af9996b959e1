// `certharness serve`: a scenario's PKI and services, up until Ctrl-C, to poke at by hand.
import { parseOptions } from '../options.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { createCatalog } from '../../runner/catalog.ts';
import { loadAll } from '../../runner/run.ts';
import { printProblems } from '../problems.ts';
import { parseVars } from './run.ts';
import { SERVE_TEMPLATES } from '../serve-templates.ts';
import { loadScenarioText } from '../../scenario/load.ts';
import { existsSync } from 'node:fs';
import { didYouMean } from '../../scenario/suggest.ts';
import { serveAcmeCommand } from './serve-acme.ts';
import { serveCatalogueCommand } from './serve-catalogue.ts';
import { serveWorld } from '../served-world.ts';

export const SERVE_HELP = `Usage: certharness serve <scenario.yaml | ${Object.keys(SERVE_TEMPLATES).join(' | ')}> [--json] [--keep] [--var K=V]...
       certharness serve acme [--config pebble-config.json] [--json]   (a Pebble-compatible ACME CA; see serve acme --help)
       certharness serve catalogue [--json] [--scenario]   (misconfigured TLS endpoints; see serve catalogue --help)

Creates the scenario's PKI and starts its services, then waits until Ctrl-C. Steps are not
run. A bare service kind starts that service with defaults and its own PKI. With --json, prints one JSON object on stdout once everything listens:
  {"services": {"<name>": {"kind", "url", "host", "port", ...}},
   "pki": {"<name>": {"certFile", "keyFile", "chainFile", ...}}, "workDir"}

Examples:
  certharness serve scenarios/001-mtls-upstream.yaml
  certharness serve upstream --json
  certharness serve scenarios/001-mtls-upstream.yaml --json > world.json &
  curl --cacert "$(jq -r .pki.ca.certFile world.json)" --cert "$(jq -r .pki.client.certFile world.json)" \\
      --key "$(jq -r .pki.client.keyFile world.json)" "$(jq -r .services.upstream.url world.json)"
`;

export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  // The ACME CA has Pebble's command line, not a scenario's.
  if (argv[0] === 'acme') return serveAcmeCommand(argv.slice(1), io);
  if (argv[0] === 'catalogue') return serveCatalogueCommand(argv.slice(1), io);
  const { values, positionals } = parseOptions(argv, { json: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false }, var: { type: 'string', multiple: true, default: [] } }, 'serve');
  if (values.help) {
    io.stdout(SERVE_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError(`serve takes one scenario file or one of: ${Object.keys(SERVE_TEMPLATES).join(', ')}`);
  const catalog = createCatalog();
  const target = positionals[0]!;
  const template = !existsSync(target) ? SERVE_TEMPLATES[target] : undefined;
  if (!existsSync(target) && !template) {
    const hint = didYouMean(target, Object.keys(SERVE_TEMPLATES));
    throw new UsageError(`${target}: no such file, and not a service kind${hint ? ` (${hint})` : `; kinds: ${[...Object.keys(SERVE_TEMPLATES), 'acme', 'catalogue'].join(', ')}`}`);
  }
  const { loaded, problems } = template
    ? (() => {
        const r = loadScenarioText(`(serve ${target})`, template, { catalog: catalog.format, env: io.env, vars: parseVars(values.var) });
        return { loaded: r.scenario ? [{ scenario: r.scenario, source: template, id: target }] : [], problems: r.problems };
      })()
    : loadAll(positionals, catalog, io.env, parseVars(values.var));
  if (problems.length) {
    printProblems(problems, io);
    return EXIT.badInput;
  }
  const { scenario } = loaded[0]!;
  return serveWorld(scenario, { catalog, io, keep: values.keep }, (world) => {
    const pki = Object.fromEntries(Object.entries(world.pki).map(([n, item]) => [n, publicProps(item.props)]));
    const services: Record<string, Record<string, unknown>> = Object.fromEntries(Object.entries(world.services).map(([n, p]) => [n, { kind: scenario.services[n]!.kind, ...p }]));
    // serve makes the world, not the steps: what only a step would start or make is named, not silently missing.
    const notStarted = Object.fromEntries(Object.values(scenario.services).filter((d) => d.spec.start === 'step').map((d) => [d.name, 'declared start: step: a step of the scenario starts it, and serve runs no steps']));
    const stepsNotRun = scenario.steps.length;
    if (values.json) {
      io.stdout(JSON.stringify({ services, pki, workDir: world.workDir, notStarted, stepsNotRun }) + '\n');
      return;
    }
    io.stdout(`${scenario.title}\nwork directory: ${world.workDir}\n`);
    for (const [n, p] of Object.entries(services)) io.stdout(`service ${n} (${p.kind}): ${p.url ?? `${p.host}:${p.port}`}\n`);
    for (const [n, p] of Object.entries(pki)) io.stdout(`pki ${n}: ${p.certFile} (key ${p.keyFile})\n`);
    for (const [n, why] of Object.entries(notStarted)) io.stdout(`not started: service ${n}: ${why}\n`);
    if (stepsNotRun) io.stdout(`not run: the scenario's ${stepsNotRun} step(s), and the files they make; to keep everything a run made: certharness run ${scenario.file} --keep\n`);
    io.stdout('Press Ctrl-C to stop.\n');
  });
}

/** File paths and names only: PEM text and key material stay out of the JSON. */
function publicProps(p: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(p).filter(([k, v]) => typeof v === 'string' && !['pem', 'keyPem', 'chainPem', 'keyPassword'].includes(k)));
}
