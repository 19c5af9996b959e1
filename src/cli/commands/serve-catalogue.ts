// `certharness serve catalogue`: every case of the catalogue of misconfigured TLS endpoints on
// loopback, minted fresh, until Ctrl-C; --json says where each is and what a client must do.
import { parseOptions } from '../options.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { createCatalog } from '../../runner/catalog.ts';
import { loadScenarioText } from '../../scenario/load.ts';
import { printProblems } from '../problems.ts';
import { CATALOGUE_CASES, caseEndpoint } from '../../catalogue/cases.ts';
import { catalogueScenarioText, SUITE_CLIENTS } from '../../catalogue/scenario.ts';
import { serveWorld } from '../served-world.ts';

export const SERVE_CATALOGUE_HELP = `Usage: certharness serve catalogue [--json] [--keep]
       certharness serve catalogue --scenario > my-clients.yaml

Starts one TLS endpoint per case of the catalogue of misconfigured servers (${CATALOGUE_CASES.length} cases: expired,
wrong-host, self-signed, untrusted-root, pathlen-violated, client-cert-required...), each with
certificates made fresh at start, so none ever expires, and waits for Ctrl-C. Host names are
under catalogue.test and resolve nowhere: dial 127.0.0.1 with the name as SNI
(curl --resolve NAME:PORT:127.0.0.1, openssl s_client -servername NAME).

  --json       print {"trust": {"caFile"}, "endpoints": {"<case>": {"url", "host", "port",
               "servername", "resolve", "expect": "accept"|"reject", "reason", "group"}}}
               once every endpoint listens
  --scenario   print the catalogue as a scenario (its PKI, services and a curl and an
               openssl s_client step per case) to copy and point at your own client; nothing
               is started
  --keep       keep the work directory (certificates and keys) after exit

Examples:
  certharness serve catalogue --json > catalogue.json &
  curl --cacert "$(jq -r .trust.caFile catalogue.json)" --resolve "$(jq -r .endpoints.expired.resolve catalogue.json)" "$(jq -r .endpoints.expired.url catalogue.json)"
`;

export async function serveCatalogueCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, { json: { type: 'boolean', default: false }, scenario: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } }, 'serve catalogue');
  if (values.help) {
    io.stdout(SERVE_CATALOGUE_HELP);
    return EXIT.ok;
  }
  if (positionals.length) throw new UsageError(`serve catalogue takes no arguments (got ${positionals[0]})`);
  if (values.scenario) {
    io.stdout(catalogueScenarioText({ clients: SUITE_CLIENTS }));
    return EXIT.ok;
  }
  const catalog = createCatalog();
  const loaded = loadScenarioText('(serve catalogue)', catalogueScenarioText({ clients: [] }), { catalog: catalog.format, env: io.env, vars: {} });
  if (!loaded.scenario) {
    printProblems(loaded.problems, io);
    return EXIT.badInput;
  }
  return serveWorld(loaded.scenario, { catalog, io, keep: values.keep }, (world) => {
    const caFile = world.pki.root!.props.certFile as string;
    const endpoints = Object.fromEntries(CATALOGUE_CASES.map((c) => {
      return [c.name, { ...caseEndpoint(c, world.services[c.name]!.port as number), reason: c.reason, group: c.group, purpose: c.purpose }];
    }));
    if (values.json) {
      io.stdout(JSON.stringify({ trust: { caFile }, endpoints, workDir: world.workDir }) + '\n');
      return;
    }
    io.stdout(`catalogue: ${CATALOGUE_CASES.length} endpoints on 127.0.0.1; trust ${caFile}\n`);
    for (const [n, e] of Object.entries(endpoints)) io.stdout(`${e.expect.padEnd(6)} ${n.padEnd(22)} ${e.url}  (--resolve ${e.resolve})\n`);
    io.stdout('Press Ctrl-C to stop.\n');
  });
}
