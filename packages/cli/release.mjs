// Packs `provision` as one self-contained npm tarball for machines without this repository:
//   npm run release                  (from the repository root: builds, then runs this script)
//   node packages/cli/release.mjs [--out DIR]
// and installs with `npm install -g --prefix <folder> <tarball>`, offline.
//
// What is inside (haweb-provision-<version>.tgz):
//   bin/provision.js      the same committed shim npm links in the repository
//   dist/provision.js     the esbuild bundle of the CLI with every workspace package (bundle.mjs)
//   node_modules/...      bundleDependencies, copied from this repository's node_modules: the packages
//                         the bundle leaves outside (ssh2, node-ssh, nunjucks, koffi), and
//                         @haweb/vrrp's package.json and dist/ with the daemon's runtime dependencies,
//                         because the vrrp_service module packs that runtime from the controller's files.
// Nothing depends on the unpublished @haweb/* packages through the registry: @haweb/vrrp travels
// inside the tarball with a package.json cut down to its runtime dependencies. Install-time scripts
// of the copied packages are removed (they are installed already built: koffi's prebuilt binary for
// this machine's architecture, ssh2's optional crypto binding), so the install runs no compiler and
// fetches nothing; ssh2's optional cpu-features (a native build) is left out: ssh2 works without it.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { execFileSync } from 'node:child_process';

const cliDir = dirname(new URL(import.meta.url).pathname);
const repo = resolve(cliDir, '../..');

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outDir = resolve(outIndex >= 0 ? args[outIndex + 1] : join(repo, 'release'));

/** Packages the bundle loads from node_modules at run time (bundle.mjs's `external`, minus optional natives). */
const BUNDLE_EXTERNALS = ['node-ssh', 'ssh2', 'nunjucks', 'koffi'];
/** Optional native add-ons that would need a compiler at install time; their users fall back without them. */
const LEFT_OUT = new Set(['cpu-features', 'nan', 'buildcheck']);
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

function fail(message) {
  process.stderr.write(`release: ${message}\n`);
  process.exit(1);
}

/** Node's lookup from `fromDir`: <dir>/node_modules/<name>, then each parent's. */
function findPackage(fromDir, name) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** koffi's platform packages: only this machine's is wanted. */
function isOtherPlatform(name) {
  const m = /(?:^|[-/])(linux|darwin|win32|freebsd|openbsd|android|sunos|aix)-([a-z0-9]+)(?:-(gnu|musl|msvc))?$/.exec(name);
  return Boolean(m) && !(m[1] === process.platform && m[2] === process.arch);
}

for (const f of ['packages/cli/dist/provision.js', 'packages/vrrp/dist/bin/vrrpd.js']) {
  if (!existsSync(join(repo, f))) fail(`${f} is missing: run \`npm run build\` first`);
}

