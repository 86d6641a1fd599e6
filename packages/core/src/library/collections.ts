/**
 * The pure parts of running a module from an Ansible collection installed on the controller: where
 * its file is in a list of collection roots, which files of the collections' `plugins/module_utils`
 * it imports (absolute `ansible_collections.ns.coll.plugins.module_utils.x` and relative `.x`,
 * `..module_utils.x` forms, recursively), and the package skeleton (`__init__.py` files) those files
 * need inside a zip on the host's PYTHONPATH.
 *
 * Facts from ansible-core (v2.14): a collection root is a folder holding `ansible_collections/`
 * (the playbook's `collections/`, then COLLECTIONS_PATHS, then sys.path entries); a collection is
 * `ansible_collections/<ns>/<coll>/`, found in the first root that has it; its modules are
 * `plugins/modules/<name>.py`; a module with an action plugin of the same name
 * (`plugins/action/<name>.py`) runs through that controller-side code. AnsiballZ ships a module's
 * collection module_utils with an `__init__.py` for each package on the way (empty when the
 * collection has none) and runs the module under its full dotted name, so its relative imports work.
 */
import { posix } from 'node:path';
import { relativeImports } from './python.js';

/** A fully qualified module name split: `community.general.pam_limits`. */
export interface Fqcn {
  ns: string;
  coll: string;
  name: string;
}

/** `ns.coll.name` (each a Python identifier), else undefined. */
export function parseFqcn(module: string): Fqcn | undefined {
  const m = /^([A-Za-z_]\w*)\.([A-Za-z_]\w*)\.([A-Za-z_]\w*)$/.exec(module);
  return m ? { ns: m[1], coll: m[2], name: m[3] } : undefined;
}

/** A root as configured (`~/x`, or a folder named `ansible_collections` itself) as the folder holding `ansible_collections/`. */
export function normalizeRoot(dir: string, home: string | undefined): string {
  let d = dir.replace(/^~(?=\/|$)/, home ?? '~').replace(/\/+$/, '');
  if (posix.basename(d) === 'ansible_collections') d = posix.dirname(d);
  return d || '/';
}

/** A collection module found on the controller. */
export interface CollectionModule {
  fqcn: string;
  /** The folder holding `ansible_collections/` where the collection is. */
  root: string;
  /** The module's file. */
  file: string;
  /** Its dotted name as AnsiballZ runs it (`ansible_collections.ns.coll.plugins.modules.name`). */
  dotted: string;
  /** The collection's action plugin of the same name, when there is one. */
  actionPlugin?: string;
}

/**
 * The module file a fully qualified name names in the first root that has its collection (Ansible
 * does not look further once the collection is found). `isDir`/`isFile` are the file system.
 */
export function findCollectionModule(module: string, roots: readonly string[], isDir: (p: string) => boolean, isFile: (p: string) => boolean): CollectionModule | undefined {
  const q = parseFqcn(module);
  if (!q || q.ns === 'ansible' && (q.coll === 'builtin' || q.coll === 'legacy')) return undefined;
  for (const root of roots) {
    const coll = posix.join(root, 'ansible_collections', q.ns, q.coll);
    if (!isDir(coll)) continue;
    const file = posix.join(coll, 'plugins', 'modules', `${q.name}.py`);
    if (!isFile(file)) return undefined;
    const action = posix.join(coll, 'plugins', 'action', `${q.name}.py`);
    return { fqcn: module, root, file, dotted: `ansible_collections.${q.ns}.${q.coll}.plugins.modules.${q.name}`, ...(isFile(action) ? { actionPlugin: action } : {}) };
  }
  return undefined;
}

/**
 * The collection module_utils a Python text imports by absolute name, as dotted names starting with
 * `ansible_collections.` (`from a.b import c` may name a module `a.b.c` or a name in `a.b`: both).
 */
export function collectionImports(text: string): string[] {
  const found = new Set<string>();
  const code = text.replace(/\\\n/g, ' ');
  for (const m of code.matchAll(/^[ \t]*from[ \t]+(ansible_collections(?:\.\w+)+)[ \t]+import[ \t]+(?:\(([^)]*)\)|([^\n#]*))/gm)) {
    found.add(m[1]);
    for (const name of (m[2] ?? m[3]).replace(/#[^\n]*/g, '').split(',')) {
      const n = name.trim().split(/\s+/)[0];
      if (/^\w+$/.test(n)) found.add(`${m[1]}.${n}`);
    }
  }
  for (const m of code.matchAll(/^[ \t]*import[ \t]+([^\n#]+)/gm)) {
    for (const part of m[1].split(',')) {
      const mod = /^(ansible_collections(?:\.\w+)+)/.exec(part.trim());
      if (mod) found.add(mod[1]);
    }
  }
  return [...found].filter((d) => d.split('.').length > 3).sort();
}

/** The files a collection module needs in its zip, all under `ansible_collections/`. */
export interface CollectionFiles {
  /** Relative paths (`ansible_collections/ns/coll/plugins/module_utils/x.py`) of files that exist, sorted. */
  files: string[];
  /** Package `__init__.py` files the zip needs that the collections do not have (written empty), sorted. */
  skeleton: string[];
  /** Every text read (the module's and the files'), for finding their ansible.module_utils imports. */
  texts: string[];
}

/**
 * Resolves a collection module's imports of collection code, recursively: absolute
 * `ansible_collections...` imports and relative ones (from the module's own dotted name and each
 * file's), each to `x.py` or `x/__init__.py`. `read(relPath)` gives a file's text under the roots,
 * or undefined when there is none (pure otherwise). The module itself is part of the files.
 */
export function selectCollectionFiles(moduleDotted: string, moduleText: string, read: (relPath: string) => string | undefined): CollectionFiles {
  const files = new Map<string, string>();
  const texts = [moduleText];
  const queue = [...collectionImports(moduleText), ...relativeImports(moduleText, moduleDotted, false)];
  const seen = new Set<string>();
  const moduleRel = `${moduleDotted.split('.').join('/')}.py`;
  files.set(moduleRel, moduleText);
  while (queue.length) {
    const dotted = queue.shift()!;
    if (seen.has(dotted) || !dotted.startsWith('ansible_collections.')) continue;
    seen.add(dotted);
    const path = dotted.split('.').join('/');
    let rel = `${path}.py`;
    let text = files.has(rel) ? files.get(rel) : read(rel);
    let isPackage = false;
    if (text === undefined) {
      rel = `${path}/__init__.py`;
      text = files.has(rel) ? files.get(rel) : read(rel);
      isPackage = text !== undefined;
    }
    if (text === undefined || files.has(rel)) continue;
    files.set(rel, text);
    texts.push(text);
    queue.push(...collectionImports(text), ...relativeImports(text, dotted, isPackage));
  }
  // Every package on the way needs an __init__.py inside a zip: the collection's own when it has one.
  const skeleton = new Set<string>();
  for (const rel of [...files.keys()]) {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const init = `${parts.slice(0, i).join('/')}/__init__.py`;
      if (files.has(init) || skeleton.has(init)) continue;
      const own = i > 3 ? read(init) : undefined;
      if (own !== undefined) {
        files.set(init, own);
        texts.push(own);
      } else skeleton.add(init);
    }
  }
  return { files: [...files.keys()].sort(), skeleton: [...skeleton].sort(), texts };
}
