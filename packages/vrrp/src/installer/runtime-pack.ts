import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { dirname, join, relative, sep } from 'node:path';
import { createRequire } from 'node:module';
import { Header, Pax } from 'tar';

/**
 * The VRRP runtime as a self-contained folder: this package's dist/ and package.json plus the
 * dependency closure of its `dependencies` (koffi with the prebuilt binary of the target's
 * arch, commander, workspace packages' dist/, ...) laid out in node_modules/ as on the controller.
 * Packed deterministically (sorted entries, owner 0/0 without names, fixed mtime, fixed modes), so
 * the same runtime always gives the same bytes and checksum.
 */

export interface RuntimeFile {
  /** Path inside the runtime folder, '/'-separated. */
  path: string;
  /** Absolute controller path. */
  source: string;
  executable: boolean;
}

/** A dependency installed from the registry: identified by name@version, listed only when packing. */
export interface RuntimePackage {
  /** Where it lands in the runtime (e.g. node_modules/nunjucks/node_modules/commander). */
  at: string;
  source: string;
  name: string;
  version: string;
}

export interface RuntimeManifest {
  /** Our own built code (this package's and workspace packages' dist/ and package.json). */
  files: RuntimeFile[];
  /** Registry dependencies, copied whole when packing. */
  packages: RuntimePackage[];
  /**
   * The runtime's identity: sha256 over the path, mode and content of every file of our own code,
   * and the place and name@version of every registry dependency (their thousands of files are not
   * hashed on every run: a no-op run must stay fast; a dependency changes with its version).
   */
  digest: string;
  /** The daemon entry point relative to the runtime folder (package.json vrrpdRuntime.entry, else bin.vrrpd). */
  entry: string;
}

/** Target arch names in Node's terms (x64, arm64, ...), for choosing koffi's prebuilt package. */
export type NodeArch = NodeJS.Architecture;

/** This package's root, found by package name so it also holds inside a bundle (the provision CLI). */
export function vrrpPackageRoot(): string {
  return dirname(createRequire(import.meta.url).resolve('@haweb/vrrp/package.json'));
}

interface PackageJson {
  name: string;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  /**
   * What the daemon needs at run time, when less than `dependencies` (which also serve the
   * controller-side installer): the packages its import graph reaches, and dist/ folders it never loads.
   */
  vrrpdRuntime?: { entry?: string; dependencies?: string[]; excludeDist?: string[] };
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Node's lookup: <dir>/node_modules/<name>, then each parent folder's. */
function findPackage(fromDir: string, name: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Platform packages (`@koromix/koffi-linux-x64`, `@esbuild/linux-arm64`, ...) are optional
 * dependencies named after a platform; only the target's is wanted.
 */
export function isOtherPlatformPackage(name: string, arch: NodeArch): boolean {
  const m = /(?:^|[-/])(linux|darwin|win32|freebsd|openbsd|android|sunos|aix)-([a-z0-9]+)(?:-(gnu|musl|msvc))?$/.exec(name);
  if (!m) return false;
  return !(m[1] === 'linux' && m[2] === arch);
}

const SKIP_DIRS = new Set(['test', 'tests', '__tests__', '.github', 'docs', 'doc', 'example', 'examples', '.turbo']);

function listFiles(root: string, into: string, out: RuntimeFile[], keep: (rel: string) => boolean): void {
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name);
      const rel = relative(root, abs).split(sep).join('/');
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || SKIP_DIRS.has(entry.name)) continue;
        walk(abs);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        const real = entry.isSymbolicLink() ? realpathSync(abs) : abs;
        const st = statSync(real);
        if (!st.isFile() || !keep(rel)) continue;
        out.push({ path: `${into}/${rel}`, source: real, executable: (st.mode & 0o111) !== 0 });
      }
    }
  };
  walk(root);
}

const noMaps = (rel: string): boolean => !rel.endsWith('.map') && !rel.endsWith('.d.ts') && !rel.endsWith('.d.cts') && !rel.endsWith('.d.mts');

