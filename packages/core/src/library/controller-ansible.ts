/**
 * The controller's installed ansible-core, read for one thing: the `ansible/module_utils` files a
 * library module imports (this provisioner ships no Ansible code). Found through the controller's
 * python3, once per process; the zip of a module's module_utils is built once per set of files.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { selectModuleUtils } from './python.js';
import { findCollectionModule, normalizeRoot, selectCollectionFiles, type CollectionModule } from './collections.js';
import { zipArchive } from './zip.js';

export interface ControllerAnsible {
  /** The module_utils folder of the installed ansible-core. */
  moduleUtils: string;
  version?: string;
  /** The folders of the controller Python's sys.path that hold `ansible_collections/` (Ansible scans them after COLLECTIONS_PATHS). */
  sysPathRoots?: string[];
}

let probed: { found?: ControllerAnsible; why?: string } | undefined;

/**
 * The Pythons that may have ansible-core: HAWEB_CONTROLLER_PYTHON alone when set; otherwise the
 * interpreter of the `ansible-playbook` on PATH (its `#!` line: where ansible-core is installed),
 * python3 on PATH, /usr/bin/python3.
 */
function candidatePythons(): string[] {
  if (process.env.HAWEB_CONTROLLER_PYTHON) return [process.env.HAWEB_CONTROLLER_PYTHON];
  const out: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const p = join(dir, 'ansible-playbook');
    try {
      const head = /^#!\s*(\S+)(?:[ \t]+(\S+))?/.exec(readFileSync(p, 'utf8').slice(0, 200));
      if (head) out.push(head[1].endsWith('/env') && head[2] ? head[2] : head[1]);
      break;
    } catch {
      /* not here */
    }
  }
  out.push('python3', '/usr/bin/python3');
  return [...new Set(out)];
}

/** Forgets what was found (tests that change HAWEB_CONTROLLER_PYTHON). */
export function forgetControllerAnsible(): void {
  probed = undefined;
}

/** The controller's ansible-core, or why there is none (every Python tried, each's reason). */
export function controllerAnsible(): { found?: ControllerAnsible; why?: string } {
  if (probed) return probed;
  const code = [
    'import os, sys, ansible.module_utils as m, ansible.release as r',
    'print(m.__path__[0]); print(r.__version__)',
    "print(os.pathsep.join(p for p in sys.path if p and os.path.isdir(os.path.join(p, 'ansible_collections'))))",
  ].join('\n');
  const reasons: string[] = [];
  for (const python of candidatePythons()) {
    const r = spawnSync(python, ['-c', code], { encoding: 'utf8', timeout: 30_000 });
    if (r.error || r.status !== 0) {
      const detail = r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop();
      reasons.push(`${python}: ${detail || `exit ${r.status}`}`);
      continue;
    }
    const [dir, version, roots] = r.stdout.trim().split('\n');
    if (dir && existsSync(dir)) {
      probed = { found: { moduleUtils: dir, version: version?.trim() || undefined, sysPathRoots: (roots ?? '').split(delimiter).map((p) => p.trim()).filter(Boolean) } };
      return probed;
    }
    reasons.push(`${python}: ${dir} does not exist`);
  }
  probed = { why: `no Python here imports ansible.module_utils (${reasons.join('; ')})` };
  return probed;
}

export interface ModuleUtilsZip {
  data: Buffer;
  /** sha256 of the archive (first 16 hex digits): names the cached copy on a host. */
  hash: string;
  files: string[];
}

const zips = new Map<string, ModuleUtilsZip>();

/**
 * The zip of the module_utils files a module's text needs (`ansible/__init__.py` and
 * `ansible/module_utils/...`); for a module of a collection, also the module itself and the
 * collection files it imports under `ansible_collections/`, with the package skeleton.
 */
