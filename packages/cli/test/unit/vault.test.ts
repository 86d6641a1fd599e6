import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { encryptVault, parseYaml, rootOf, SecretString, toJS, useVaultKeyring, VaultKeyring, vaultYamlScalar, type Connection, type ConnectionTarget, type Connector } from '@haweb/core';
import { main, type CliDeps } from '../../src/program.js';
import { composeRegistry } from '../../src/plugins.js';
import { isClientScript, loadKeyring, parseVaultIdSpec, passwordFromSource, vaultSpecs, withAnsibleEnvironment } from '../../src/vault/passwords.js';

vi.setConfig({ testTimeout: 60_000 });

const dir = mkdtempSync(join(tmpdir(), 'haweb-cli-vault-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string, mode?: number): string {
  const path = join(dir, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  if (mode !== undefined) chmodSync(path, mode);
  return path;
}

class Out {
  text = '';
  isTTY = false;
  write(s: string) {
    this.text += s;
    return true;
  }
}

class RecordingConnector implements Connector {
  targets: ConnectionTarget[] = [];
  async connect(target: ConnectionTarget): Promise<Connection> {
    this.targets.push(target);
    return {
      hostName: target.hostName,
      run: async () => ({ code: 0, stdout: '', stderr: '' }),
      writeFile: async () => {},
      putFile: async () => {},
      readFile: async () => undefined,
      close: async () => {},
    };
  }
}

async function cli(argv: string[], opts: { stdin?: string; prompt?: (q: string) => Promise<string> } = {}) {
  const stdout = new Out();
  const stderr = new Out();
  const connector = new RecordingConnector();
  const deps: CliDeps = {
    io: { stdout, stderr, cwd: dir, env: {} },
    connector: () => connector,
    registry: () => composeRegistry(['@haweb/modules']),
    labInventory: join(dir, 'no-lab.yml'),
    prompt: opts.prompt,
    readStdin: async () => Buffer.from(opts.stdin ?? ''),
  };
  const code = await main(argv, deps);
  return { code, out: stdout.text, err: stderr.text, connector };
}

write('pw', 'first-password\n');
write('pw2', '  second-password  \n');
write('pw-script', '#!/bin/sh\necho script-password\n', 0o755);
write('pw-client', '#!/bin/sh\n[ "$1" = --vault-id ] && echo "client-$2"\n', 0o755);
write('empty', '\n');

describe('vault password sources', () => {
  it.each([
    ['prod@secrets.txt', { id: 'prod', source: 'secrets.txt' }],
    ['secrets.txt', { id: 'default', source: 'secrets.txt' }],
    ['dev@prompt', { id: 'dev', source: 'prompt' }],
    ['a@b@c', { id: 'a', source: 'b@c' }],
  ])('--vault-id %s', (spec, expected) => {
    expect(parseVaultIdSpec(spec)).toEqual(expected);
  });

  it.each(['@file', 'label@', 'a;b@file'])('--vault-id %s is refused', (spec) => {
    expect(() => parseVaultIdSpec(spec)).toThrow(/--vault-id/);
  });

  it('orders sources as Ansible: --vault-id, then --vault-password-file, then --ask-vault-pass', () => {
    expect(vaultSpecs({ vaultPasswordFile: ['f'], vaultId: ['x@y'], askVaultPass: true })).toEqual([
      { id: 'x', source: 'y' },
      { id: 'default', source: 'f' },
      { id: 'default', source: 'prompt' },
    ]);
  });

  it('takes ANSIBLE_VAULT_IDENTITY_LIST and ANSIBLE_VAULT_PASSWORD_FILE where Ansible puts them', () => {
    const flags = withAnsibleEnvironment({ vaultId: ['c@z'], vaultPasswordFile: ['f'] }, { ANSIBLE_VAULT_IDENTITY_LIST: 'a@x, b@y', ANSIBLE_VAULT_PASSWORD_FILE: 'envfile' });
    expect(vaultSpecs(flags)).toEqual([
      { id: 'a', source: 'x' },
      { id: 'b', source: 'y' },
      { id: 'c', source: 'z' },
      { id: 'default', source: 'f' },
      { id: 'default', source: 'envfile' },
    ]);
    expect(vaultSpecs(withAnsibleEnvironment({}, {}))).toEqual([]);
  });

  it.each([
    ['pw', 'first-password'],
    ['pw2', 'second-password'],
    ['pw-script', 'script-password'],
  ])('%s gives the password stripped (a script when executable)', async (file, password) => {
    expect((await passwordFromSource({ id: 'default', source: file }, dir)).toString()).toBe(password);
  });

  it('a *-client script is asked for its vault id', async () => {
    expect(isClientScript('/x/pw-client.sh')).toBe(true);
    expect(isClientScript('/x/client')).toBe(false);
    expect((await passwordFromSource({ id: 'prod', source: 'pw-client' }, dir)).toString()).toBe('client-prod');
  });

  it.each([
    ['empty', 'the vault password file empty is empty'],
    ['missing', 'the vault password file missing was not found'],
  ])('%s: a clear error', async (file, message) => {
    await expect(passwordFromSource({ id: 'default', source: file }, dir)).rejects.toThrow(message);
  });

  it('a prompt without a terminal says what to use instead', async () => {
    await expect(loadKeyring({ askVaultPass: true }, { cwd: dir })).rejects.toThrow(
      'a vault password prompt needs a terminal, and there is none: give the password with --vault-password-file FILE or --vault-id LABEL@FILE',
    );
  });

  it('a prompt for encryption asks twice and refuses a mismatch', async () => {
    const answers = ['one', 'two'];
    const questions: string[] = [];
    const prompt = async (q: string) => (questions.push(q), answers.shift()!);
    await expect(loadKeyring({ vaultId: ['prod@prompt'] }, { cwd: dir, prompt, confirm: true })).rejects.toThrow('the passwords do not match');
    expect(questions).toEqual(['New vault password (prod): ', 'Confirm new vault password (prod): ']);
  });
});

describe('provision vault', () => {
  it('encrypt then view then decrypt, in place, keeping the mode; writes only whole files', async () => {
    const file = write('a.yml', 'token: abc-123\n', 0o640);
    const enc = await cli(['vault', 'encrypt', 'a.yml', '--vault-password-file', 'pw']);
    expect([enc.code, enc.err]).toEqual([0, 'Encryption successful\n']);
    expect(readFileSync(file, 'utf8')).toMatch(/^\$ANSIBLE_VAULT;1\.1;AES256\n([0-9a-f]{80}\n)+[0-9a-f]{1,80}\n$/);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    const view = await cli(['vault', 'view', 'a.yml', '--vault-password-file', 'pw']);
    expect(view.out).toBe('token: abc-123\n');
    const dec = await cli(['vault', 'decrypt', 'a.yml', '--vault-id', 'pw']);
    expect([dec.code, dec.err]).toEqual([0, 'Decryption successful\n']);
    expect(readFileSync(file, 'utf8')).toBe('token: abc-123\n');
  });

  it('a wrong password: exit 2, the file named, the file unchanged', async () => {
    const file = write('b.yml', 'k: v\n');
    await cli(['vault', 'encrypt', 'b.yml', '--vault-id', 'prod@pw']);
    const before = readFileSync(file, 'utf8');
    expect(before.split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;prod');
    const r = await cli(['vault', 'decrypt', 'b.yml', '--vault-password-file', 'pw2']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('provision vault: b.yml (vault id prod): decryption failed: no vault password given opens it (tried default (pw2))\n');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('refuses to encrypt twice, to decrypt plaintext, and to guess among several vault ids', async () => {
    write('c.yml', 'x: 1\n');
    await cli(['vault', 'encrypt', 'c.yml', '--vault-password-file', 'pw']);
    expect((await cli(['vault', 'encrypt', 'c.yml', '--vault-password-file', 'pw'])).err).toBe('provision vault: c.yml is already encrypted\n');
    write('d.yml', 'x: 1\n');
    expect((await cli(['vault', 'decrypt', 'd.yml', '--vault-password-file', 'pw'])).err).toBe('provision vault: d.yml is not a vault encrypted file\n');
    const several = await cli(['vault', 'encrypt', 'd.yml', '--vault-id', 'a@pw', '--vault-id', 'b@pw2']);
    expect(several.err).toBe('provision vault: the vault ids a, b can all encrypt: choose one with --encrypt-vault-id\n');
    const chosen = await cli(['vault', 'encrypt', 'd.yml', '--vault-id', 'a@pw', '--vault-id', 'b@pw2', '--encrypt-vault-id', 'b']);
    expect(chosen.code).toBe(0);
    expect(readFileSync(join(dir, 'd.yml'), 'utf8').split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;b');
  });

  it('stdin to stdout, and --output', async () => {
    const enc = await cli(['vault', 'encrypt', '--vault-password-file', 'pw'], { stdin: 'from stdin\n' });
    expect(enc.out.startsWith('$ANSIBLE_VAULT;1.1;AES256\n')).toBe(true);
    write('e.vault', enc.out);
    const dec = await cli(['vault', 'decrypt', 'e.vault', '--output', 'e.txt', '--vault-password-file', 'pw']);
    expect(dec.code).toBe(0);
    expect(readFileSync(join(dir, 'e.txt'), 'utf8')).toBe('from stdin\n');
    expect(statSync(join(dir, 'e.txt')).mode & 0o777).toBe(0o600);
  });

  it('encrypt_string prints !vault YAML that the loaders read back as a secret', async () => {
    const r = await cli(['vault', 'encrypt_string', 's3cr3t-value', '--name', 'db_password', '--vault-password-file', 'pw']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^db_password: !vault \|\n {10}\$ANSIBLE_VAULT;1\.1;AES256\n( {10}[0-9a-f]{1,80}\n)+$/);
    useVaultKeyring(new VaultKeyring([{ id: 'default', password: Buffer.from('first-password'), source: 'test' }]));
    const src = parseYaml('x.yml', r.out);
    useVaultKeyring(new VaultKeyring());
    expect(toJS(src, rootOf(src))).toEqual({ db_password: new SecretString('s3cr3t-value') });
  });

  it('rekey: every file opens with the new password only; a wrong old password changes none', async () => {
    write('f1.yml', 'a: 1\n');
    write('f2.yml', 'b: 2\n');
    await cli(['vault', 'encrypt', 'f1.yml', 'f2.yml', '--vault-password-file', 'pw']);
    const f2 = readFileSync(join(dir, 'f2.yml'), 'utf8');
    const bad = await cli(['vault', 'rekey', 'f1.yml', 'f2.yml', '--vault-password-file', 'pw2', '--new-vault-password-file', 'pw']);
    expect(bad.code).toBe(2);
    expect(readFileSync(join(dir, 'f2.yml'), 'utf8')).toBe(f2);
    const ok = await cli(['vault', 'rekey', 'f1.yml', 'f2.yml', '--vault-password-file', 'pw', '--new-vault-id', 'next@pw2']);
    expect([ok.code, ok.err]).toEqual([0, 'Rekey successful\n']);
    expect((await cli(['vault', 'view', 'f2.yml', '--vault-password-file', 'pw2'])).out).toBe('b: 2\n');
    expect((await cli(['vault', 'view', 'f2.yml', '--vault-password-file', 'pw'])).code).toBe(2);
  });
});

describe('provision run with vaulted variables', () => {
  const salt = Buffer.from('0'.repeat(32));
  write('play/inventory.yml', 'all:\n  hosts:\n    web1: { ansible_host: 198.18.12.9 }\n');
  write('play/group_vars/all.yml', encryptVault(Buffer.from('db_password: vaulted-db-password\n'), Buffer.from('first-password'), { salt }));
  write(
    'play/site.yml',
    [
      '- hosts: all',
      '  gather_facts: false',
      '  vars:',
      `    api_key: ${vaultYamlScalar(encryptVault(Buffer.from('vaulted-api-key'), Buffer.from('first-password'), { salt })).replace(/\n/g, '\n    ')}`,
      '  tasks:',
      '    - debug: { msg: "db={{ db_password }} api={{ api_key }}" }',
      '',
    ].join('\n'),
  );

  it('without a password: exit 2 naming the file, and no host is contacted', async () => {
    const r = await cli(['run', 'play/site.yml']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('play/group_vars/all.yml is encrypted with Ansible Vault: give its password with --vault-password-file, --vault-id or --ask-vault-pass');
    expect(r.connector.targets).toEqual([]);
  });

  it('a wrong password: exit 2 naming each vaulted place, no host contacted, no password printed', async () => {
    const r = await cli(['run', 'play/site.yml', '--vault-password-file', 'pw2']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/play\/group_vars\/all\.yml:1:1: error: .*group_vars\/all\.yml: decryption failed/);
    expect(r.err).toMatch(/play\/site\.yml:4:14: error: !vault value: decryption failed/);
    expect(r.err).not.toContain('second-password');
    expect(r.connector.targets).toEqual([]);
  });

  it('the right password: values used, masked in text and JSON output', async () => {
    const text = await cli(['run', 'play/site.yml', '--vault-password-file', 'pw', '-v']);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toContain('db=******** api=********');
    const json = await cli(['run', 'play/site.yml', '--vault-id', 'pw', '--json']);
    expect(json.code).toBe(0);
    expect(json.out).not.toMatch(/vaulted-db-password|vaulted-api-key/);
    expect(json.out).toContain('db=******** api=********');
  });
});

describe('vaulted values outside play vars and vars files', () => {
  const salt = Buffer.from('1'.repeat(32));
  const enc = (text: string) => encryptVault(Buffer.from(text), Buffer.from('first-password'), { salt });
  write('roles-play/inventory.yml', 'all:\n  hosts:\n    web1: { ansible_host: 198.18.12.9 }\n');
  write('roles-play/roles/app/vars/main.yml', enc('role_secret: vaulted-role-var\n'));
  write('roles-play/roles/app/tasks/main.yml', '- debug: { msg: "role={{ role_secret }}" }\n');
  write(
    'roles-play/site.yml',
    [
      '- hosts: all',
      '  gather_facts: false',
      '  roles: [app]',
      '  tasks:',
      '    - debug: { msg: "task={{ task_secret }}" }',
      '      vars:',
      `        task_secret: ${vaultYamlScalar(enc('vaulted-task-var')).replace(/\n/g, '\n        ')}`,
      '',
    ].join('\n'),
  );

  it('a vaulted role vars file and a !vault task var are masked too', async () => {
    const r = await cli(['run', 'roles-play/site.yml', '--vault-password-file', 'pw', '-v']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('role=********');
    expect(r.out).toContain('task=********');
    expect(r.out).not.toMatch(/vaulted-role-var|vaulted-task-var/);
  });
});

describe('provision --version', () => {
  it('prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await cli(['--version']);
    expect([r.code, r.out]).toEqual([0, `${pkg.version}\n`]);
  });
});
