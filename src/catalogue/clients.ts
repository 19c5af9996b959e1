// The clients `clients check` can hold to the catalogue, each as the scenario step that runs it
// against one case. curl and openssl (the bundled suite's) are also held to the message the
// case says they print; the others to their exit status, with their own error line reported.
import { caseHost, casePageLine, CATALOGUE_CLIENT_NAMES, CLIENT_CA_NAME, CLIENT_CERTIFICATE_SEEN, CLIENT_P12_PASSWORD, type CatalogueCase, type CatalogueClientName } from './cases.ts';

import { GO, JAVA, NODE, PYTHON, PYTHON_GRPC } from './client-programs.ts';

export { CATALOGUE_CLIENT_NAMES, type CatalogueClientName };

export interface CatalogueClient {
  /** The program `requires:` names: missing, the client's scenario is skipped with the fix. Absent: it runs inside certharness (grpc-js). */
  program?: string;
  summary: string;
  step(c: CatalogueCase): Record<string, unknown>;
  /** It has no --resolve: it reaches the named cases through the catalogue's `tunnel` service, {{resolver.url}}. */
  throughResolver?: true;
  /** A gRPC client: it runs the gRPC cases, and the others the HTTPS ones. */
  protocol?: 'grpc';
}

/** The cases a client runs: the gRPC ones for a gRPC client, the HTTPS pages for the others. */
export function casesFor(client: CatalogueClient, cases: readonly CatalogueCase[]): CatalogueCase[] {
  return cases.filter((c) => c.protocol === client.protocol);
}

/** The name of the `tunnel` service a scenario has for clients that go through it. */
export const RESOLVER_SERVICE = 'resolver';

/** One request on a connection the server closes after answering: the end of every client's exchange. */
const request = (host: string) => `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

/** A file of the client certificate the case has the client present: `{{client.certFile}}`... */
const pem = (c: CatalogueCase, file: 'certFile' | 'keyFile' | 'p12File') => `{{${c.clientCert!.item}${file === 'p12File' ? '-p12' : ''}.${file}}}`;

/** What a client does with a case here: the verdict, unless a known deviation says otherwise. */
function observed(c: CatalogueCase, client: CatalogueClientName, label: string): { accepts: boolean; presents: boolean; name: string } {
  const deviation = c.deviations?.[client];
  const correct = c.expect === 'accept' ? 'accept' : 'reject';
  if (c.withholds) {
    // Let in either way: what counts is whether it presented the certificate the server did not name.
    const verdict = `${label} accepts ${c.name} ${deviation ? 'presenting' : 'withholding'} its ${c.clientCert!.item} certificate`;
    return { accepts: true, presents: Boolean(deviation), name: deviation ? `${verdict}, as a correct client would not (${c.reason}); known deviation: ${deviation}` : `${verdict}: ${c.reason}` };
  }
  // A known deviation is the opposite of the correct verdict.
  const accepts = (c.expect === 'accept') !== Boolean(deviation);
  const verdict = `${label} ${accepts ? 'accepts' : 'rejects'} ${c.name}`;
  return { accepts, presents: Boolean(c.clientCert), name: deviation ? `${verdict}, as a correct client would not (${correct}: ${c.reason}); known deviation: ${deviation}` : `${verdict}: ${c.reason}` };
}

/** What stdout shows of an acceptance: the case's page (the client reached this case), and what the server saw of a certificate the case is about. */
function pageShown(c: CatalogueCase, o: { presents: boolean }): Record<string, string> {
  // A gRPC client prints what Health/Check answered.
  if (c.protocol === 'grpc') return { contains: 'SERVING' };
  const seen = o.presents ? `(?m)^${CLIENT_CERTIFICATE_SEEN.presented}, ` : `(?m)^${CLIENT_CERTIFICATE_SEEN.none}$`;
  return { contains: casePageLine(c), ...(c.withholds ? { matches: seen } : {}) };
}

/**
 * A rejection passes only for the case's reason: on the client's side, curl's exit 60
 * (CURLE_PEER_FAILED_VERIFICATION) at server verification with the case's message; on the
 * server's, a refusal by the alert the case names.
 */
function curlStep(c: CatalogueCase): Record<string, unknown> {
  const name = caseHost(c);
  const url = `https://${name}:{{${c.name}.port}}/`;
  const resolve = c.byAddress ? [] : ['--resolve', `${name}:{{${c.name}.port}}:127.0.0.1`];
  const o = observed(c, 'curl', 'curl');
  const rejection = c.group === 'client-certificate'
    ? { refused: { alert: 'certificate_required' }, stderr: { contains: c.rejectedWith?.curl } }
    : { exit: 60, phase: 'server-verification', stderr: { contains: c.rejectedWith?.curl } };
  // An answer counts when it is this case's page: the client reached the endpoint it meant to.
  return { name: o.name, curl: { args: ['-sS', '--cacert', '{{root.certFile}}', ...(c.clientCert ? ['--cert', pem(c, 'certFile'), '--key', pem(c, 'keyFile')] : []), ...resolve, url] }, expect: o.accepts ? { httpStatus: 200, stdout: pageShown(c, o) } : rejection };
}

