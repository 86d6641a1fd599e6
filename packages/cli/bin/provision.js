#!/usr/bin/env node
// The `provision` command as npm links it. Committed (not built) so that `npm ci` finds it and links
// node_modules/.bin/provision before the build has made dist/; it only loads the built command.
import('../dist/provision.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/provision.js')) {
    process.stderr.write('provision: not built yet: run `npm run build` at the repository root first\n');
  } else {
    process.stderr.write(`provision: ${error && error.stack ? error.stack : error}\n`);
  }
  process.exit(1);
});
