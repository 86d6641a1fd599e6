/**
 * Validation of tasks naming modules of collections installed on the controller (a collection path
 * made for the test, sys.path not scanned): such a module is accepted (its arguments are its own to
 * check on the host), one with an action plugin is refused with its place and why, one whose
 * collection is not installed stays refused as a module this provisioner does not provide.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareRun } from '../../../src/validate/index.js';
import { testRegistry } from '../../fixtures/registry.js';
import { withCollections } from '../../fixtures/no-collections.js';

const collections = withCollections({
  'ansible_collections/acme/tools/plugins/modules/widget.py': 'from ansible.module_utils.basic import AnsibleModule\n',
  'ansible_collections/acme/tools/plugins/modules/remote.py': 'from ansible.module_utils.basic import AnsibleModule\n',
  'ansible_collections/acme/tools/plugins/action/remote.py': 'from ansible.plugins.action import ActionBase\n',
});

function diagnostics(tasks: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'haweb-collval-'));
  writeFileSync(join(dir, 'hosts'), '[web]\nh1\n');
  writeFileSync(join(dir, 'site.yml'), `- hosts: web\n  tasks:\n${tasks}`);
  const run = prepareRun({ playbook: join(dir, 'site.yml'), inventory: join(dir, 'hosts'), registry: testRegistry() });
  return run.diagnostics.map((d) => `${d.severity} ${d.pos?.line}:${d.pos?.col}: ${d.message.replaceAll(collections.root(), '<root>')}`);
}

describe('modules of installed collections at validation', () => {
  it.each([
    { what: 'a module of an installed collection: accepted, any arguments', tasks: '    - acme.tools.widget: {anything: 1, goes: two}\n', out: [] },
    {
      what: 'a module with an action plugin in its collection: refused, with where and why',
      tasks: '    - acme.tools.remote: {x: 1}\n',
      out: [
        "error 3:7: module 'acme.tools.remote' (<root>/ansible_collections/acme/tools/plugins/modules/remote.py) has an action plugin in its collection (<root>/ansible_collections/acme/tools/plugins/action/remote.py): Ansible runs it through that controller-side Python code, which this provisioner does not run",
      ],
    },
    {
      what: 'under a false-able when: a warning',
      tasks: '    - acme.tools.remote: {x: 1}\n      when: x is defined\n',
      out: [expect.stringMatching(/^warning 3:7: module 'acme\.tools\.remote' .* has an action plugin in its collection .*it fails if it runs\)$/)],
    },
    { what: 'a collection not installed: a module nobody knows', tasks: '    - acme.other.widget: {}\n', out: [expect.stringMatching(/^error 3:7: unknown module 'acme\.other\.widget'/)] },
    {
      what: 'a well-known collection not installed here: as before',
      tasks: '    - community.general.pam_limits: {domain: x}\n',
      out: ["error 3:7: module 'community.general.pam_limits' is provided by Ansible or a well-known collection, not by this provisioner"],
    },
  ])('$what', ({ tasks, out }) => {
    expect(diagnostics(tasks)).toEqual(out);
  });
});
