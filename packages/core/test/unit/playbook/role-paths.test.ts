/** Files a role's tasks and handlers import, found where Ansible's path_dwim_relative finds them. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPlaybook } from '../../../src/playbook/load.js';
import { formatDiagnostic, type Block, type Handler } from '../../../src/model.js';
import { testRegistry } from '../../fixtures/registry.js';

describe('a role handler including tasks/restart.yml', () => {
  it('reads the role\'s tasks/restart.yml (and restart.yml from tasks/), not handlers/tasks/', () => {
    const { playbook, diagnostics } = readPlaybook(join(__dirname, '../../fixtures/play/role-paths/site.yml'), { registry: testRegistry() });
    expect(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    const handlers = playbook.plays[0].handlers as Handler[];
    const restart = handlers.find((h) => h.name === 'restart r')!;
    const body = restart.body![0] as Block;
    expect(body.include?.preloaded?.map((t) => (t as Handler).name)).toEqual(['restart step']);
    expect(handlers.map((h) => h.name)).toContain('restart step');
  });
});
