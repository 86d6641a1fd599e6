/** Load inventories (INI or YAML, auto-detected; files, directories or `host1,host2,` lists). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ValidationError, type Diagnostic, type Inventory } from '../model.js';
import { displayPath, isMap, parseYaml, rootOf, hasErrors } from '../playbook/yaml-source.js';
import { InventoryBuilder } from './builder.js';
import { parseIniInventory } from './ini.js';
import { parseYamlInventory } from './yaml.js';
import { namesInVarsDir, varsFromDir } from './vars-dirs.js';
import { LOCALHOST_NAMES } from './localhost.js';
import { didYouMean } from '../validate/suggest.js';
import { isVaultText } from '../vault/format.js';
import { vaultKeyring } from '../vault/keyring.js';

export interface LoadInventoryOptions {
  /** The playbook's folder: its group_vars/ and host_vars/ apply too, over the inventory's. */
  playbookDir?: string;
}

export interface InventoryLoad {
  inventory: Inventory;
  diagnostics: Diagnostic[];
}

/** Decide the format of one inventory file and feed it to the builder. */
function loadFile(file: string, b: InventoryBuilder): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    b.error(`cannot read inventory ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return;
  }
  b.inventory.sources.push(file);
  // A vault-encrypted inventory (YAML or INI) is read as its plaintext, as Ansible does.
  if (isVaultText(text)) {
    try {
      text = vaultKeyring().decrypt(text, displayPath(file)).toString('utf8');
    } catch (e) {
      b.error((e as Error).message);
      return;
    }
  }
  const yamlByName = /\.(ya?ml|json)$/i.test(file);
  const iniByName = /\.(ini|cfg)$/i.test(file);
  if (!iniByName) {
    const src = parseYaml(file, text);
    const root = rootOf(src);
    const looksYaml = !hasErrors(src) && (root === null || isMap(root));
    if (yamlByName || looksYaml) {
      b.diagnostics.push(...src.diagnostics);
      parseYamlInventory(src, b);
      return;
    }
  }
  parseIniInventory(file, text, b);
}

function sourceFiles(source: string): { files: string[]; varsDir: string } | undefined {
  let st;
  try {
    st = statSync(source);
  } catch {
    return undefined;
  }
  if (!st.isDirectory()) return { files: [source], varsDir: dirname(source) };
  const files = readdirSync(source)
    .sort()
    .filter((e) => !e.startsWith('.') && !/(~|\.retry|\.orig|\.bak|\.md)$/.test(e) && e !== 'group_vars' && e !== 'host_vars')
    .map((e) => join(source, e))
    .filter((f) => statSync(f).isFile());
  return { files, varsDir: source };
}

/** Read inventories into one Inventory, collecting every problem. */
export function readInventory(sources: string | readonly string[], options: LoadInventoryOptions = {}): InventoryLoad {
  const b = new InventoryBuilder();
  const varsDirs: string[] = [];
  for (const raw of typeof sources === 'string' ? [sources] : sources) {
    const found = sourceFiles(resolve(raw));
    if (found) {
      found.files.forEach((f) => loadFile(f, b));
      if (!varsDirs.includes(found.varsDir)) varsDirs.push(found.varsDir);
    } else if (raw.includes(',')) {
      // `-i host1,host2,`: a literal host list
      for (const h of raw.split(',').map((s) => s.trim()).filter(Boolean)) b.host(h, {}, undefined);
      b.inventory.sources.push(raw);
    } else {
      b.error(`inventory ${raw} does not exist`);
    }
  }
  if (options.playbookDir) {
    const pd = resolve(options.playbookDir);
    if (!varsDirs.includes(pd)) varsDirs.push(pd);
  }
  const inventory = b.finish();
  // group_vars/ and host_vars/: inventory folders first, the playbook's folder last (it wins).
  for (const dir of varsDirs) {
    for (const g of inventory.groups.values()) {
      const v = varsFromDir(dir, 'group_vars', g.name, b.diagnostics);
      if (v) b.groupVars(g.name, v);
    }
    for (const h of inventory.hosts.values()) {
      const v = varsFromDir(dir, 'host_vars', h.name, b.diagnostics);
      if (v) b.host(h.name, v);
    }
    for (const name of LOCALHOST_NAMES) {
      if (inventory.hosts.has(name)) continue;
      const v = varsFromDir(dir, 'host_vars', name, b.diagnostics);
      if (v) (inventory.implicitHostVars ??= new Map()).set(name, { ...inventory.implicitHostVars?.get(name), ...v });
    }
  }
  // A group_vars/ or host_vars/ file whose name matches nothing is usually a typo: it would be ignored.
  for (const dir of varsDirs) {
    for (const [kind, known] of [['group_vars', inventory.groups], ['host_vars', inventory.hosts]] as const) {
      for (const { name, path } of namesInVarsDir(dir, kind)) {
        if (!known.has(name) && !(kind === 'host_vars' && LOCALHOST_NAMES.includes(name))) {
          const what = kind === 'group_vars' ? 'group' : 'host';
          b.diagnostics.push({ severity: 'warning', message: `${displayPath(path)} is ignored: no ${what} named '${name}' in the inventory${didYouMean(name, known.keys())}` });
        }
      }
    }
  }
  return { inventory, diagnostics: b.diagnostics };
}

/** Like readInventory, but throws a ValidationError (exit code 2) listing every error. */
export function loadInventory(sources: string | readonly string[], options: LoadInventoryOptions = {}): Inventory {
  const { inventory, diagnostics } = readInventory(sources, options);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new ValidationError(diagnostics);
  return inventory;
}
