#!/usr/bin/env node
// The `vrrpd` command as npm links it. Committed (not built) so that `npm ci` finds it and links
// node_modules/.bin/vrrpd before the build has made dist/; it only loads the built daemon.
import('../dist/bin/vrrpd.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/bin/vrrpd.js')) {
    process.stderr.write('vrrpd: not built yet: run `npm run build` at the repository root first\n');
  } else {
    process.stderr.write(`vrrpd: ${error && error.stack ? error.stack : error}\n`);
  }
  process.exit(1);
});
