import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { prepareRun } from '../../../src/validate/index.js';
import { formatDiagnostic } from '../../../src/model.js';
import { isSecret, SecretString } from '../../../src/vars/secret.js';
import { parseExtraVars } from '../../../src/vars/extra-vars.js';
import { readVarsFile } from '../../../src/inventory/vars-dirs.js';
import { useVaultKeyring, VaultKeyring, type VaultSecret } from '../../../src/vault/keyring.js';
import { encryptVault, vaultYamlScalar } from '../../../src/vault/format.js';
import { hideVaultedDiff, readControllerFile, VAULTED_DIFF_NOTE } from '../../../src/vault/controller-files.js';
import { testRegistry } from '../../fixtures/registry.js';

const secret = (id: string, password: string): VaultSecret => ({ id, password: Buffer.from(password), source: `test ${id}` });
const salt = Buffer.from('s'.repeat(32));
const vault = (plaintext: string, password: string, label?: string) => encryptVault(Buffer.from(plaintext), Buffer.from(password), { label, salt });
const indent = (text: string, n: number) => text.replace(/\n/g, `\n${' '.repeat(n)}`);

const dir = mkdtempSync(join(tmpdir(), 'haweb-vault-loaders-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => useVaultKeyring(new VaultKeyring()));

function write(rel: string, text: string): string {
  const path = join(dir, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe('VaultKeyring', () => {
  const text = vault('plain', 'right', 'prod');

  it('tries the secret whose id matches the 1.2 label first, then the others', () => {
    expect(new VaultKeyring([secret('dev', 'wrong'), secret('prod', 'right')]).open(text, 'f').id).toBe('prod');
    expect(new VaultKeyring([secret('other', 'right')]).open(text, 'f').id).toBe('other');
  });

  it('a wrong password names the file and the vault ids tried, never a password', () => {
    const run = () => new VaultKeyring([secret('default', 'wrong-password')]).decrypt(text, 'group_vars/all.yml');
    expect(run).toThrow('group_vars/all.yml (vault id prod): decryption failed: no vault password given opens it (tried default (test default))');
    expect(run).not.toThrow(/wrong-password/);
  });

  it('no password at all says how to give one', () => {
    expect(() => new VaultKeyring().decrypt(text, 'x.yml')).toThrow('x.yml is encrypted with Ansible Vault: give its password with --vault-password-file, --vault-id or --ask-vault-pass');
  });

  it('encrypts with the first secret, or the one named', () => {
    const k = new VaultKeyring([secret('default', 'a'), secret('prod', 'b')]);
    expect(k.encrypt(Buffer.from('x'), undefined, salt).split('\n')[0]).toBe('$ANSIBLE_VAULT;1.1;AES256');
    expect(k.encrypt(Buffer.from('x'), 'prod', salt).split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;prod');
    expect(() => k.encrypt(Buffer.from('x'), 'stage')).toThrow('no vault password given for vault id stage');
  });
});

describe('loaders decrypt vault data where Ansible does', () => {
  const pw = 'loader-pass';
  write('inventory/hosts', 'web1 ansible_host=198.18.12.9\n');
  write('inventory/group_vars/all.yml', vault('db_password: group-secret-1\ndb_port: 5432\n', pw));
  write('inventory/host_vars/web1.yml', `api_token: ${indent(vaultYamlScalar(vault('token-abc-123', pw)), 2)}\nplain: visible\n`);
  write('vars/secrets.yml', vault('vars_file_secret: from-vars-file\nlist: [one-secret, 2]\n', pw));
  write('files/key.pem', vault('-----PRIVATE KEY-----\n', pw));
  write('templates/conf.j2', vault('password={{ db_password }}\n', pw));
  const playbook = write(
    'site.yml',
    [
      '- hosts: all',
      '  vars_files: [vars/secrets.yml]',
      '  tasks:',
      '    - copy: { src: key.pem, dest: /etc/key.pem }',
      '    - template: { src: conf.j2, dest: /etc/conf }',
      '',
    ].join('\n'),
  );
  const inlinePlaybook = write('inline.yml', `- hosts: all\n  vars:\n    inline: ${indent(vaultYamlScalar(vault('inline-secret', pw)), 4)}\n  tasks: []\n`);
  const run = (file = playbook) => prepareRun({ playbook: file, inventory: join(dir, 'inventory'), registry: testRegistry() });

  it('with the right password: vars files, group_vars, host_vars and !vault values load as secrets', () => {
    useVaultKeyring(new VaultKeyring([secret('default', pw)]));
    const r = run();
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    const play = r.playbook.plays[0];
    expect(run(inlinePlaybook).playbook.plays[0].vars.inline).toEqual(new SecretString('inline-secret'));
    expect(play.varsFiles[0].vars).toEqual({ vars_file_secret: new SecretString('from-vars-file'), list: [new SecretString('one-secret'), 2] });
    expect(r.inventory.groups.get('all')!.vars).toEqual({ db_password: new SecretString('group-secret-1'), db_port: 5432 });
    const web1 = r.inventory.hosts.get('web1')!.vars;
    expect(isSecret(web1.api_token)).toBe(true);
    expect(String(web1.api_token)).toBe('token-abc-123');
    expect(web1.plain).toBe('visible');
  });

  it('with a wrong password: every vaulted file and value is an error naming it, before any host is touched', () => {
    useVaultKeyring(new VaultKeyring([secret('default', 'not-it')]));
    const r = run();
    expect(r.ok).toBe(false);
    const messages = [...r.diagnostics, ...run(inlinePlaybook).diagnostics].map(formatDiagnostic).map((l) => l.split(`${dir}/`).join(''));
    const expected = [
      /^inventory\/group_vars\/all\.yml:1:1: error: inventory\/group_vars\/all\.yml: decryption failed: no vault password given opens it/,
      /^inventory\/host_vars\/web1\.yml:1:12: error: !vault value: decryption failed/,
      /^inline\.yml:3:13: error: !vault value: decryption failed/,
      /^vars\/secrets\.yml:1:1: error: vars\/secrets\.yml: decryption failed/,
      /^site\.yml:4:\d+: error: files\/key\.pem: decryption failed/,
      /^site\.yml:5:\d+: error: templates\/conf\.j2: decryption failed/,
    ];
    for (const pattern of expected) expect(messages.some((m) => pattern.test(m)), `${pattern} in\n${messages.join('\n')}`).toBe(true);
    expect(messages.join('\n')).not.toContain('not-it');
  });

  it('readVarsFile (the include_vars entry point) and -e @file decrypt too', () => {
    useVaultKeyring(new VaultKeyring([secret('default', pw)]));
    const diagnostics: never[] = [];
    expect(readVarsFile(join(dir, 'vars/secrets.yml'), diagnostics).vars_file_secret).toEqual(new SecretString('from-vars-file'));
    expect(parseExtraVars([`@${join(dir, 'vars/secrets.yml')}`]).vars_file_secret).toEqual(new SecretString('from-vars-file'));
  });

  it('controller files: decrypted, marked secret; diffs of them hidden', async () => {
    useVaultKeyring(new VaultKeyring([secret('default', pw)]));
    const marked: string[] = [];
    const opened = await readControllerFile(join(dir, 'files/key.pem'), { markSecret: (v) => marked.push(v) });
    expect(opened).toEqual({ content: Buffer.from('-----PRIVATE KEY-----\n'), vaulted: true });
    expect(marked).toEqual(['-----PRIVATE KEY-----\n']);
    const plain = await readControllerFile(playbook, { markSecret: (v) => marked.push(v) });
    expect(plain.vaulted).toBe(false);
    expect(marked).toHaveLength(1);
    const hidden = hideVaultedDiff({ changed: true, diff: [{ before: 'old-secret', after: 'new-secret' }] });
    expect(JSON.stringify(hidden)).not.toMatch(/old-secret|new-secret/);
    expect(hidden.diff![0].before).toBe(VAULTED_DIFF_NOTE);
  });
});

describe('a vault-encrypted inventory file', () => {
  const ini = write('vaulted-inventory/hosts', encryptVault(Buffer.from('[web]\nweb9 ansible_host=198.18.12.99\n'), Buffer.from('inv-pass'), { salt }));

  it('is read as its plaintext with the right password, and refused naming the file without it', async () => {
    const { readInventory } = await import('../../../src/inventory/load.js');
    useVaultKeyring(new VaultKeyring([secret('default', 'inv-pass')]));
    const ok = readInventory([ini]);
    expect(ok.diagnostics).toEqual([]);
    expect(ok.inventory.hosts.get('web9')?.vars.ansible_host).toBe('198.18.12.99');
    useVaultKeyring(new VaultKeyring([secret('default', 'nope')]));
    const bad = readInventory([ini]);
    expect(bad.diagnostics.map(formatDiagnostic).join('\n')).toMatch(/vaulted-inventory\/hosts: decryption failed: no vault password given opens it/);
  });
});