/**
 * s_client with -verify_return_error stops at a verification error, with OpenSSL's text for it.
 * Otherwise it sends one request and, with -ign_eof, reads until the server closes: a TLS 1.3
 * server refuses a missing client certificate after the handshake, and without waiting for
 * that s_client would end first and call it a success.
 */
function opensslStep(c: CatalogueCase): Record<string, unknown> {
  const name = caseHost(c);
  const verifyName = c.byAddress ? ['-verify_ip', name] : ['-servername', name, '-verify_hostname', name];
  const o = observed(c, 'openssl', 'openssl s_client');
  return {
    name: o.name,
    exec: {
      command: ['openssl', 's_client', '-connect', `127.0.0.1:{{${c.name}.port}}`, ...verifyName, '-CAfile', '{{root.certFile}}', ...(c.clientCert ? ['-cert', pem(c, 'certFile'), '-key', pem(c, 'keyFile')] : []), '-verify_return_error', '-brief', '-ign_eof'],
      stdin: request(name),
    },
    // Accepted only with the case's page: s_client ends 0 on a connection the server closed, too.
    expect: o.accepts ? { exit: 0, stderr: { contains: 'Verification: OK' }, stdout: pageShown(c, o) } : { exit: { not: 0 }, stderr: { contains: c.rejectedWith?.openssl } },
  };
}

/**
 * The check that a case is what it says, for a case a client could pass without meeting it:
 * openssl, told to check revocation the way the case is revoked, refuses or reports it (so an
 * acceptance is of a certificate that is revoked); s_client shows the CA names of the
 * CertificateRequest (so withholding the other certificate was the client's choice), and that a
 * server negotiates no ALPN (so a gRPC client that gets in did so without h2 agreed).
 */
export function caseProof(c: CatalogueCase): Record<string, unknown> | undefined {
  if (c.withholds) return certificateRequestProof(c);
  if (c.server?.alpn === false) return noAlpnProof(c);
  if (!c.revocation) return undefined;
  const connect = sClient(c);
  const proofs = {
    crl: { name: `${c.name} is revoked: openssl s_client -crl_check -crl_download fetches its CRL and refuses it`, exec: { command: [...connect, '-brief', '-verify_return_error', '-crl_check', '-crl_download'], stdin: '' }, expect: { exit: { not: 0 }, stderr: { contains: 'verify error:num=23:certificate revoked' } } },
    ocsp: { name: `${c.name} is revoked: openssl ocsp asks the responder its certificate names, which answers revoked`, exec: ['openssl', 'ocsp', '-issuer', '{{intermediate.certFile}}', '-cert', `{{${c.name}-cert.certFile}}`, '-url', '{{ocsp.url}}', '-CAfile', '{{root.certFile}}'], expect: { exit: 0, stdout: { contains: ': revoked' }, stderr: { contains: 'Response verify OK' } } },
    stapled: { name: `${c.name} is revoked: openssl s_client -status gets a staple that says revoked`, exec: { command: [...connect, '-status'], stdin: '' }, expect: { stdout: { contains: 'Cert Status: revoked' } } },
  } as const;
  return proofs[c.revocation!];
}

/** openssl s_client to a case's endpoint, with its name for SNI and verification, trusting the catalogue's root. */
function sClient(c: CatalogueCase): string[] {
  const name = caseHost(c);
  return ['openssl', 's_client', '-connect', `127.0.0.1:{{${c.name}.port}}`, '-servername', name, '-verify_hostname', name, '-CAfile', '{{root.certFile}}'];
}

/** s_client offering h2 gets no protocol back: a gRPC client that gets in did so without ALPN. */
function noAlpnProof(c: CatalogueCase): Record<string, unknown> {
  return {
    name: `${c.name} negotiates no ALPN: openssl s_client -alpn h2 gets no protocol back`,
    exec: { command: [...sClient(c), '-verify_return_error', '-alpn', 'h2'], stdin: '' },
    expect: { stdout: { contains: 'No ALPN negotiated' }, stderr: { not: { contains: 'verify error' } } },
  };
}

