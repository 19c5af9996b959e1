// Every service kind, in one explicit list. Adding a kind: write src/services/<kind>/index.ts
// exporting a ServiceKind, and add it here.
import type { AnyServiceKind } from './types.ts';
import { upstreamService } from './upstream/index.ts';
import { proxyService } from './proxy/index.ts';
import { nginxService } from './nginx/index.ts';
import { grpcServerService } from './grpc-server/index.ts';
import { acmeService } from './acme/index.ts';
import { pebbleService } from './pebble/index.ts';
import { gatewayService } from './gateway/index.ts';
import { certmanagerService } from './certmanager/index.ts';
import { externalService } from './external/index.ts';
import { crlService } from './crl/index.ts';
import { ocspService } from './ocsp/index.ts';
import { catalogueService } from './catalogue/index.ts';
import { tunnelService } from './tunnel/index.ts';

export const SERVICE_KINDS: readonly AnyServiceKind[] = [upstreamService, proxyService, nginxService, grpcServerService, acmeService, pebbleService, certmanagerService, gatewayService, externalService, crlService, ocspService, catalogueService, tunnelService];
