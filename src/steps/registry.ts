// Every step kind, in one explicit list. Adding a kind: write src/steps/<kind>.ts exporting a
// StepKind, and add it here.
import type { AnyStepKind } from './types.ts';
import { execStep } from './exec.ts';
import { sleepStep } from './sleep.ts';
import { waitForStep } from './wait-for.ts';
import { opensslStep } from './openssl.ts';
import { certStep } from './cert.ts';
import { pkcs12Step } from './pkcs12.ts';
import { signCsrStep } from './sign-csr.ts';
import { httpsStep } from './https.ts';
import { curlStep } from './curl.ts';
import { tlsProbeStep } from './tls-probe.ts';
import { grpcStep } from './grpc.ts';
import { startStep } from './start.ts';
import { restartStep } from './restart.ts';
import { acmeStep } from './acme.ts';
import { clockStep } from './clock.ts';
import { certmanagerStep } from './certmanager.ts';
import { revokeStep } from './revoke.ts';
import { simulateStep } from './simulate.ts';
import { catalogueStep } from './catalogue.ts';

export const STEP_KINDS: readonly AnyStepKind[] = [execStep, sleepStep, waitForStep, opensslStep, certStep, pkcs12Step, signCsrStep, httpsStep, curlStep, tlsProbeStep, grpcStep, acmeStep, certmanagerStep, clockStep, startStep, restartStep, revokeStep, simulateStep, catalogueStep];
