// The PKI of each document's workflow, as files with the names the documents use, for
// `certharness pki init DIR --profile doc-001|doc-002|doc-003`.
import type { PkiDecl } from './build.ts';

export interface DocumentProfile {
  title: string;
  decls: Record<string, PkiDecl>;
  /** Output file name -> [item, property holding the source path]. */
  files: Record<string, [string, string]>;
  /** Lines for the README written beside the files. */
  usage: string[];
}

const cert = (spec: Record<string, unknown>): PkiDecl => ({ kind: 'default', spec });

export const DOCUMENT_PROFILES: Record<string, DocumentProfile> = {
  'doc-001': {
    title: 'Document 001: a CA, a server certificate for the mTLS upstream, and a client certificate for curl and the proxy',
    decls: {
      ca: cert({ subject: '/C=US/O=Example/CN=Example CA', key: 'rsa-4096', days: 365 }),
      server: cert({ issuer: 'ca', subject: '/CN=localhost', san: ['localhost', '127.0.0.1'], days: 365 }),
      client: cert({ issuer: 'ca', subject: '/CN=api-client', usage: 'client', days: 365 }),
      bundle: { kind: 'pkcs12', spec: { pkcs12: 'client', password: 'pass', name: 'client', profile: 'compat' } },
    },
    files: {
      'ca.crt': ['ca', 'certFile'],
      'ca.key': ['ca', 'keyFile'],
      'server.crt': ['server', 'certFile'],
      'server.key': ['server', 'keyFile'],
      'client.crt': ['client', 'certFile'],
      'client.key': ['client', 'keyFile'],
      'client.p12': ['bundle', 'p12File'],
    },
    usage: [
      '| file | what it is |',
      '|---|---|',
      '| ca.crt, ca.key | the CA that signs both certificates (nginx `ssl_client_certificate`, `proxy_ssl_trusted_certificate`) |',
      '| server.crt, server.key | the upstream on 127.0.0.1:8443 (SAN localhost, 127.0.0.1) |',
      '| client.crt, client.key | the API client (clientAuth) |',
      '| client.p12 | the client as PKCS#12, password `pass`, friendly name `client`, 3DES + SHA-1 MAC: loads on macOS, Java, Windows and OpenSSL 3 |',
      '',
      '```sh',
      'curl -v -s --cacert ca.crt --key client.key --cert client.crt "https://127.0.0.1:8443/hello/world"',
      'curl -v -s --cacert ca.crt --cert-type P12 --cert client.p12:pass "https://127.0.0.1:8443/hello/world"',
      'openssl verify -CAfile ca.crt server.crt client.crt',
      '```',
    ],
  },
  'doc-002': {
    title: "Document 002: a root CA, the gRPC server's certificate (CN localhost) and the client's CSR signed by the root",
    decls: {
      rootCA: cert({ subject: '/CN=Example Root CA', key: 'rsa-2048', days: 1024 }),
      server: cert({ issuer: 'rootCA', subject: '/CN=localhost', san: ['localhost'], days: 500 }),
      client: cert({ issuer: 'rootCA', subject: '/CN=training-client', usage: 'client', days: 500, csr: true }),
    },
    files: {
      'rootCA.pem': ['rootCA', 'certFile'],
      'rootCA.key': ['rootCA', 'keyFile'],
      'server.crt': ['server', 'certFile'],
      'server.key': ['server', 'keyFile'],
      'client.crt': ['client', 'certFile'],
      'client.key': ['client', 'keyFile'],
      'client.csr': ['client', 'csrFile'],
    },
    usage: [
      '| file | what it is |',
      '|---|---|',
      '| rootCA.pem, rootCA.key | the root both sides trust (`ssl_root_cert`) |',
      '| server.crt, server.key | the server (`ssl_cert`, `ssl_private_key`); CN and SAN localhost, the default `grpc.ssl_target_name_override` |',
      '| client.csr, client.key | what the client made and sent |',
      '| client.crt | what the server side signed and sent back |',
      '',
      'server.json: `{"use_secure_connection": true, "ssl_private_key": "server.key", "ssl_cert": "server.crt", "ssl_root_cert": "rootCA.pem"}`',
      'client.json: `{"use_secure_connection": true, "ssl_private_key": "client.key", "ssl_cert": "client.crt", "ssl_root_cert": "rootCA.pem"}`',
      '',
      '```sh',
      'openssl verify -CAfile rootCA.pem server.crt client.crt',
      'openssl req -in client.csr -noout -verify -subject',
      '```',
    ],
  },
  'doc-003': {
    title: "Document 003: a certificate as certbot leaves it in live/aiotes/, for Express Gateway's tls section",
    decls: {
      root: cert({ subject: '/O=Example/CN=Example Root', key: 'ec-p256', days: 3650 }),
      intermediate: cert({ issuer: 'root', subject: '/O=Example/CN=Example Intermediate', usage: 'ca', pathlen: 0, key: 'ec-p256', days: 1825 }),
      aiotes: cert({ issuer: 'intermediate', subject: '/CN=localhost', san: ['localhost', '127.0.0.1'], key: 'rsa-2048', days: 90 }),
    },
    files: {
      'live/aiotes/privkey.pem': ['aiotes', 'keyFile'],
      'live/aiotes/cert.pem': ['aiotes', 'certFile'],
      'live/aiotes/chain.pem': ['intermediate', 'certFile'],
      'live/aiotes/fullchain.pem': ['aiotes', 'fullchainFile'],
      'root.pem': ['root', 'certFile'],
    },
    usage: [
      '| file | what it is |',
      '|---|---|',
      '| live/aiotes/privkey.pem | the key (0600) |',
      '| live/aiotes/cert.pem | the certificate, 90 days like Let\'s Encrypt\'s |',
      '| live/aiotes/chain.pem | the intermediate |',
      '| live/aiotes/fullchain.pem | certificate + intermediate |',
      '| root.pem | the root a client must trust |',
      '',
      'gateway.config.yml:',
      '```yaml',
      'https:',
      '  port: 8443',
      '  tls:',
      '    default:',
      '      key: live/aiotes/privkey.pem',
      '      cert: live/aiotes/cert.pem',
      '      ca: [live/aiotes/chain.pem]',
      '```',
      '```sh',
      'openssl verify -CAfile root.pem -untrusted live/aiotes/chain.pem live/aiotes/cert.pem',
      '```',
    ],
  },
};
