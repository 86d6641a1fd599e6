// Bundles the built CLI (dist/main.js and every workspace package it imports) into one file,
// dist/provision.js, the `provision` command. Why: start-up is part of every run, and Node's ESM
// loader spends ~150 ms resolving and linking the ~450 small files of the unbundled tree (a no-op
// run of a 20-task playbook on two hosts takes ~0.6 s in all).
// Left outside the bundle, loaded from node_modules at run time: packages with native add-ons or
// that locate their own files (ssh2 and node-ssh, koffi, cpu-features), and nunjucks, which our code
// also loads through createRequire (one copy must serve both).
import { build } from 'esbuild';

const external = ['node-ssh', 'ssh2', 'cpu-features', 'koffi', 'nunjucks'];

await build({
  entryPoints: [new URL('dist/main.js', import.meta.url).pathname],
  outfile: new URL('dist/provision.js', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: { js: "import { createRequire as __provisionRequire } from 'node:module';\nconst require = __provisionRequire(import.meta.url);" },
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