export function moduleUtilsZip(ansible: ControllerAnsible, moduleText: string, collection?: CollectionModule): ModuleUtilsZip {
  const read = (rel: string) => {
    const p = join(ansible.moduleUtils, rel);
    try {
      return statSync(p).isFile() ? readFileSync(p, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  };
  const coll = collection ? selectCollectionFiles(collection.dotted, moduleText, (rel) => readUnder(collectionRoots(collection), rel)) : undefined;
  const files = selectModuleUtils(coll ? coll.texts.join('\n') : moduleText, read);
  const moduleRel = collection ? `${collection.dotted.split('.').join('/')}.py` : '';
  const key = [...files, ...(coll && collection ? [collection.file, createHash('sha256').update(moduleText).digest('hex'), ...coll.files, ...coll.skeleton] : [])].join('\n');
  const cached = zips.get(key);
  if (cached) return cached;
  const entries = [
    { name: 'ansible/__init__.py', data: Buffer.alloc(0) },
    ...files.map((f) => ({ name: `ansible/module_utils/${f}`, data: readFileSync(join(ansible.moduleUtils, f)) })),
  ];
  if (coll) {
    const roots = collectionRoots(collection!);
    for (const f of coll.files) entries.push({ name: f, data: f === moduleRel ? Buffer.from(moduleText) : readFileSync(readUnder(roots, f, true)!) });
    for (const f of coll.skeleton) entries.push({ name: f, data: Buffer.alloc(0) });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  const data = zipArchive(entries);
  const zip = { data, hash: createHash('sha256').update(data).digest('hex').slice(0, 16), files: [...files.map((f) => `ansible/module_utils/${f}`), ...(coll ? [...coll.files, ...coll.skeleton] : [])] };
  zips.set(key, zip);
  return zip;
}

/** The roots searched for a collection's files: its own root first (where Ansible found the collection), then the others. */
function collectionRoots(c: CollectionModule): string[] {
  return [c.root, ...searchRootsCache.filter((r) => r !== c.root)];
}
let searchRootsCache: string[] = [];

/** A file under the first root that has it: its text, or (path=true) its path. */
function readUnder(roots: readonly string[], rel: string, path = false): string | undefined {
  for (const root of roots) {
    const p = join(root, rel);
    try {
      if (statSync(p).isFile()) return path ? p : readFileSync(p, 'utf8');
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/**
 * The collection roots Ansible searches, in its order: the playbook's `collections/` folder,
 * ANSIBLE_COLLECTIONS_PATH (or the older ANSIBLE_COLLECTIONS_PATHS; default
 * `~/.ansible/collections:/usr/share/ansible/collections`), then the controller Python's sys.path
 * folders holding `ansible_collections/` (unless ANSIBLE_COLLECTIONS_SCAN_SYS_PATH is false). An
 * ansible.cfg `collections_path` is not read.
 */
export function collectionSearchRoots(baseDir: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const configured = env.ANSIBLE_COLLECTIONS_PATH ?? env.ANSIBLE_COLLECTIONS_PATHS ?? '~/.ansible/collections:/usr/share/ansible/collections';
  const roots = [
    ...(baseDir ? [join(baseDir, 'collections')] : []),
    ...configured.split(':').filter(Boolean),
    ...(/^(false|no|off|0|n)$/i.test(env.ANSIBLE_COLLECTIONS_SCAN_SYS_PATH ?? '') ? [] : (controllerAnsible().found?.sysPathRoots ?? [])),
  ].map((d) => normalizeRoot(d, env.HOME));
  return [...new Set(roots)];
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};
const isFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

let builtinRouting: Map<string, string> | undefined;

/** ansible-core's routing of short module names to collections (`pam_limits` to `community.general.pam_limits`), from the controller's ansible_builtin_runtime.yml. */
function routedName(short: string): string | undefined {
  if (!builtinRouting) {
    builtinRouting = new Map();
    const found = controllerAnsible().found;
    if (found) {
      try {
        const doc = parseYaml(readFileSync(join(found.moduleUtils, '..', 'config', 'ansible_builtin_runtime.yml'), 'utf8')) as { plugin_routing?: { modules?: Record<string, { redirect?: unknown }> } };
        for (const [k, v] of Object.entries(doc?.plugin_routing?.modules ?? {})) if (typeof v?.redirect === 'string') builtinRouting.set(k, v.redirect);
      } catch {
        /* no routing: short names stay unknown */
      }
    }
  }
  return builtinRouting.get(short);
}

/**
 * The module of a collection installed on the controller that a task's module name names: a fully
 * qualified `ns.coll.name`, or a short name (bare, `ansible.builtin.` or `ansible.legacy.`) that
 * ansible-core routes to a collection. Undefined when there is no such module here.
 */
export function findInstalledCollectionModule(module: string, baseDir: string | undefined): CollectionModule | undefined {
  let name = module;
  const short = /^(?:ansible\.(?:builtin|legacy)\.)?(\w+)$/.exec(module);
  if (short) {
    const routed = routedName(short[1]);
    if (!routed) return undefined;
    name = routed;
  }
  if (!/^\w+\.\w+\.\w+$/.test(name) || name.startsWith('ansible.builtin.') || name.startsWith('ansible.legacy.')) return undefined;
  if (!controllerAnsible().found) return undefined;
  searchRootsCache = collectionSearchRoots(baseDir);
  const found = findCollectionModule(name, searchRootsCache, isDir, isFile);
  return found ? { ...found, fqcn: module } : undefined;
}
