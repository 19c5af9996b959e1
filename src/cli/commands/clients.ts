// `certharness clients check`: each installed TLS client against every case of the catalogue,
// as a matrix (case × client), or as TAP, JUnit (a testsuite per client) and JSON.
import { parseOptions } from '../options.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { createCatalog } from '../../runner/catalog.ts';
import { runAll, type LoadedScenario } from '../../runner/run.ts';
import { SharedWorld } from '../../runner/shared-world.ts';
import { ReporterMultiplexer } from '../../report/multiplexer.ts';
import { MatrixReporter } from '../../report/matrix.ts';
import { loadScenarioText } from '../../scenario/load.ts';
import { printProblems } from '../problems.ts';
import { createReporters, writesStdout } from '../reporters.ts';
import { PEER_HINTS } from '../peers.ts';
import { didYouMean } from '../../scenario/suggest.ts';
import { CATALOGUE_CLIENT_NAMES, CATALOGUE_CLIENTS, type CatalogueClientName } from '../../catalogue/clients.ts';
import { catalogueScenarioText } from '../../catalogue/scenario.ts';
import { CATALOGUE_CASES } from '../../catalogue/cases.ts';

export const CLIENTS_HELP = `Usage: certharness clients check [--clients ${CATALOGUE_CLIENT_NAMES.join(',')}] [--reporter R]... [--keep]

Runs each TLS client against every case of the catalogue it speaks (certharness serve catalogue:
${CATALOGUE_CASES.length} endpoints minted fresh on loopback; the gRPC clients run the gRPC cases, the others the
HTTPS ones) and prints a matrix: case × client, accepted or rejected, "ok" when
that is what a correct client does, "~" for a known deviation of that client (the catalogue
names it and why), FAIL otherwise; then each refusal in the client's own words. A client that
accepts what it must reject, or refuses what it must accept, fails the check (exit 1).

Clients:
${CATALOGUE_CLIENT_NAMES.map((n) => `  ${n.padEnd(12)} ${CATALOGUE_CLIENTS[n].summary}`).join('\n')}

  --clients LIST   which clients (default: all); a client named here that is not installed
                   fails, one left to the default is skipped with the fix
  --reporter R     as for run: tap[=PATH], junit=PATH (a testsuite per client), json=PATH,
                   html=DIR (the matrix and each client's run), console[=PATH]; the matrix
                   is printed unless a reporter takes stdout
  --keep           keep the work directories

Examples:
  certharness clients check
  certharness clients check --clients curl,python --reporter junit=clients.xml
  certharness clients check --reporter html=clients     # clients/index.html
`;

export async function clientsCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, { clients: { type: 'string' }, reporter: { type: 'string', multiple: true, default: [] }, keep: { type: 'boolean', default: false } }, 'clients');
  if (values.help) {
    io.stdout(CLIENTS_HELP);
    return EXIT.ok;
  }
  if (positionals[0] !== 'check' || positionals.length > 1) throw new UsageError(`clients takes one action: check${positionals[0] && positionals[0] !== 'check' ? ` (not '${positionals[0]}'${hint(positionals[0])})` : ''}`);
  const chosen = chosenClients(values.clients);
  const reporters = values.reporter.length ? createReporters(values.reporter, io) : [];
  const stdoutTaken = values.reporter.some(writesStdout);
  const catalog = createCatalog();
  const load = (name: string, text: string) => loadScenarioText(`(clients check: ${name})`, text, { catalog: catalog.format, env: io.env, vars: {} });
  // Every client meets the same endpoints: one world for all of them, its PKI made once.
  const all = load(chosen.join(','), catalogueScenarioText({ clients: chosen }));
  if (!all.scenario) {
    printProblems(all.problems, io);
    return EXIT.badInput;
  }
  const world = new SharedWorld(all.scenario, chosen.length);
  const loaded: LoadedScenario[] = [];
  for (const client of chosen) {
    const text = catalogueScenarioText({ clients: [client], title: `${client} against the catalogue of TLS endpoints` });
    const r = load(client, text);
    if (!r.scenario) {
      printProblems(r.problems, io);
      return EXIT.badInput;
    }
    loaded.push({ scenario: r.scenario, source: text, id: `clients/${client}`, world });
  }
  const mux = new ReporterMultiplexer([...reporters, ...(stdoutTaken ? [] : [new MatrixReporter(io.stdout)])]);
  const result = await runAll(loaded, {
    catalog,
    reporters: mux,
    signal: io.signal,
    env: io.env,
    stepTimeoutMs: 30_000,
    retries: 0,
    keep: values.keep,
    // Clients named on the command line must be there; the default list takes what is installed.
    requirePeers: values.clients !== undefined,
    peerHints: PEER_HINTS,
    jobs: Math.min(2, io.cores),
    bail: false,
  });
  for (const e of mux.errors) io.stderr(`certharness: ${e}\n`);
  if (result.interrupted) return EXIT.interrupted;
  if (mux.errors.length) return EXIT.internal;
  if (result.scenarios.every((s) => s.status === 'skipped')) {
    const why = result.scenarios.map((s) => `${s.id.replace(/^clients\//, '')}: ${s.skipReason ?? 'every case it runs is skipped on this runtime'}`).join('; ');
    io.stderr(`certharness: clients check: nothing was checked (${why})\n`);
    return EXIT.failed;
  }
  return result.scenarios.some((s) => s.status === 'failed') ? EXIT.failed : EXIT.ok;
}

function chosenClients(list: string | undefined): CatalogueClientName[] {
  if (list === undefined) return [...CATALOGUE_CLIENT_NAMES];
  const names = list.split(',').map((n) => n.trim()).filter(Boolean);
  if (!names.length) throw new UsageError(`--clients needs at least one of: ${CATALOGUE_CLIENT_NAMES.join(', ')}`);
  for (const n of names) if (!(CATALOGUE_CLIENT_NAMES as readonly string[]).includes(n)) throw new UsageError(`--clients ${n}: not a client this knows${hint(n)}; one of ${CATALOGUE_CLIENT_NAMES.join(', ')}`);
  return [...new Set(names)] as CatalogueClientName[];
}

function hint(word: string): string {
  const h = didYouMean(word, [...CATALOGUE_CLIENT_NAMES, 'check']);
  return h ? ` (${h})` : '';
}
