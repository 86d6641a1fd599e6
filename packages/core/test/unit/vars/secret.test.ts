import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { collectSecrets, collectSecretsIn, isSecret, revealSecrets, SecretRegistry, SecretString } from '../../../src/vars/secret.js';
import { parseYaml, rootOf, toJS } from '../../../src/playbook/yaml-source.js';
import { render, renderString } from '../../../src/templating/index.js';

describe('secrets', () => {
  const src = parseYaml('v.yml', 'db:\n  user: app\n  password: !secret "hunter2-long"\ntokens: [!secret tok-123, plain]\n');
  const vars = toJS(src, rootOf(src)) as Record<string, unknown>;

  it('the !secret tag yields SecretString values', () => {
    expect(isSecret((vars.db as Record<string, unknown>).password)).toBe(true);
    expect(isSecret((vars.db as Record<string, unknown>).user)).toBe(false);
  });

  it('collectSecretsIn finds secrets in shared and cyclic structures (a loaded playbook)', () => {
    const task: Record<string, unknown> = { vars: { t: new SecretString('task-secret') }, args: [new SecretString('arg-secret'), 'plain'] };
    const play: Record<string, unknown> = { tasks: [task], handlers: [task] };
    task.play = play;
    expect([...collectSecretsIn(play)].sort()).toEqual(['arg-secret', 'task-secret']);
  });

  it('collects every secret value and reveals them for modules', () => {
    expect([...collectSecrets(vars)].sort()).toEqual(['hunter2-long', 'tok-123']);
    expect(revealSecrets(vars)).toEqual({ db: { user: 'app', password: 'hunter2-long' }, tokens: ['tok-123', 'plain'] });
  });

  it('never shows its value through inspect (console.log)', () => {
    expect(inspect(new SecretString('hunter2-long'))).not.toContain('hunter2');
  });

  it('renders as its plain value in templates', () => {
    expect(renderString('pass={{ db.password }}', vars)).toBe('pass=hunter2-long');
    expect(render('{{ db.password }}', vars)).toBe('hunter2-long');
    expect(renderString('{{ db.password | upper }}', vars)).toBe('HUNTER2-LONG');
    expect(renderString('{{ db | to_json }}', vars)).toBe('{"user": "app", "password": "hunter2-long"}');
  });

  it('the registry masks registered values, longest first', () => {
    const reg = new SecretRegistry();
    reg.addFrom(vars);
    reg.add('hunter2-long-and-more');
    reg.add('ab'); // too short to mask usefully
    expect(reg.size).toBe(3);
    expect(reg.mask('a hunter2-long-and-more b hunter2-long c tok-123 ab')).toBe('a ******** b ******** c ******** ab');
    expect(reg.mask('regex chars stay literal: .*')).toBe('regex chars stay literal: .*');
    const special = new SecretRegistry();
    special.add('a.b*c');
    expect(special.mask('xa.b*cx axbbc')).toBe('x********x axbbc');
  });
});

describe('YAML tags', () => {
  it('asks for a vault password, at the position of a !vault value, when none was given', () => {
    const src = parseYaml('v.yml', 'a: 1\npw: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6134\n');
    expect(src.diagnostics).toEqual([
      {
        severity: 'error',
        message: '!vault value is encrypted with Ansible Vault: give its password with --vault-password-file, --vault-id or --ask-vault-pass',
        pos: { file: 'v.yml', line: 2, col: 5 },
      },
    ]);
  });

  it('reports unknown tags as warnings', () => {
    const src = parseYaml('v.yml', 'a: !unknown x\n');
    expect(src.diagnostics.map((d) => `${d.severity} ${d.pos?.line}:${d.pos?.col} ${d.message}`)).toEqual(['warning 1:4 YAML syntax: Unresolved tag: !unknown']);
  });
});
