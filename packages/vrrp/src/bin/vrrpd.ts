#!/usr/bin/env node
/** vrrpd: a keepalived-compatible VRRP daemon. See `vrrpd --help`. */
import { runCli } from '../daemon/cli.js';

runCli(process.argv).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`vrrpd: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
