// Process entry point: runs main and exits with its code once output is flushed.
// No top-level await: the same file is bundled as CommonJS for the Node single binary (SEA).
// @peculiar/x509's dependency injection needs the Reflect polyfill before it loads; commands
// load on demand, and a bundler may evaluate their modules in any order, so it comes first.
import 'reflect-metadata';
import { main } from './main.ts';

// Dependencies' deprecation notices (grpc-js sets an IP address as TLS ServerName: DEP0123) are
// for their authors, not for someone reading a test report.
process.noDeprecation = true;

// A reader that stops early (`certharness schema | head`) closes the pipe: stop quietly, as
// command-line tools do, instead of dying on the EPIPE error event.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw e;
  });
}

/** Resolves once everything written to the stream before it has left the process: a pipe to a
 * slow reader queues writes, and exiting before they drain cuts the output short. */
const drained = (stream: NodeJS.WriteStream) => new Promise<void>((done) => stream.write('', () => done()));

void main(process.argv.slice(2))
  .then(async (code) => {
    process.exitCode = code;
    // The run is over and its reports are written: a Ctrl-C now ends the process with the code
    // the reports agree with, rather than killing it by signal (130) after "interrupted": false.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(code));
    await Promise.all([drained(process.stdout), drained(process.stderr)]);
    // Services are stopped by then; exit explicitly so a stray handle cannot keep the process alive.
    setTimeout(() => process.exit(code), 50).unref();
  });
