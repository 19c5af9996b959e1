// A scenario's world: its work directory, PKI and running services. `run` builds one per
// scenario and runs steps in it; `serve` builds one and waits. Every piece registers its
// clean-up on the teardown stack before it is set up.
import { mkdtemp, rm, appendFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '../scenario/types.ts';
import { interpolate, type Scope } from '../scenario/interpolate.ts';
import { buildPki, PKI_SUBDIR, type PkiItems } from '../pki/build.ts';
import { publishCrlFiles } from '../pki/crl-files.ts';
import { revokeDeclared } from '../pki/declared-revocations.ts';
import type { Catalog } from './catalog.ts';
import type { SetupOutcome } from './events.ts';
import type { TeardownStack } from './teardown.ts';
import { redactText } from '../util/redact.ts';
import { markOwner } from './stale.ts';
import type { RunningService } from '../services/types.ts';
import { ReservedPort } from '../net/reserved-port.ts';
import { Revocations } from '../pki/revocations.ts';

export interface World {
  workDir: string;
  pki: PkiItems;
  services: Record<string, Record<string, unknown>>;
  scope: Scope;
  log(line: string): void;
  /** Starts a `start: step` service now; returns why it failed, if it did. */
  startService(name: string): Promise<string | undefined>;
  restartService(name: string): Promise<string | undefined>;
  /** PKI items that could not be made (an issuer loaded without its key), with why. */
  unavailable: Record<string, string>;
  revocations: Revocations;
  timings: { pki: number; services: number };
}

export interface WorldOptions {
  catalog: Catalog;
  signal: AbortSignal;
  env: Record<string, string | undefined>;
  keep: boolean;
  tmpRoot?: string;
  /** Called when everything else is torn down, just before the work directory is removed (or kept). */
  beforeRemoval?: (workDir: string) => Promise<void>;
}

/** Builds the world, or returns the setup problem that stopped it (the teardown stack undoes what was done). */
export async function buildWorld(scenario: Scenario, o: WorldOptions, teardown: TeardownStack): Promise<World | SetupOutcome> {
  const workDir = await mkdtemp(join(o.tmpRoot ?? tmpdir(), 'certharness-'));
  await chmod(workDir, 0o700);
  await markOwner(workDir);
  teardown.push('remove work directory', () => (o.keep ? undefined : rm(workDir, { recursive: true, force: true })));
  if (o.beforeRemoval) teardown.push('look at the work directory', () => o.beforeRemoval!(workDir));
  const logFile = join(workDir, 'scenario.log');
  const log = (line: string) => void appendFile(logFile, `${new Date().toISOString()} ${redactText(line)}\n`, { mode: 0o600 }).catch(() => {});

  const pki: World['pki'] = {};
  const services: World['services'] = {};
  const revocations = new Revocations(new Date());
  const scope: Scope = (root, prop) => {
    if (root === 'workDir') return workDir;
    if (root === 'env') return prop ? o.env[prop] : undefined;
    if (root === 'vars') return prop ? scenario.vars[prop] : undefined;
    const v = prop ? (pki[root]?.props ?? services[root])?.[prop] : undefined;
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
  };

  // Listeners first: their ports are bound and kept, so the PKI may carry the services' addresses.
  const reserved: Record<string, Record<string, ReservedPort>> = {};
  try {
    await reserveListeners(scenario, o.catalog, teardown, reserved, services);
  } catch (e) {
    const name = (e as { service?: string }).service;
    return { phase: 'service', ...(name ? { name } : {}), message: (e as Error).message, ...(name && scenario.services[name]?.at ? { at: scenario.services[name]!.at } : {}) };
  }

  const pkiStart = performance.now();
  const unavailable: World['unavailable'] = {};
  try {
    const decls = Object.fromEntries(Object.entries(scenario.pki).map(([n, d]) => [n, { kind: d.kind, spec: d.spec }]));
    const items = await buildPki(decls, { workDir, scenarioDir: scenario.dir, scope, onUnavailable: (item, reason) => (unavailable[item] = reason) });
    for (const [n, reason] of Object.entries(unavailable)) log(`pki ${n} is not available: ${reason}`);
    Object.assign(pki, items);
    await revokeDeclared(decls, pki, revocations, new Date());
    await publishCrlFiles(pki, revocations, join(workDir, PKI_SUBDIR));
  } catch (e) {
    const name = (e as { item?: string }).item;
    const at = name ? scenario.pki[name]?.at : undefined;
    return { phase: 'pki', ...(name ? { name } : {}), message: (e as Error).message, ...(at ? { at } : {}) };
  }
  const pkiMs = performance.now() - pkiStart;


  /** Starts one service; its stop is registered first. Returns why it did not start, if it did not. */
  const stops = new Map<string, () => Promise<void>>();
  const startService = async (name: string): Promise<string | undefined> => {
    const decl = scenario.services[name]!;
    const kind = o.catalog.services.get(decl.kind)!;
    const lacking = decl.usesPki.find((item) => item in unavailable);
    if (lacking) return `service ${name} (${decl.kind}) cannot start: it uses pki item ${lacking}, which cannot be made: ${unavailable[lacking]}`;
    let running: RunningService | undefined;
    let stopped = false;
    // Stops once, whether a restart or the teardown asks first.
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      await running?.stop();
    };
    stops.set(name, stop);
    teardown.push(`stop service ${name}`, stop);
    try {
      const { kind: _kind, start: _start, ...spec } = interpolate(decl.spec, scope);
      running = await kind.start(spec, {
        name,
        workDir,
        host: LOOPBACK,
        signal: o.signal,
        env: o.env,
        log: (line) => log(`[${name}] ${line}`),
        pki,
        services,
        scenarioDir: scenario.dir,
        revocations,
        ...(reserved[name] ? { reserved: reserved[name] } : {}),
      });
      services[name] = { ...running.props };
      log(`service ${name} (${decl.kind}) is up: ${JSON.stringify(services[name])}`);
      return undefined;
    } catch (e) {
      return `service ${name} (${decl.kind}) did not start: ${(e as Error).message}`;
    }
  };

  const svcStart = performance.now();
  for (const wave of startWaves(scenario)) {
    if (o.signal.aborted) return { phase: 'service', name: wave[0]!, message: 'interrupted before the service started' };
    // A wave's services use none of each other: they start together, and a daemon's start is mostly waiting for it.
    const failures = await Promise.all(wave.map(startService));
    const i = failures.findIndex(Boolean);
    if (i >= 0) {
      const decl = scenario.services[wave[i]!]!;
      return { phase: 'service', name: wave[i]!, message: failures[i]!, ...(decl.at ? { at: decl.at } : {}) };
    }
  }
  /** Stops a running service and starts it again from its declaration: a deployment's "update the service". */
  const restartService = async (name: string): Promise<string | undefined> => {
    await stops.get(name)?.();
    delete services[name];
    return startService(name);
  };
  return { workDir, pki, services, scope, log, startService, restartService, unavailable, revocations, timings: { pki: Math.round(pkiMs), services: Math.round(performance.now() - svcStart) } };
}

