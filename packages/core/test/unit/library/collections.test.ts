/** The pure parts of running a module of an installed collection: its file, its collection imports, the package skeleton. */
import { describe, expect, it } from 'vitest';
import { collectionImports, findCollectionModule, normalizeRoot, parseFqcn, selectCollectionFiles } from '../../../src/library/collections.js';

describe('parseFqcn and normalizeRoot', () => {
  it.each([
    ['community.general.pam_limits', { ns: 'community', coll: 'general', name: 'pam_limits' }],
    ['ansible.posix.sysctl', { ns: 'ansible', coll: 'posix', name: 'sysctl' }],
    ['pam_limits', undefined],
    ['a.b.c.d', undefined],
    ['ns.coll.bad-name', undefined],
  ])('%s', (name, parsed) => {
    expect(parseFqcn(name)).toEqual(parsed);
  });

  it.each([
    ['~/.ansible/collections', '/home/u', '/home/u/.ansible/collections'],
    ['/usr/share/ansible/collections/', '/home/u', '/usr/share/ansible/collections'],
    ['/usr/lib/python3/dist-packages/ansible_collections', '/home/u', '/usr/lib/python3/dist-packages'],
  ])('%s is the root %s', (dir, home, root) => {
    expect(normalizeRoot(dir, home)).toBe(root);
  });
});

describe('findCollectionModule', () => {
  // The file system of the table: folders and files that exist.
  const fs = (paths: string[]) => ({
    isDir: (p: string) => paths.some((x) => x.startsWith(`${p}/`)),
    isFile: (p: string) => paths.includes(p),
  });
  const G = 'ansible_collections/community/general';
  it.each([
    {
      what: 'the module in the only root',
      roots: ['/r1'],
      paths: [`/r1/${G}/plugins/modules/pam_limits.py`],
      module: 'community.general.pam_limits',
      found: { root: '/r1', file: `/r1/${G}/plugins/modules/pam_limits.py`, dotted: 'ansible_collections.community.general.plugins.modules.pam_limits' },
    },
    {
      what: 'the first root that has the collection, even without the module (Ansible looks no further)',
      roots: ['/r1', '/r2'],
      paths: [`/r1/${G}/plugins/modules/other.py`, `/r2/${G}/plugins/modules/pam_limits.py`],
      module: 'community.general.pam_limits',
      found: undefined,
    },
    {
      what: 'a later root when the first lacks the collection',
      roots: ['/r0', '/r2'],
      paths: ['/r0/ansible_collections/ansible/posix/plugins/modules/acl.py', `/r2/${G}/plugins/modules/make.py`],
      module: 'community.general.make',
      found: { root: '/r2', file: `/r2/${G}/plugins/modules/make.py`, dotted: 'ansible_collections.community.general.plugins.modules.make' },
    },
    {
      what: 'its action plugin',
      roots: ['/r1'],
      paths: [`/r1/${G}/plugins/modules/shutdown.py`, `/r1/${G}/plugins/action/shutdown.py`],
      module: 'community.general.shutdown',
      found: { root: '/r1', file: `/r1/${G}/plugins/modules/shutdown.py`, dotted: 'ansible_collections.community.general.plugins.modules.shutdown', actionPlugin: `/r1/${G}/plugins/action/shutdown.py` },
    },
    { what: 'no collection installed', roots: ['/r1'], paths: [], module: 'community.general.pam_limits', found: undefined },
    { what: 'not a fully qualified name', roots: ['/r1'], paths: [`/r1/${G}/plugins/modules/pam_limits.py`], module: 'pam_limits', found: undefined },
    { what: 'ansible.builtin is not a collection on disk', roots: ['/r1'], paths: ['/r1/ansible_collections/ansible/builtin/plugins/modules/copy.py'], module: 'ansible.builtin.copy', found: undefined },
  ])('$what', ({ roots, paths, module, found }) => {
    const f = fs(paths);
    const got = findCollectionModule(module, roots, f.isDir, f.isFile);
    expect(got).toEqual(found ? { fqcn: module, ...found } : undefined);
  });
});