const rootPkg = readJson(join(repo, 'package.json'));
let commit;
try {
  commit = execFileSync('git', ['-C', repo, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  commit = undefined;
}

const stage = join(outDir, 'stage');
rmSync(stage, { recursive: true, force: true });
mkdirSync(join(stage, 'bin'), { recursive: true });
mkdirSync(join(stage, 'dist'), { recursive: true });
cpSync(join(cliDir, 'bin/provision.js'), join(stage, 'bin/provision.js'));
cpSync(join(cliDir, 'dist/provision.js'), join(stage, 'dist/provision.js'));
if (existsSync(join(cliDir, 'dist/provision.js.LEGAL.txt'))) cpSync(join(cliDir, 'dist/provision.js.LEGAL.txt'), join(stage, 'dist/provision.js.LEGAL.txt'));

// The dependency closure, placed as on this machine: a package hoisted to a node_modules folder of
// the repository lands in the release's node_modules/; one nested inside another package comes along
// with that package's copy.
const topLevel = new Map(); // name -> real source dir
const queue = BUNDLE_EXTERNALS.map((name) => ({ name, from: cliDir, optional: false }));
const visited = new Set();
const vrrpRoot = realpathSync(findPackage(cliDir, '@haweb/vrrp') ?? fail('@haweb/vrrp is not linked in node_modules'));
const vrrpPkg = readJson(join(vrrpRoot, 'package.json'));
const vrrpRuntimeDeps = vrrpPkg.vrrpdRuntime?.dependencies ?? Object.keys(vrrpPkg.dependencies ?? {});
for (const name of vrrpRuntimeDeps) queue.push({ name, from: vrrpRoot, optional: false });

const hoistRoots = [];
for (let dir = repo; ; dir = dirname(dir)) {
  hoistRoots.push(join(dir, 'node_modules'));
  if (dirname(dir) === dir) break;
}

while (queue.length > 0) {
  const { name, from, optional } = queue.shift();
  if (LEFT_OUT.has(name) || (optional && isOtherPlatform(name))) continue;
  const found = findPackage(from, name);
  if (!found) {
    if (optional) continue;
    fail(`${name} (needed by ${relative(repo, from) || '.'}) is not installed: run npm ci first`);
  }
  const real = realpathSync(found);
  if (visited.has(real)) continue;
  visited.add(real);
  const hoisted = hoistRoots.some((root) => dirname(found) === root || dirname(dirname(found)) === root && name.startsWith('@'));
  if (hoisted) {
    const clash = topLevel.get(name);
    if (clash && clash !== real) fail(`two copies of ${name} would land at node_modules/${name}: ${clash} and ${real}`);
    topLevel.set(name, real);
  }
  const pkg = readJson(join(real, 'package.json'));
  for (const dep of Object.keys(pkg.dependencies ?? {})) queue.push({ name: dep, from: real, optional: false });
  for (const dep of Object.keys(pkg.optionalDependencies ?? {})) queue.push({ name: dep, from: real, optional: true });
}

const SKIP_DIRS = new Set(['.github', 'test', 'tests', '__tests__', '.turbo']);
const copyFilter = (source) => {
  const parts = source.split(sep);
  const base = parts[parts.length - 1];
  if (SKIP_DIRS.has(base) || base.endsWith('.map')) return false;
  // A nested node_modules keeps only packages of the closure (never cpu-features and friends).
  const nm = parts.lastIndexOf('node_modules');
  if (nm >= 0 && nm === parts.length - 2) return !LEFT_OUT.has(base);
  return true;
};
for (const [name, real] of topLevel) cpSync(real, join(stage, 'node_modules', ...name.split('/')), { recursive: true, dereference: true, filter: copyFilter });

// @haweb/vrrp: its package.json (runtime dependencies only) and dist/, as the vrrp_service module reads them.
const vrrpStage = join(stage, 'node_modules/@haweb/vrrp');
cpSync(join(vrrpRoot, 'dist'), join(vrrpStage, 'dist'), { recursive: true, filter: (s) => !s.endsWith('.map') && !s.endsWith('.d.ts') });
const vrrpVersions = Object.fromEntries(vrrpRuntimeDeps.map((d) => [d, readJson(join(topLevel.get(d) ?? fail(`${d} is not in the release`), 'package.json')).version]));
writeFileSync(
  join(vrrpStage, 'package.json'),
  `${JSON.stringify(
    {
      name: vrrpPkg.name,
      version: vrrpPkg.version,
      private: true,
      description: vrrpPkg.description,
      type: vrrpPkg.type,
      main: vrrpPkg.main,
      exports: vrrpPkg.exports,
      vrrpdRuntime: vrrpPkg.vrrpdRuntime,
      dependencies: vrrpVersions,
    },
    null,
    2,
  )}\n`,
);
topLevel.set('@haweb/vrrp', vrrpStage);

// Every copied package.json: no install-time scripts, no implicit node-gyp build.
function stripInstallScripts(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) stripInstallScripts(path);
    else if (entry.name === 'package.json') {
      let pkg;
      try {
        pkg = readJson(path);
      } catch {
        continue;
      }
      if (typeof pkg.name !== 'string' || typeof pkg.version !== 'string') continue;
      let touched = false;
      for (const s of INSTALL_SCRIPTS) {
        if (pkg.scripts?.[s] !== undefined) {
          delete pkg.scripts[s];
          touched = true;
        }
      }
      if (pkg.gypfile !== false && existsSync(join(dir, 'binding.gyp'))) {
        pkg.gypfile = false;
        touched = true;
      }
      if (touched) writeFileSync(path, `${JSON.stringify(pkg, null, 2)}\n`);
    }
  }
}
stripInstallScripts(join(stage, 'node_modules'));

const dependencies = Object.fromEntries(
  [...topLevel.keys()].sort().map((name) => [name, readJson(join(stage, 'node_modules', ...name.split('/'), 'package.json')).version]),
);
const release = {
  name: 'haweb-provision',
  version: rootPkg.version,
  description: 'provision: declarative, idempotent provisioning over SSH with Ansible playbooks and inventories (self-contained release of haweb)',
  type: 'module',
  bin: { provision: 'bin/provision.js' },
  engines: rootPkg.engines,
  os: ['linux'],
  files: ['bin/', 'dist/'],
  dependencies,
  bundleDependencies: Object.keys(dependencies),
  haweb: commit ? { commit } : undefined,
};
writeFileSync(join(stage, 'package.json'), `${JSON.stringify(release, null, 2)}\n`);

const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], { cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
const tarball = join(outDir, packed[0].filename);
rmSync(stage, { recursive: true, force: true });
const size = (statSync(tarball).size / 1e6).toFixed(1);
process.stdout.write(`${tarball} (${size} MB, ${packed[0].entryCount} files; provision ${release.version}${commit ? ` at ${commit}` : ''})\n`);
