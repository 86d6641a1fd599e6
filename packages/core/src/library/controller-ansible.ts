/**
 * The controller's installed ansible-core, read for one thing: the `ansible/module_utils` files a
 * library module imports (this provisioner ships no Ansible code). Found through the controller's
 * python3, once per process; the zip of a module's module_utils is built once per set of files.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { selectModuleUtils } from './python.js';
import { zipArchive } from './zip.js';

export interface ControllerAnsible {
  /** The module_utils folder of the installed ansible-core. */
  moduleUtils: string;
  version?: string;
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
  const code = 'import ansible.module_utils as m, ansible.release as r; print(m.__path__[0]); print(r.__version__)';
  const reasons: string[] = [];
  for (const python of candidatePythons()) {
    const r = spawnSync(python, ['-c', code], { encoding: 'utf8', timeout: 30_000 });
    if (r.error || r.status !== 0) {
      const detail = r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop();
      reasons.push(`${python}: ${detail || `exit ${r.status}`}`);
      continue;
    }
    const [dir, version] = r.stdout.trim().split('\n');
    if (dir && existsSync(dir)) {
      probed = { found: { moduleUtils: dir, version: version?.trim() || undefined } };
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

/** The zip of the module_utils files a module's text needs (`ansible/__init__.py` and `ansible/module_utils/...`). */
export function moduleUtilsZip(ansible: ControllerAnsible, moduleText: string): ModuleUtilsZip {
  const read = (rel: string) => {
    const p = join(ansible.moduleUtils, rel);
    try {
      return statSync(p).isFile() ? readFileSync(p, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  };
  const files = selectModuleUtils(moduleText, read);
  const key = files.join('\n');
  const cached = zips.get(key);
  if (cached) return cached;
  const entries = [
    { name: 'ansible/__init__.py', data: Buffer.alloc(0) },
    ...files.map((f) => ({ name: `ansible/module_utils/${f}`, data: readFileSync(join(ansible.moduleUtils, f)) })),
  ];
  const data = zipArchive(entries);
  const zip = { data, hash: createHash('sha256').update(data).digest('hex').slice(0, 16), files };
  zips.set(key, zip);
  return zip;
}