/** Collect the runtime's files for a target arch. Throws when a needed package is missing. */
export function collectRuntime(packageRoot: string, arch: NodeArch): RuntimeManifest {
  const pkg = readPackageJson(packageRoot);
  // The built entry: npm's bin may be a committed shim outside dist/ that only loads it.
  const bin = pkg.vrrpdRuntime?.entry ?? (typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.vrrpd);
  if (!bin) throw new Error(`${packageRoot}/package.json has no bin.vrrpd`);
  const entry = bin.replace(/^\.\//, '');
  if (!existsSync(join(packageRoot, entry))) {
    throw new Error(`the VRRP runtime is not built (${join(packageRoot, entry)} is missing): run the build first`);
  }
  const files: RuntimeFile[] = [{ path: 'package.json', source: join(packageRoot, 'package.json'), executable: false }];
  const excluded = (pkg.vrrpdRuntime?.excludeDist ?? []).map((d) => d.replace(/\/+$/, ''));
  const isExcluded = (rel: string): boolean => excluded.some((d) => rel === d || rel.startsWith(`${d}/`));
  listFiles(join(packageRoot, 'dist'), 'dist', files, (rel) => noMaps(rel) && !isExcluded(rel));

  // Where each real folder lands in the runtime: the package root is the runtime root, every
  // ancestor's node_modules is the runtime's node_modules, a workspace package goes to
  // node_modules/<name>. Nested copies (nunjucks/node_modules/commander) keep their nesting, so
  // two versions of one package resolve as they do on the controller.
  const places: [string, string][] = [[realpathSync(packageRoot), '']];
  for (let dir = dirname(realpathSync(packageRoot)); ; dir = dirname(dir)) {
    places.push([join(dir, 'node_modules'), 'node_modules']);
    if (dirname(dir) === dir) break;
  }
  const placeOf = (real: string): string | undefined => {
    let best: [string, string] | undefined;
    for (const place of places) {
      if ((real === place[0] || real.startsWith(place[0] + sep)) && (!best || place[0].length > best[0].length)) best = place;
    }
    if (!best) return undefined;
    const rest = relative(best[0], real).split(sep).join('/');
    return [best[1], rest].filter(Boolean).join('/');
  };
  const seen = new Map<string, string>();
  const packages: RuntimePackage[] = [];
  const queue: { name: string; from: string; optional: boolean }[] = [];
  const enqueue = (p: PackageJson, from: string): void => {
    for (const name of Object.keys(p.dependencies ?? {})) queue.push({ name, from, optional: false });
    for (const name of Object.keys(p.optionalDependencies ?? {})) queue.push({ name, from, optional: true });
  };
  const runtimeDeps = pkg.vrrpdRuntime?.dependencies;
  if (runtimeDeps) {
    for (const name of runtimeDeps) queue.push({ name, from: realpathSync(packageRoot), optional: false });
  } else {
    enqueue(pkg, realpathSync(packageRoot));
  }
  while (queue.length > 0) {
    const { name, from, optional } = queue.shift()!;
    if (optional && isOtherPlatformPackage(name, arch)) continue;
    const dir = findPackage(from, name);
    if (!dir) {
      if (optional && /linux-/.test(name)) {
        throw new Error(`${name} (the prebuilt native binary for linux-${arch}) is not installed on the controller`);
      }
      if (optional) continue;
      throw new Error(`dependency ${name} of ${from} is not installed on the controller`);
    }
    const real = realpathSync(dir);
    if ([...seen.values()].includes(real)) continue;
    // A workspace package (a symlink out of node_modules) ships only its package.json and dist/.
    const isWorkspace = !real.split(sep).includes('node_modules');
    if (isWorkspace && !placeOf(real)?.startsWith('node_modules/')) places.push([real, `node_modules/${name}`]);
    const at = isWorkspace ? `node_modules/${name}` : placeOf(real);
    if (!at) throw new Error(`cannot place ${name} (${real}) in the runtime`);
    const clash = seen.get(at);
    if (clash !== undefined && clash !== real) throw new Error(`two copies of ${name} (${clash}, ${real}) would land at ${at}`);
    seen.set(at, real);
    const depPkg = readPackageJson(real);
    if (isWorkspace) {
      files.push({ path: `${at}/package.json`, source: join(real, 'package.json'), executable: false });
      if (existsSync(join(real, 'dist'))) listFiles(join(real, 'dist'), `${at}/dist`, files, noMaps);
    } else {
      packages.push({ at, source: real, name, version: String((depPkg as { version?: unknown }).version ?? '0.0.0') });
    }
    enqueue(depPkg, real);
  }
  packages.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  files.sort(byPath);
  return { files, packages, digest: digestRuntime(files, packages), entry };
}

function byPath(a: RuntimeFile, b: RuntimeFile): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export function digestRuntime(files: readonly RuntimeFile[], packages: readonly RuntimePackage[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    const content = createHash('sha256').update(readFileSync(file.source)).digest('hex');
    hash.update(`file\0${file.path}\0${file.executable ? '755' : '644'}\0${content}\n`);
  }
  for (const pkg of packages) hash.update(`package\0${pkg.at}\0${pkg.name}@${pkg.version}\n`);
  return hash.digest('hex');
}

/** Every file of the runtime, sorted: our code plus each dependency's whole folder. */
export function runtimeFiles(manifest: RuntimeManifest): RuntimeFile[] {
  const all = [...manifest.files];
  for (const pkg of manifest.packages) listFiles(pkg.source, pkg.at, all, (rel) => !rel.endsWith('.map') && !rel.endsWith('.md'));
  return all.sort(byPath);
}

/** Fixed mtime of every entry: packing the same files twice gives the same bytes. */
const EPOCH = new Date('2000-01-01T00:00:00Z');
const BLOCK = 512;

/** One tar entry (with a pax header first when the path is too long for ustar), from tar's own encoders. */
function tarEntry(path: string, mode: number, body: Buffer): Buffer[] {
  const data = { path, mode, uid: 0, gid: 0, uname: '', gname: '', size: body.length, mtime: EPOCH, type: 'File' as const };
  const block = Buffer.alloc(BLOCK);
  const out: Buffer[] = [];
  if (new Header(data).encode(block, 0)) {
    // Too long for ustar: a pax record carries the full path (no atime/ctime, so still deterministic).
    out.push(new Pax({ path, mtime: EPOCH }).encode());
    new Header({ ...data, path: path.slice(-99) }).encode(block, 0);
  }
  out.push(block, body);
  const pad = (BLOCK - (body.length % BLOCK)) % BLOCK;
  if (pad) out.push(Buffer.alloc(pad));
  return out;
}

/**
 * Pack the runtime into a .tar.gz, deterministically: entries in sorted order, written with tar's
 * Header/Pax encoders straight from the controller files (no staging copy), with normalized modes
 * (0644, or 0755 when executable), owner 0/0 and no user names, one fixed mtime, gzip without a
 * timestamp. Returns the tarball's sha256.
 */
export async function packRuntime(manifest: RuntimeManifest, outFile: string): Promise<string> {
  const parts: Buffer[] = [];
  for (const file of runtimeFiles(manifest)) {
    parts.push(...tarEntry(file.path, file.executable ? 0o755 : 0o644, readFileSync(file.source)));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  const gz = await promisify(gzip)(Buffer.concat(parts), { level: 6 });
  writeFileSync(outFile, gz);
  return createHash('sha256').update(gz).digest('hex');
}
