// Process entry point: runs main and exits with its code once output is flushed.
import { main } from './main.ts';

// Dependencies' deprecation notices (grpc-js sets an IP address as TLS ServerName: DEP0123) are
// for their authors, not for someone reading a test report.
process.noDeprecation = true;

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Services are stopped by then; exit explicitly so a stray handle cannot keep the process alive.
setTimeout(() => process.exit(code), 50).unref();
