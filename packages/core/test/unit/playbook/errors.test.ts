import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlaybook, readPlaybook } from '../../../src/playbook/load.js';
import { formatDiagnostic, ValidationError } from '../../../src/model.js';
import { testRegistry } from '../../fixtures/registry.js';

const BAD = join(__dirname, '../../fixtures/play/bad');
const rel = relative(process.cwd(), BAD);

function errors(file: string): string[] {
  return readPlaybook(join(BAD, file), { registry: testRegistry() }).diagnostics.map(formatDiagnostic).map((l) => l.split(rel + '/').join('')).sort(byPosition);
}

describe('playbook loader errors (golden)', () => {
  it('names every bad keyword and value with file:line:col', () => {
    expect(errors('keywords.yml')).toEqual([
      "keywords.yml:2:3: error: unknown keyword 'hots' in play, did you mean 'hosts'?",
      "keywords.yml:6:7: error: unknown keyword 'whne' in task, did you mean 'when'?",
      "keywords.yml:9:7: error: task has more than one module: 'copy', 'template' (a task runs exactly one module)",
      "keywords.yml:10:7: error: no module in task 'no module at all': expected one module key (like 'command:' or 'copy:') besides its keywords",
      "keywords.yml:14:13: error: 'when' must be a string, a boolean or a list of them, got a mapping",
      "keywords.yml:15:15: error: 'notify' must be a handler name or a list of them, got a mapping",
      "keywords.yml:16:17: error: 'register' must be a variable name, got 'not a name'",
      "keywords.yml:17:22: error: 'ignore_errors' must be a boolean (yes/no, true/false) or a template, got a string",
      "keywords.yml:18:13: error: 'loop' must be a list or a template that gives one, got a number",
      "keywords.yml:21:16: error: 'pause' in loop_control must be a number of seconds, got a string",
      "keywords.yml:24:7: error: unknown keyword 'resuce' in block, did you mean 'rescue'?",
      "keywords.yml:26:7: error: keyword 'debugger' in task is not supported by this provisioner",
      "keywords.yml:29:19: error: 'with_items' is the bare name \"ports\": Ansible 2 loops over that one string, not over the variable (bare variables in loops were dropped in Ansible 2.0); write \"{{ ports }}\", or [\"ports\"] if the string is meant",
      "keywords.yml:31:11: error: 'serial' must be a positive number of hosts, a percentage like \"30%\" or a list of them, got a number",
      "keywords.yml:32:17: error: 'gather_facts' must be a boolean (yes/no, true/false), got a string",
      `keywords.yml:34:7: error: role 'nosuchrole' not found (looked in roles/nosuchrole, nosuchrole)`,
      "keywords.yml:35:14: error: a role name must not be empty",
      "keywords.yml:37:7: error: cannot read vars_files entry 'vars/missing.yml': ENOENT (vars/missing.yml)",
      "keywords.yml:38:7: error: vars_files entry '{{ env }}.yml' is templated; only plain file names are supported",
      "keywords.yml:40:7: error: a handler needs a 'name' (or 'listen') so tasks can notify it",
      "keywords.yml:1:3: error: play 'typos everywhere' has no 'hosts'",
      "keywords.yml:41:3: error: play #3 has no 'hosts'",
      "keywords.yml:42:3: error: a play must be a mapping, got a string",
      "keywords.yml:43:10: error: 'hosts' cannot be a template ('{{ target }}'); name a group and choose hosts at run time with --limit",
    ].sort(byPosition));
  });

  it('names an unsupported keyword, or an unsupported form of a supported one, as such', () => {
    expect(errors('keyword-forms.yml')).toEqual([
      "keyword-forms.yml:5:7: error: keyword 'debugger' in task is not supported by this provisioner",
      "keyword-forms.yml:17:21: error: 'local_action' as a mapping needs 'module:' naming the module",
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(errors('syntax.yml')).toEqual([
      'syntax.yml:5:1: error: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('rejects duplicate keys', () => {
    expect(errors('duplicate.yml')).toEqual(['duplicate.yml:5:7: error: YAML syntax: Map keys must be unique']);
  });

  it('requires a list of plays', () => {
    expect(errors('not-a-list.yml')).toEqual([
      "not-a-list.yml:1:1: error: a playbook must be a list of plays (each starting with '- hosts:'), got a mapping",
    ]);
  });

  it('reports a missing playbook', () => {
    expect(errors('nope.yml')).toEqual(['error: cannot read playbook nope.yml: ENOENT']);
  });

  it('loadPlaybook throws one ValidationError carrying them all', () => {
    try {
      loadPlaybook(join(BAD, 'keywords.yml'));
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).diagnostics.length).toBeGreaterThan(15);
    }
  });
});

function byPosition(a: string, b: string): number {
  const pa = /:(\d+):(\d+):/.exec(a);
  const pb = /:(\d+):(\d+):/.exec(b);
  if (!pa || !pb) return 0;
  return Number(pa[1]) - Number(pb[1]) || Number(pa[2]) - Number(pb[2]);
}
