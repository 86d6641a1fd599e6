#!/usr/bin/env node
// The `lab` command as npm links it. Committed (not built) so that `npm ci` finds it and links
// node_modules/.bin/lab before the build has made dist/; it only loads the built command.
import('../dist/cli.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    process.stderr.write('lab: not built yet: run `npm run build` at the repository root first\n');
  } else {
    process.stderr.write(`lab: ${error && error.stack ? error.stack : error}\n`);
  }
  process.exit(1);
});
