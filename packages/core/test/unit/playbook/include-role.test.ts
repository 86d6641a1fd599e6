/**
 * import_role / include_role in the loader: `public` (include_role only, as Ansible refuses it on an
 * import), `allow_duplicates` (a repeat with false adds nothing), who gets a role's vars and defaults
 * (an import's are the play's; an include's stay with its block unless public), and a templated name
 * (read when the include runs; a role with handlers is refused then).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, type Block } from '../../../src/model.js';
import { readPlaybook } from '../../../src/playbook/load.js';
import { testRegistry } from '../../fixtures/registry.js';

function project(playbook: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ir-'));
  const role = (name: string, files: Record<string, string>) => {
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(join(dir, 'roles', name, f.split('/')[0]), { recursive: true });
      writeFileSync(join(dir, 'roles', name, f), text);
    }
  };
  role('a', { 'tasks/main.yml': '- debug: { msg: a }\n', 'vars/main.yml': 'a_var: 1\n', 'defaults/main.yml': 'a_default: 2\n' });
  role('h', { 'tasks/main.yml': '- debug: { msg: h }\n', 'handlers/main.yml': '- name: h handler\n  debug: { msg: hh }\n' });
  writeFileSync(join(dir, 'site.yml'), playbook);
  return dir;
}

function load(playbook: string) {
  const dir = project(playbook);
  const { playbook: pb, diagnostics } = readPlaybook(join(dir, 'site.yml'), { registry: testRegistry() });
  return { play: pb.plays[0], errors: diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d).replace(dir + '/', '')) };
}

describe('import_role and include_role in the loader', () => {
  it('an import gives the play its vars and defaults; a private include keeps them; a public one exports them', () => {
    const { play, errors } = load(`- hosts: all
  tasks:
    - include_role: { name: a }
    - include_role: { name: a, public: yes }
    - import_role: { name: a }
`);
    expect(errors).toEqual([]);
    expect(play.roleVars).toEqual({ a_var: 1 });
    expect(play.roleDefaults).toEqual({ a_default: 2 });
    const [priv, pub] = play.tasks as Block[];
    expect(priv.exports).toBeUndefined();
    expect(pub.exports).toEqual({ defaults: { a_default: 2 }, vars: { a_var: 1 } });
  });

  it('allow_duplicates: false adds nothing after the same include; another vars makes another role', () => {
    const { play, errors } = load(`- hosts: all
  tasks:
    - include_role: { name: a }
    - include_role: { name: a, allow_duplicates: false }
    - include_role: { name: a, allow_duplicates: false }
      vars: { x: 1 }
    - include_role: { name: a }
`);
    expect(errors).toEqual([]);
    expect((play.tasks as Block[]).map((b) => b.block.length)).toEqual([1, 0, 1, 1]);
  });

  it('refuses public on import_role, a templated import_role name, and names the bad value', () => {
    const { errors } = load(`- hosts: all
  tasks:
    - import_role: { name: a, public: yes }
    - import_role: { name: "{{ r }}" }
    - include_role: { name: a, public: maybe }
`);
    expect(errors).toEqual([
      "site.yml:3:31: error: Invalid options for import_role: public (an imported role's vars and defaults are always the play's)",
      "site.yml:4:28: error: 'name' of 'import_role' must be a role name, got a string (import_role reads its role when the playbook is loaded: use include_role for a templated name)",
      "site.yml:5:40: error: 'public' must be a boolean (yes/no, true/false), got a string",
    ]);
  });

  it('a templated include_role name is read when the include runs; a role with handlers is refused then', () => {
    const { play, errors } = load(`- hosts: all
  tasks:
    - include_role: { name: "{{ r }}" }
`);
    expect(errors).toEqual([]);
    const inc = (play.tasks[0] as Block).include!;
    expect(inc.action).toBe('include_role');
    const ok = inc.load('a');
    expect(ok.errors).toEqual([]);
    expect((ok.items[0] as Block).block.map((t) => t.name ?? (t.kind === 'task' ? t.module : ''))).toEqual(['debug']);
    expect(inc.load('h').errors).toEqual([
      "role 'h' has handlers, which a role included by a templated name cannot add to the play here: name the role, or move its handlers to the play",
    ]);
    expect(inc.load('nosuch').errors[0]).toMatch(/role 'nosuch' not found/);
  });
});
