// What `certharness serve <kind>` starts: one service kind with defaults and its own PKI,
// written as the scenario a user would otherwise have to write.
const PKI = `pki:
  ca: { subject: "CN=certharness CA" }
  server: { issuer: ca, subject: "CN=localhost", san: [localhost, 127.0.0.1] }
  client: { issuer: ca, subject: "CN=client", usage: client }
`;

const template = (title: string, services: string) => `scenario: ${title}\n${PKI}services:\n${services}steps: []\n`;

export const SERVE_TEMPLATES: Record<string, string> = {
  upstream: template('an mTLS upstream (certharness serve upstream)', '  upstream: { kind: upstream, cert: server, clientCa: ca, clientAuth: required }\n'),
  proxy: template(
    'a client-certificate proxy in front of an mTLS upstream (certharness serve proxy)',
    '  upstream: { kind: upstream, cert: server, clientCa: ca }\n  proxy: { kind: proxy, to: upstream, clientCert: client, trust: ca }\n',
  ),
  nginx: template(
    'nginx as a client-certificate proxy in front of an mTLS upstream (certharness serve nginx)',
    '  upstream: { kind: upstream, cert: server, clientCa: ca }\n  nginx: { kind: nginx, role: proxy, to: upstream, clientCert: client, trust: ca, name: localhost }\n',
  ),
  'grpc-server': template('document 002\'s gRPC server with mTLS (certharness serve grpc-server)', '  api: { kind: grpc-server, cert: server, rootCert: ca }\n'),
};
