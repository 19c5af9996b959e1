// The client programs `clients check` runs from source, as text: each takes the CA file, the
// port and the name to verify as arguments (never as part of its text), and prints the answer
// it got on stdout, or its library's refusal on stderr.

/** Python's ssl module with its default context: one line on stderr for a refusal. */
export const PYTHON = [
  'import socket, ssl, sys',
  'ca, port, name, ip = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "ip"',
  'try:',
  '    ctx = ssl.create_default_context(cafile=ca)',
  '    if len(sys.argv) > 6:',
  '        ctx.load_cert_chain(sys.argv[5], sys.argv[6])',
  '    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:',
  '        with ctx.wrap_socket(raw, server_hostname=name) as tls:',
  '            tls.sendall(sys.stdin.buffer.read())',
  '            answer = b"".join(iter(lambda: tls.recv(65536), b""))',
  '            status = answer.split(b"\\r\\n")[0].decode()',
  'except Exception as e:',
  '    print(f"{type(e).__name__}: {e}", file=sys.stderr)',
  '    sys.exit(1)',
  'sys.stdout.write(answer.decode(errors="replace"))',
  'sys.exit(0 if status.startswith("HTTP/1.1 200") else 1)',
].join('\n');

/** Node's https with the CA alone: its error code and message on stderr for a refusal. */
export const NODE = [
  "const https = require('node:https');",
  "const [ca, port, servername, cert, key] = process.argv.slice(1);",
  "const read = (f) => require('node:fs').readFileSync(f);",
  "const req = https.get({ host: '127.0.0.1', port, servername, ca: read(ca), ...(cert ? { cert: read(cert), key: read(key) } : {}), agent: false }, (res) => { console.log(res.statusCode); res.pipe(process.stdout); process.exitCode = res.statusCode === 200 ? 0 : 1; });",
  "req.on('error', (e) => { console.error(`${e.code}: ${e.message}`); process.exitCode = 1; });",
].join('\n');

/** Python's grpcio (gRPC's C core): grpc.health.v1.Health/Check over a TLS channel that verifies the case's name. */
export const PYTHON_GRPC = [
  'import sys, grpc',
  'ca, port, name = sys.argv[1], sys.argv[2], sys.argv[3]',
  'creds = grpc.ssl_channel_credentials(open(ca, "rb").read())',
  'with grpc.secure_channel(f"127.0.0.1:{port}", creds, options=[("grpc.ssl_target_name_override", name), ("grpc.default_authority", name)]) as channel:',
  '    try:',
  '        reply = channel.unary_unary("/grpc.health.v1.Health/Check")(b"", timeout=10)',
  '    except grpc.RpcError as e:',
  '        print(f"{e.code()}: {e.details()}", file=sys.stderr)',
  '        sys.exit(1)',
  '# HealthCheckResponse { status: SERVING } is the bytes 08 01.',
  'print("SERVING" if reply == b"\\x08\\x01" else f"answer {reply.hex()}")',
  'sys.exit(0 if reply == b"\\x08\\x01" else 1)',
].join('\n');

/**
 * Java's JSSE: the CA in an in-memory trust store, an SSLSocket over a socket to 127.0.0.1 with
 * the case's name for SNI and HTTPS endpoint identification. The first case compiles it.
 */
export const JAVA = `import java.io.*; import java.net.*; import java.nio.file.*; import java.security.KeyStore; import java.security.cert.CertificateFactory; import javax.net.ssl.*;
public class CatalogueClient {
  public static void main(String[] a) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      try (InputStream in = Files.newInputStream(Path.of(a[0]))) { trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in)); }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManager[] keys = null;
      if (a.length > 4) {
        KeyStore own = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(a[3]))) { own.load(in, a[4].toCharArray()); }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(own, a[4].toCharArray());
        keys = kmf.getKeyManagers();
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(keys, tmf.getTrustManagers(), null);
      int port = Integer.parseInt(a[1]);
      SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(new Socket("127.0.0.1", port), a[2], port, true);
      SSLParameters params = tls.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      tls.setSSLParameters(params);
      tls.startHandshake();
      tls.getOutputStream().write(("GET / HTTP/1.1\\r\\nHost: " + a[2] + "\\r\\nConnection: close\\r\\n\\r\\n").getBytes());
      BufferedReader answer = new BufferedReader(new InputStreamReader(tls.getInputStream()));
      String status = answer.readLine();
      System.out.println(status);
      for (String line = answer.readLine(); line != null; line = answer.readLine()) System.out.println(line);
      System.exit(status != null && status.startsWith("HTTP/1.1 200") ? 0 : 1);
    } catch (Exception e) {
      System.err.println(e);
      System.exit(1);
    }
  }
}
`;

/**
 * Go's crypto/tls through net/http: the catalogue's root as RootCAs, the case's name as
 * ServerName, every connection dialled to 127.0.0.1. Built by the first case (GO111MODULE=off:
 * one file and the standard library).
 */
export const GO = `package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	ca, port, name := os.Args[1], os.Args[2], os.Args[3]
	pem, err := os.ReadFile(ca)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot read the CA:", err)
		os.Exit(2)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	config := &tls.Config{RootCAs: roots, ServerName: name}
	if len(os.Args) > 5 {
		own, err := tls.LoadX509KeyPair(os.Args[4], os.Args[5])
		if err != nil {
			fmt.Fprintln(os.Stderr, "cannot read the client certificate:", err)
			os.Exit(2)
		}
		config.Certificates = []tls.Certificate{own}
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: config,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) { return dialer.DialContext(ctx, network, "127.0.0.1:"+port) },
	}}
	res, err := client.Get("https://" + net.JoinHostPort(name, port) + "/")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer res.Body.Close()
	fmt.Println(res.Status)
	io.Copy(os.Stdout, res.Body)
	if res.StatusCode != 200 {
		os.Exit(1)
	}
}
`;
