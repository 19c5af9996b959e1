// Renders nginx.conf for the two roles of document 001: the proxy that presents a client
// certificate upstream, and the mTLS terminator. The file is meant to be read and copied
// (kept with --keep): every directive that matters carries a comment saying why.
export interface NginxCommon {
  port: number;
  host: string;
  protocols: string[];
}

export interface NginxProxyConf extends NginxCommon {
  role: 'proxy';
  upstreamUrl: string;
  clientCert?: string;
  clientKey?: string;
  passwordFile?: string;
  trusted?: string;
  verify: boolean;
  verifyDepth?: number;
  name?: string;
  sni: boolean;
  /** Idle connections kept to the upstream: nginx as a production user tunes it. Absent, document 001's proxy (a connection per request). */
  keepalive?: number;
}

export interface NginxTerminatorConf extends NginxCommon {
  role: 'terminator';
  cert: string;
  key: string;
  passwordFile?: string;
  clientCa?: string;
  verifyClient: 'on' | 'optional' | 'optional_no_ca' | 'off';
  verifyDepth?: number;
  /** PEM file of the CRLs client certificates are checked against (ssl_crl). */
  crl?: string;
  /** URL of the OCSP responder asked about each client certificate (ssl_ocsp). */
  ocspResponder?: string;
  /** OCSP stapling of the server certificate: the responder asked, and the issuer chain its answers are verified with. */
  stapling?: { responder: string; trusted: string };
}

export type NginxConf = NginxProxyConf | NginxTerminatorConf;

const q = (s: string) => `"${s.replace(/(["\\$])/g, '\\$1')}"`;

function head(): string {
  return `# Rendered by certharness for a scenario; runs as: nginx -p <this directory> -c nginx.conf
# Relative paths below resolve against the prefix (-p), so the directory is self-contained.
daemon off;              # certharness supervises the process
master_process off;      # one process: stops with the scenario
worker_processes 1;
pid nginx.pid;
error_log logs/error.log info;   # info: the client-certificate verify messages are logged at info

events { worker_connections 256; }

http {
    access_log logs/access.log;
    client_body_temp_path temp/client;
    proxy_temp_path temp/proxy;
    fastcgi_temp_path temp/fastcgi;
    uwsgi_temp_path temp/uwsgi;
    scgi_temp_path temp/scgi;
`;
}

/** The upstream group a kept-alive proxy passes to: nginx keeps idle connections per group only. */
const UPSTREAM_GROUP = 'certharness_upstream';

function keptAlive(u: URL, idle: number): string {
  return `    # Tuned as in production: idle connections to the upstream are kept and reused.
    upstream ${UPSTREAM_GROUP} {
        server ${u.host};
        keepalive ${idle};   # idle connections kept per worker
    }

`;
}

/** proxy_pass through the group, with the upstream URL's path. */
function reusedUpstream(u: URL): string {
  return `${u.protocol}//${UPSTREAM_GROUP}${u.pathname === '/' ? '' : u.pathname}`;
}

function reuseDirectives(u: URL, name: string | undefined): string {
  return `            proxy_http_version 1.1;   # keepalive needs HTTP/1.1 upstream (nginx speaks 1.0 by default)
            proxy_set_header Connection "";   # and no "Connection: close" on each request
            proxy_set_header Host ${q(u.host)};   # the upstream's own name, not the group's
            proxy_ssl_session_reuse on;   # resume TLS sessions on new connections (nginx's default, said)
${name ? '' : `            proxy_ssl_name ${q(u.hostname.replace(/^\[|\]$/g, ''))};   # the group's name is not the upstream's
`}`;
}

function stapling(s: { responder: string; trusted: string }): string {
  return `        ssl_stapling on;   # staple the server certificate's OCSP answer; fetched on a first handshake, so the first clients get none
        ssl_stapling_verify on;   # staple only an answer that verifies against the chain below
        ssl_stapling_responder ${q(s.responder)};   # instead of the certificate's AIA, which would need a resolver
        ssl_trusted_certificate ${s.trusted};   # the issuer chain of the server certificate
`;
}

export function renderNginxConf(c: NginxConf): string {
  if (c.role === 'proxy') {
    const kept = c.keepalive ? new URL(c.upstreamUrl) : undefined;
    return `${head()}
${kept ? keptAlive(kept, c.keepalive!) : ''}    # Document 001: plain HTTP in front, HTTPS with a client certificate behind.
    server {
        listen ${c.host}:${c.port};

        location / {
            proxy_pass ${q(kept ? reusedUpstream(kept) : c.upstreamUrl)};
${kept ? reuseDirectives(kept, c.name) : ''}${c.clientCert ? `            proxy_ssl_certificate     ${c.clientCert};   # presented to the upstream\n            proxy_ssl_certificate_key ${c.clientKey};\n` : ''}${c.passwordFile ? `            proxy_ssl_password_file   ${c.passwordFile};   # the key is encrypted\n` : ''}${c.trusted ? `            proxy_ssl_trusted_certificate ${c.trusted};  # CA the upstream certificate must chain to\n` : ''}            proxy_ssl_verify ${c.verify ? 'on' : 'off'};   # nginx's default is off: the upstream is not checked
${c.verifyDepth !== undefined ? `            proxy_ssl_verify_depth ${c.verifyDepth};\n` : ''}${c.name ? `            proxy_ssl_name ${q(c.name)};   # the name the upstream certificate must match\n` : ''}            proxy_ssl_server_name ${c.sni ? 'on' : 'off'};   # send that name as SNI (default off)
            proxy_ssl_protocols ${c.protocols.join(' ')};   # nginx 1.22 stops at TLSv1.2 unless told
        }
    }
}
`;
  }
  return `${head()}
    # Document 001's upstream, terminated by nginx: client certificates checked against a CA.
    server {
        listen ${c.host}:${c.port} ssl;
        ssl_certificate     ${c.cert};
        ssl_certificate_key ${c.key};
${c.passwordFile ? `        ssl_password_file   ${c.passwordFile};\n` : ''}        ssl_protocols ${c.protocols.join(' ')};
${c.clientCa ? `        ssl_client_certificate ${c.clientCa};   # CA client certificates must chain to\n` : ''}        ssl_verify_client ${c.verifyClient};   # on: 400 without a valid certificate; optional: $ssl_client_verify says
${c.verifyDepth !== undefined ? `        ssl_verify_depth ${c.verifyDepth};\n` : ''}${c.crl ? `        ssl_crl ${c.crl};   # read at start: a revocation counts after a reload\n` : ''}${c.ocspResponder ? `        ssl_ocsp on;   # ask the responder about each client certificate (nginx 1.19+; no ssl_ocsp_cache: every time)\n        ssl_ocsp_responder ${q(c.ocspResponder)};\n` : ''}${c.stapling ? stapling(c.stapling) : ''}
        location / {
            default_type text/plain;
            return 200 "verify=$ssl_client_verify subject=$ssl_client_s_dn issuer=$ssl_client_i_dn serial=$ssl_client_serial\\n";
        }
    }
}
`;
}
