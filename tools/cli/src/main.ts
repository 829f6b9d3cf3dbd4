#!/usr/bin/env node
/** The `kera` operator CLI. Reads the environment and the terminal; everything else is in run.ts. */
import { runCli } from './run.js';

const interrupted = new AbortController();
// The first Ctrl-C ends a watch cleanly; a second one falls through to Node's default and kills.
process.once('SIGINT', () => interrupted.abort());

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  signal: interrupted.signal,
});