const LOOPBACK = '127.0.0.1';

/**
 * Binds the ports of every service that declares listeners (port 0 unless pinned) and keeps
 * them to the end of the scenario; what the ports alone tell (url, host, port) is a service's
 * first properties, for the PKI declarations.
 */
async function reserveListeners(scenario: Scenario, catalog: Catalog, teardown: TeardownStack, reserved: Record<string, Record<string, ReservedPort>>, services: World['services']): Promise<void> {
  for (const [name, decl] of Object.entries(scenario.services)) {
    const listeners = catalog.services.get(decl.kind)?.listeners;
    if (!listeners) continue;
    const ports: Record<string, ReservedPort> = {};
    // Closed after the service has stopped: the teardown stack runs last-pushed first.
    teardown.push(`release the ports of service ${name}`, () => Promise.all(Object.values(ports).map((p) => p.close())).then(() => undefined));
    for (const [port, pinned] of Object.entries(listeners.ports(decl.spec as never))) {
      try {
        ports[port] = await ReservedPort.reserve(LOOPBACK, pinned ? { port: pinned } : {});
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw Object.assign(new Error(`service ${name} (${decl.kind}) cannot listen on ${LOOPBACK}:${pinned ?? 0}: ${code === 'EADDRINUSE' ? 'the port is taken' : (e as Error).message}`), { service: name });
      }
    }
    reserved[name] = ports;
    services[name] = listeners.address(Object.fromEntries(Object.entries(ports).map(([k, p]) => [k, p.port])), LOOPBACK);
  }
}

export function isWorld(x: World | SetupOutcome): x is World {
  return 'workDir' in x && 'scope' in x;
}

/**
 * The services that start with the world, in waves: each service in the wave after the last of
 * those it uses, in dependency order within a wave. `start: step` services wait for a `start`
 * step (their files may come from earlier steps), so they are in no wave.
 */
export function startWaves(scenario: Pick<Scenario, 'services' | 'serviceOrder'>): string[][] {
  const wave = new Map<string, number>();
  const waves: string[][] = [];
  for (const name of scenario.serviceOrder) {
    const decl = scenario.services[name]!;
    if (decl.spec.start === 'step') continue;
    const n = Math.max(-1, ...decl.dependsOn.map((d) => wave.get(d) ?? -1)) + 1;
    wave.set(name, n);
    (waves[n] ??= []).push(name);
  }
  return waves;
}