function certificateRequestProof(c: CatalogueCase): Record<string, unknown> {
  return {
    name: `${c.name} asks for a certificate from the client CA alone: openssl s_client shows its CertificateRequest's CA names`,
    exec: { command: [...sClient(c), '-verify_return_error'], stdin: '' },
    expect: { stdout: { matches: `(?m)^Acceptable client certificate CA names\\nCN = ${CLIENT_CA_NAME}\\n(Requested|Client Certificate Types)` } },
  };
}


/** grpc-js through the `grpc` step: Health/Check, the case's name verified; a refusal is UNAVAILABLE with the TLS failure beneath it. */
function grpcJsStep(c: CatalogueCase): Record<string, unknown> {
  const o = observed(c, 'grpc-js', 'grpc-js');
  const name = caseHost(c);
  return {
    name: o.name,
    grpc: { target: `127.0.0.1:{{${c.name}.port}}`, call: 'health', rootCert: 'root', options: { 'grpc.ssl_target_name_override': name, 'grpc.default_authority': name } },
    expect: o.accepts ? { status: 'OK', response: { status: 'SERVING' } } : { status: 'UNAVAILABLE', tlsError: c.grpcTlsError ?? { exists: true } },
  };
}



/**
 * A client held to its exit status and, for a rejection, to a TLS refusal in its own words
 * (`refusal`, an RE2 pattern over stderr): a client that could not run at all is no verdict.
 */
function byExitStatus(c: CatalogueCase, client: CatalogueClientName, label: string, refusal: string, exec: Record<string, unknown>): Record<string, unknown> {
  const o = observed(c, client, label);
  return { name: o.name, exec, expect: o.accepts ? { exit: 0, stdout: pageShown(c, o) } : { exit: { not: 0 }, stderr: { matches: refusal } } };
}

/** What each client prints when TLS refused: an ssl exception, a TLS or X.509 error code, a JSSE exception, gnutls-cli's fatal error. */
const REFUSALS = {
  python: '(?m)^SSL[A-Za-z]*Error: ',
  // UNSPECIFIED is Node's code for an X.509 verification error it has no name for (name constraints).
  node: '(?m)^(ERR_SSL_|ERR_TLS_|[A-Z_]*(CERT|SIGNED|SIGNATURE|ISSUER|PURPOSE|LENGTH|KEY|VERIFY)[A-Z_]*: |UNSPECIFIED: .*(subtree|constraint))',
  // A TLS 1.3 server's refusal of a missing client certificate reaches JSSE after the handshake, as a closed connection on the first write.
  java: 'javax\\.net\\.ssl\\.SSL[A-Za-z]*Exception|java\\.net\\.SocketException: (Broken pipe|Connection reset)',
  gnutls: '\\*\\*\\* (Fatal error|Received alert)',
  // C core's words for a TLS failure beneath UNAVAILABLE.
  'grpc-python': '(?m)^StatusCode\\.UNAVAILABLE: .*(Ssl handshake failed|Cannot check peer|certificate verify failed|Peer name .* is not in peer certificate)',
  // crypto/x509's and crypto/tls's errors, and an alert the server sent.
  go: '(?m)(x509: |tls: )',
  // GnuTLS's verification errors as wget words them, and a fatal alert from the server (certificate_required after the handshake).
  // Not "Unable to establish SSL connection" alone: wget also prints it when the proxy refuses the tunnel or the connection drops.
  wget: "(?m)^(ERROR: The certificate of |The certificate's owner does not match hostname |GnuTLS: A TLS fatal alert has been received|Failed writing HTTP request: The specified session has been invalidated)",
};

