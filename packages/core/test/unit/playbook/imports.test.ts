import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPlaybook } from '../../../src/playbook/load.js';
import { formatDiagnostic, type Block, type Task } from '../../../src/model.js';
import { testRegistry } from '../../fixtures/registry.js';

const DIR = join(__dirname, '../../fixtures/play/imports');
const rel = relative(process.cwd(), DIR);
const load = (f: string) => readPlaybook(join(DIR, f), { registry: testRegistry() });
const lines = (f: string) => load(f).diagnostics.map(formatDiagnostic).map((l) => l.split(rel + '/').join(''));

describe('import_playbook and import_tasks', () => {
  const { playbook } = load('site.yml');

  it('splices imported playbooks in place', () => {
    expect(playbook.plays.map((p) => p.name)).toEqual(['first play', 'all']);
  });

  it('inlines import_tasks as a block with the import keywords, recursively', () => {
    const play = playbook.plays[1];
    const imp = play.tasks[1] as Block;
    expect(imp).toMatchObject({ kind: 'block', name: 'import tasks/common.yml', when: ['do_common | default(true)'], tags: ['common'], vars: { who: 'imported' } });
    expect(imp.block[0]).toMatchObject({ name: 'common one', tags: ['common'] });
    const nested = imp.block[1] as Block;
    expect((nested.block[0] as Task).name).toBe('nested');
    expect((nested.block[0] as Task).tags).toEqual(['common']);
  });

  it('resolves role imports from the role tasks folder', () => {
    const fromRole = playbook.plays[1].tasks[0] as Block;
    expect((fromRole.block[0] as Task).name).toBe('from role sub file');
    expect(fromRole.role?.name).toBe('inc');
  });

  it('reports missing files and cycles (golden)', () => {
    expect(lines('site.yml')).toEqual([
      'site.yml:11:22: error: cannot import tasks from \'tasks/missing.yml\': no file tasks/missing.yml',
      'tasks/loop-b.yml:1:17: error: import cycle: site.yml -> tasks/loop-a.yml -> tasks/loop-b.yml -> tasks/loop-a.yml',
    ]);
    expect(lines('cycle.yml')).toEqual([
      'cycle.yml:1:20: error: import cycle: cycle.yml -> cycle.yml',
      "cycle.yml:3:11: error: role 'other' not found (looked in roles/other, other, a dependency listed in roles/dep/meta/main.yml)",
    ]);
  });
});

describe('import_role', () => {
  const { playbook, diagnostics } = load('role-import.yml');

  it('inlines the role as a block and adds its defaults and handlers to the play', () => {
    const play = playbook.plays[0];
    const block = play.tasks[0] as Block;
    expect(block).toMatchObject({ kind: 'block', name: 'pull in a role', when: ['flag | default(true)'], tags: ['inc'] });
    expect(block.role?.name).toBe('inc');
    expect(((block.block[0] as Block).block[0] as Task).name).toBe('from role sub file');
    expect(((block.block[0] as Block).block[0] as Task).tags).toEqual(['inc']);
    expect(play.roleDefaults).toEqual({ inc_default: 1 });
    expect(play.handlers.map((h) => h.name)).toContain('inc handler');
  });

  it('reports unsupported options and unknown roles (golden)', () => {
    expect(diagnostics.map(formatDiagnostic).map((l) => l.split(rel + '/').join(''))).toEqual([
      "role-import.yml:9:15: error: role 'inc' has no tasks/other.yml (tasks_from)",
      "role-import.yml:12:15: error: role 'nosuch' not found (looked in roles/nosuch, nosuch)",
    ]);
  });
});
