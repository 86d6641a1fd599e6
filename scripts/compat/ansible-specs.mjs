#!/usr/bin/env node
/**
 * Writes packages/modules/test/compat/ansible-specs.json: the argument specs of the Ansible modules
 * this project answers to, as facts only (option names, aliases, types, elements, choices, defaults,
 * required, and the module's mutually_exclusive / required_one_of / required_together / required_if
 * when its source gives them as literals). No descriptions or examples: their text is not ours.
 *
 * Source: `ansible-doc -j ansible.builtin.<module>` of the installed Ansible (its doc fragments merged),
 * plus the literal keyword arguments of the module's AnsibleModule(...) call, read with Python's ast.
 * The modules: every `ansible.builtin.*` alias declared in packages/modules/src/modules/*.ts and in the
 * executor's own modules, packages/core/src/executor/actions/*.ts (the nginx, keepalived and vrrp
 * installer modules are this project's own and are skipped), and the ansible.posix / community.general / community.postgresql /
 * community.mysql / debops.debops collection names they answer to (keyed by full name).
 *
 * debops.debops is DebOps' own collection, not installed with Ansible: its modules are read from the
 * collections folder `node scripts/compat/corpus.mjs debops` builds from DebOps' repository
 * ($HAWEB_DEBOPS_COLLECTIONS, default /tmp/haweb-corpus/collections/debops+debops@65b66ff98481), added
 * to ANSIBLE_COLLECTIONS_PATH.
 *
 *   node scripts/compat/ansible-specs.mjs            # regenerate
 *   node scripts/compat/ansible-specs.mjs --check    # exit 1 if the file is not what Ansible says
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const moduleDirs = [join(root, 'packages/modules/src/modules'), join(root, 'packages/core/src/executor/actions')];
const out = join(root, 'packages/modules/test/compat/ansible-specs.json');

/** Ansible module names our module files answer to. */
function ansibleModules() {
  const names = new Set();
  for (const dir of moduleDirs) {
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      for (const m of text.matchAll(/'ansible\.builtin\.([a-z_]+)'/g)) names.add(m[1]);
      // Collection modules are keyed by their full name (ansible.posix.sysctl).
      for (const m of text.matchAll(/'((?:ansible\.posix|community\.general|community\.postgresql|community\.mysql|debops\.debops)\.[a-z_]+)'/g)) names.add(m[1]);
    }
  }
  return [...names].sort();
}

const python = (() => {
  const playbook = execFileSync('sh', ['-c', 'command -v ansible-playbook'], { encoding: 'utf8' }).trim();
  return /^#!\s*(\S+)/.exec(readFileSync(playbook, 'utf8').split('\n')[0])?.[1] ?? 'python3';
})();

/** mutually_exclusive & co. from the module source's AnsibleModule(...) call, when they are literals. */
const RULES_PY = `
import ast, json, sys
names = ('mutually_exclusive', 'required_one_of', 'required_together', 'required_if', 'required_by')
out = {}
try:
    tree = ast.parse(open(sys.argv[1]).read())
except Exception:
    tree = None
for node in ast.walk(tree) if tree else []:
    if isinstance(node, ast.Call) and getattr(node.func, 'id', getattr(node.func, 'attr', '')) == 'AnsibleModule':
        for kw in node.keywords:
            if kw.arg in names:
                try:
                    out[kw.arg] = ast.literal_eval(kw.value)
                except Exception:
                    out[kw.arg] = 'not a literal'
json.dump(out, sys.stdout)
`;

function facts(option) {
  const f = {};
  for (const key of ['type', 'elements', 'choices', 'default', 'required', 'aliases']) {
    if (option[key] !== undefined && option[key] !== null) f[key] = option[key];
  }
  if (f.required === false) delete f.required;
  if (option.suboptions) f.suboptions = Object.fromEntries(Object.entries(option.suboptions).sort().map(([k, v]) => [k, facts(v)]));
  return f;
}

const debopsCollections = process.env.HAWEB_DEBOPS_COLLECTIONS ?? '/tmp/haweb-corpus/collections/debops+debops@65b66ff98481';

function specOf(name) {
  const fqcn = name.includes('.') ? name : `ansible.builtin.${name}`;
  const env = { ...process.env };
  if (fqcn.startsWith('debops.debops.')) {
    if (!existsSync(join(debopsCollections, 'ansible_collections/debops/debops'))) {
      throw new Error(`${fqcn}: DebOps' collection is not at ${debopsCollections}: run node scripts/compat/corpus.mjs debops first (or set HAWEB_DEBOPS_COLLECTIONS)`);
    }
    env.ANSIBLE_COLLECTIONS_PATH = [debopsCollections, process.env.ANSIBLE_COLLECTIONS_PATH].filter(Boolean).join(':');
  }
  const doc = JSON.parse(execFileSync('ansible-doc', ['-j', fqcn], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'] }))[fqcn].doc;
  const options = Object.fromEntries(Object.entries(doc.options ?? {}).sort().map(([k, v]) => [k, facts(v)]));
  const rules = JSON.parse(execFileSync(python, ['-c', RULES_PY, doc.filename], { encoding: 'utf8' }));
  return { options, ...(Object.keys(rules).length ? { rules } : {}) };
}

const version = execFileSync('ansible-doc', ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
const data = {
  generatedBy: 'node scripts/compat/ansible-specs.mjs',
  ansible: version,
  modules: Object.fromEntries(ansibleModules().map((m) => [m, specOf(m)])),
};
const text = JSON.stringify(data, null, 2) + '\n';
if (process.argv.includes('--check')) {
  if (readFileSync(out, 'utf8') !== text) {
    process.stderr.write(`${out} differs from what ${version} declares: run node scripts/compat/ansible-specs.mjs\n`);
    process.exit(1);
  }
} else {
  writeFileSync(out, text);
  process.stdout.write(`wrote ${out}: ${Object.keys(data.modules).length} modules from ${version}\n`);
}