export const CATALOGUE_CLIENTS: Record<CatalogueClientName, CatalogueClient> = {
  curl: { program: 'curl', summary: 'curl with --cacert and --resolve', step: curlStep },
  openssl: { program: 'openssl', summary: 'openssl s_client -verify_return_error with -verify_hostname or -verify_ip', step: opensslStep },
  python: {
    program: 'python3',
    summary: "Python's ssl.create_default_context(cafile=...)",
    step: (c) => byExitStatus(c, 'python', 'python ssl', REFUSALS.python, { command: ['python3', '-c', PYTHON, '{{root.certFile}}', `{{${c.name}.port}}`, caseHost(c), c.byAddress ? 'ip' : 'dns', ...(c.clientCert ? [pem(c, 'certFile'), pem(c, 'keyFile')] : [])], stdin: request(caseHost(c)) }),
  },
  node: {
    program: 'node',
    summary: "Node's https.get with ca and servername (the node on PATH)",
    step: (c) => byExitStatus(c, 'node', 'node https', REFUSALS.node, { command: ['node', '-e', NODE, '{{root.certFile}}', `{{${c.name}.port}}`, caseHost(c), ...(c.clientCert ? [pem(c, 'certFile'), pem(c, 'keyFile')] : [])] }),
  },
  java: {
    program: 'javac',
    summary: "Java's JSSE (SSLSocket with HTTPS endpoint identification), compiled once per run",
    step: (c) => byExitStatus(c, 'java', 'java jsse', REFUSALS.java, {
        // The source comes on stdin and is compiled in the work directory by the first case (javac takes a second; the steps of a scenario run one at a time). The values are arguments, never part of the script.
        command: ['sh', '-c', 'test -f CatalogueClient.class || { cat > CatalogueClient.java && javac -d . CatalogueClient.java; } && exec java -cp . CatalogueClient "$@"', 'java-client', '{{root.certFile}}', `{{${c.name}.port}}`, caseHost(c), ...(c.clientCert ? [pem(c, 'p12File'), CLIENT_P12_PASSWORD] : [])],
        stdin: JAVA,
      }),
  },
  gnutls: {
    program: 'gnutls-cli',
    summary: 'gnutls-cli --x509cafile with --sni-hostname and --verify-hostname',
    step: (c) => byExitStatus(c, 'gnutls', 'gnutls-cli', REFUSALS.gnutls, { command: ['gnutls-cli', '--x509cafile', '{{root.certFile}}', ...(c.clientCert ? ['--x509certfile', pem(c, 'certFile'), '--x509keyfile', pem(c, 'keyFile')] : []), '--port', `{{${c.name}.port}}`, ...(c.byAddress ? [] : ['--sni-hostname', caseHost(c)]), '--verify-hostname', caseHost(c), '127.0.0.1'], stdin: request(caseHost(c)) }),
  },
  wget: {
    program: 'wget',
    summary: "wget --ca-certificate, through a CONNECT tunnel to the named cases (wget has no --resolve)",
    throughResolver: true,
    // --no-config: no wgetrc of the machine's changes what is checked; LC_ALL=C: its messages in English, which the refusal pattern reads.
    step: (c) => byExitStatus(c, 'wget', 'wget', REFUSALS.wget, { command: ['wget', '--no-config', '-e', 'use_proxy=on', '-e', `https_proxy={{${RESOLVER_SERVICE}.url}}`, '--tries=1', '--timeout=10', '--ca-certificate={{root.certFile}}', ...(c.clientCert ? [`--certificate=${pem(c, 'certFile')}`, `--private-key=${pem(c, 'keyFile')}`] : []), '-O', '-', `https://${caseHost(c)}:{{${c.name}.port}}/`], env: { LC_ALL: 'C' } }),
  },
  go: {
    program: 'go',
    summary: "Go's crypto/tls through net/http (RootCAs, ServerName), built by the first case",
    step: (c) => byExitStatus(c, 'go', 'go', REFUSALS.go, {
      command: ['sh', '-c', 'test -x catalogue-client || { cat > catalogue-client.go && GOCACHE="$PWD/.gocache" GO111MODULE=off go build -o catalogue-client catalogue-client.go; } && exec ./catalogue-client "$@"', 'go-client', '{{root.certFile}}', `{{${c.name}.port}}`, caseHost(c), ...(c.clientCert ? [pem(c, 'certFile'), pem(c, 'keyFile')] : [])],
      stdin: GO,
    }),
  },
  'grpc-python': {
    program: 'python3',
    summary: "Python's grpcio (gRPC's C core): Health/Check with ssl_channel_credentials and ssl_target_name_override",
    protocol: 'grpc',
    // The python3 on PATH if it has grpcio, else Debian's (python3-grpcio), else exit 127: no verdict. The script is $0, the values its arguments.
    step: (c) => byExitStatus(c, 'grpc-python', 'grpcio', REFUSALS['grpc-python'], { command: ['sh', '-c', 'for p in python3 /usr/bin/python3; do "$p" -c "import grpc" 2>/dev/null && exec "$p" -c "$0" "$@"; done; echo "no python3 with grpcio here: apt-get install python3-grpcio" >&2; exit 127', PYTHON_GRPC, '{{root.certFile}}', `{{${c.name}.port}}`, caseHost(c)], env: { GRPC_VERBOSITY: 'NONE' } }),
  },
  'grpc-js': { summary: "grpc-js (certharness's own, on the runtime it runs on): Health/Check with createSsl and ssl_target_name_override", protocol: 'grpc', step: grpcJsStep },
};
