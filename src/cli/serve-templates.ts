// What `certharness serve <kind>` starts: one service kind with defaults and its own PKI,
// written as the scenario a user would otherwise have to write.
export const SERVE_TEMPLATES: Record<string, string> = {
  upstream: `scenario: an mTLS upstream (certharness serve upstream)
pki:
  ca: { subject: "CN=certharness CA" }
  server: { issuer: ca, subject: "CN=localhost", san: [localhost, 127.0.0.1] }
  client: { issuer: ca, subject: "CN=client", usage: client }
services:
  upstream: { kind: upstream, cert: server, clientCa: ca, clientAuth: required }
steps: []
`,
  proxy: `scenario: a client-certificate proxy in front of an mTLS upstream (certharness serve proxy)
pki:
  ca: { subject: "CN=certharness CA" }
  server: { issuer: ca, subject: "CN=localhost", san: [localhost, 127.0.0.1] }
  client: { issuer: ca, subject: "CN=client", usage: client }
services:
  upstream: { kind: upstream, cert: server, clientCa: ca }
  proxy: { kind: proxy, to: upstream, clientCert: client, trust: ca }
steps: []
`,
  nginx: `scenario: nginx as a client-certificate proxy in front of an mTLS upstream (certharness serve nginx)
pki:
  ca: { subject: "CN=certharness CA" }
  server: { issuer: ca, subject: "CN=localhost", san: [localhost, 127.0.0.1] }
  client: { issuer: ca, subject: "CN=client", usage: client }
services:
  upstream: { kind: upstream, cert: server, clientCa: ca }
  nginx: { kind: nginx, role: proxy, to: upstream, clientCert: client, trust: ca, name: localhost }
steps: []
`,
};