describe('collectionImports', () => {
  const U = 'ansible_collections.community.general.plugins.module_utils';
  it.each([
    [`from ${U}.mh.base import ModuleHelperBase\n`, [`${U}.mh.base`, `${U}.mh.base.ModuleHelperBase`]],
    [`from ${U} import deps\n`, [U, `${U}.deps`]],
    [`from ${U}.module_helper import (\n    StateModuleHelper,  # noqa\n    CmdMixin,\n)\n`, [`${U}.module_helper`, `${U}.module_helper.CmdMixin`, `${U}.module_helper.StateModuleHelper`]],
    [`import ${U}.x as x, os\n`, [`${U}.x`]],
    ['    from ansible_collections.ansible.posix.plugins.module_utils.mount import ismount\n', ['ansible_collections.ansible.posix.plugins.module_utils.mount', 'ansible_collections.ansible.posix.plugins.module_utils.mount.ismount']],
    ['from ansible.module_utils.basic import AnsibleModule\n', []],
  ])('%j', (text, dotted) => {
    expect(collectionImports(text)).toEqual([...dotted].sort());
  });
});

describe('selectCollectionFiles', () => {
  const MU = 'ansible_collections/community/general/plugins/module_utils';
  const mod = 'ansible_collections.community.general.plugins.modules.thing';
  const tree: Record<string, string> = {
    [`${MU}/helper.py`]: 'from ansible_collections.community.general.plugins.module_utils.mh.base import B\nfrom ansible.module_utils.basic import AnsibleModule\n',
    [`${MU}/mh/__init__.py`]: '',
    [`${MU}/mh/base.py`]: 'from .exceptions import E\nfrom ..vars import V\n',
    [`${MU}/mh/exceptions.py`]: 'from ansible.module_utils.common.text.converters import to_native\n',
    [`${MU}/vars.py`]: '',
    [`${MU}/unused.py`]: '',
  };
  const read = (rel: string) => tree[rel];
  /** The packages on the way to community.general's modules and module_utils. */
  const SKELETON = [
    'ansible_collections/__init__.py',
    'ansible_collections/community/__init__.py',
    'ansible_collections/community/general/__init__.py',
    'ansible_collections/community/general/plugins/__init__.py',
    `${MU}/__init__.py`,
    'ansible_collections/community/general/plugins/modules/__init__.py',
  ];

  it.each([
    {
      what: 'absolute imports, then relative ones (same package and one up), with the packages on the way',
      text: 'from ansible_collections.community.general.plugins.module_utils.helper import H\n',
      files: [`${MU}/helper.py`, `${MU}/mh/__init__.py`, `${MU}/mh/base.py`, `${MU}/mh/exceptions.py`, `${MU}/vars.py`, 'ansible_collections/community/general/plugins/modules/thing.py'],
      skeleton: SKELETON,
      ansibleImports: 2,
    },
    {
      what: "a module's relative import of its collection's module_utils",
      text: 'from ..module_utils.vars import V\n',
      files: [`${MU}/vars.py`, 'ansible_collections/community/general/plugins/modules/thing.py'],
      skeleton: SKELETON,
      ansibleImports: 0,
    },
    {
      what: 'no collection imports: the module and its skeleton',
      text: 'from ansible.module_utils.basic import AnsibleModule\n',
      files: ['ansible_collections/community/general/plugins/modules/thing.py'],
      skeleton: [
        'ansible_collections/__init__.py',
        'ansible_collections/community/__init__.py',
        'ansible_collections/community/general/__init__.py',
        'ansible_collections/community/general/plugins/__init__.py',
        'ansible_collections/community/general/plugins/modules/__init__.py',
      ],
      ansibleImports: 1,
    },
  ])('$what', ({ text, files, skeleton, ansibleImports }) => {
    const got = selectCollectionFiles(mod, text, read);
    expect(got.files).toEqual([...files].sort());
    expect(got.skeleton).toEqual([...skeleton].sort());
    // Every text read is searched for ansible.module_utils imports.
    expect(got.texts.filter((t) => t.includes('from ansible.module_utils')).length).toBe(ansibleImports);
  });

  it("a collection's own __init__.py is shipped instead of an empty one", () => {
    const withInit = { ...tree, [`${MU}/__init__.py`]: '# own\n' };
    const got = selectCollectionFiles(mod, 'from ..module_utils.vars import V\n', (rel) => withInit[rel]);
    expect(got.files).toContain(`${MU}/__init__.py`);
    expect(got.skeleton).not.toContain(`${MU}/__init__.py`);
  });
});
