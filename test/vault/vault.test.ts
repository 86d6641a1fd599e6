/**
 * Ansible Vault against the real thing: Debian's ansible-vault (ansible-core 2.14) opens what
 * `provision vault` writes and the other way round, and a playbook whose variables, vars file, copy
 * source and template are vaulted (some by ansible-vault, some by provision) converges lab hosts with
 * the same files ansible-playbook writes. A wrong password stops the run before any host is touched.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/vault
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/cli/bin/provision.js');
const LAB_CLI = join(ROOT, 'packages/lab/dist/cli.js');
const DEST = '/srv/haweb-vault-test';
const SECRETS = ['db-password-from-ansible', 'api-key-from-provision', 'inline-token-from-ansible', 'secret file body', 'template-secret-from-provision'];

let dir: string;
let labName: string;
let inventory: string;
let hosts: string[];

function provision(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', input, timeout: 180_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Debian's ansible-vault (or another ansible tool), with an empty config file and no colour. */
function ansible(tool: string, args: string[], input?: string) {
  const r = spawnSync(tool, args, {
    cwd: dir,
    encoding: 'utf8',
    input,
    timeout: 180_000,
    env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: join(dir, 'ansible.cfg'), ANSIBLE_HOST_KEY_CHECKING: 'True', ANSIBLE_LOCAL_TEMP: join(dir, '.ansible-tmp') },
  });
  if (r.error) throw new Error(`${tool} could not run (is Ansible installed? scripts/setup.sh installs it): ${r.error.message}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function onHost(host: string, script: string): string {
  return execFileSync(process.execPath, [LAB_CLI, 'exec', '--name', labName, host, '--', 'sh', '-c', script], { encoding: 'utf8' });
}

function write(rel: string, text: string, mode = 0o644): string {
  const path = join(dir, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

const read = (rel: string) => readFileSync(join(dir, rel), 'utf8');

beforeAll(() => {
  labName = inject('labName');
  const labDir = `/var/lib/haweb/lab/${labName}`;
  inventory = join(labDir, 'inventory.yml');
  hosts = (JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8')) as { hosts: { name: string }[] }).hosts.map((h) => h.name);
  dir = mkdtempSync(join(tmpdir(), 'haweb-vault-it-'));
  // An empty configuration: no user or system ansible.cfg changes what is compared.
  write('ansible.cfg', '[defaults]\n');
  write('pw-a', 'first vault password\n', 0o600);
  write('pw-b', 'second-vault-password\n', 0o600);
  write('pw-script', '#!/bin/sh\necho "second-vault-password"\n', 0o700);
  write('wrong', 'not the password\n', 0o600);
  for (const h of hosts) onHost(h, `rm -rf ${DEST} ${DEST}-ansible`);
});

afterAll(() => {
  for (const h of hosts ?? []) onHost(h, `rm -rf ${DEST} ${DEST}-ansible`);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('files: provision vault and ansible-vault open each other\'s', () => {
  it.each([
    ['format 1.1', ['--vault-password-file', 'pw-a'], '$ANSIBLE_VAULT;1.1;AES256'],
    ['format 1.2 with a vault id', ['--vault-id', 'prod@pw-b'], '$ANSIBLE_VAULT;1.2;AES256;prod'],
    ['a password script', ['--vault-id', 'prod@pw-script'], '$ANSIBLE_VAULT;1.2;AES256;prod'],
  ])('ansible-vault encrypts, provision views and decrypts: %s', (_name, pwArgs, header) => {
    const plaintext = `key: value\nunicode: "grüße"\n${'long line '.repeat(30)}\n`;
    write('from-ansible.yml', plaintext);
    expect(ansible('ansible-vault', ['encrypt', 'from-ansible.yml', ...pwArgs]).code).toBe(0);
    expect(read('from-ansible.yml').split('\n')[0]).toBe(header);
    const view = provision(['vault', 'view', 'from-ansible.yml', ...pwArgs]);
    expect([view.code, view.stdout]).toEqual([0, plaintext]);
    const dec = provision(['vault', 'decrypt', 'from-ansible.yml', ...pwArgs]);
    expect(dec.code, dec.stderr).toBe(0);
    expect(read('from-ansible.yml')).toBe(plaintext);
  });

  it.each([
    ['format 1.1', ['--vault-password-file', 'pw-a'], '$ANSIBLE_VAULT;1.1;AES256'],
    ['format 1.2 with a vault id', ['--vault-id', 'prod@pw-b'], '$ANSIBLE_VAULT;1.2;AES256;prod'],
  ])('provision encrypts, ansible-vault views and decrypts: %s', (_name, pwArgs, header) => {
    const plaintext = Buffer.concat([Buffer.from('binary:\n'), Buffer.from([...Array(256).keys()])]);
    writeFileSync(join(dir, 'from-provision.bin'), plaintext);
    const enc = provision(['vault', 'encrypt', 'from-provision.bin', ...pwArgs]);
    expect(enc.code, enc.stderr).toBe(0);
    expect(read('from-provision.bin').split('\n')[0]).toBe(header);
    expect(ansible('ansible-vault', ['decrypt', 'from-provision.bin', ...pwArgs]).code).toBe(0);
    expect(readFileSync(join(dir, 'from-provision.bin'))).toEqual(plaintext);
  });

  it('a file ansible-vault rekeyed opens with provision, and provision\'s rekey opens with ansible-vault', () => {
    write('rekey.yml', 'x: 1\n');
    expect(ansible('ansible-vault', ['encrypt', 'rekey.yml', '--vault-password-file', 'pw-a']).code).toBe(0);
    expect(ansible('ansible-vault', ['rekey', 'rekey.yml', '--vault-password-file', 'pw-a', '--new-vault-id', 'next@pw-b']).code).toBe(0);
    expect(provision(['vault', 'view', 'rekey.yml', '--vault-id', 'next@pw-b']).stdout).toBe('x: 1\n');
    expect(provision(['vault', 'rekey', 'rekey.yml', '--vault-id', 'next@pw-b', '--new-vault-password-file', 'pw-a']).code).toBe(0);
    expect(ansible('ansible-vault', ['view', 'rekey.yml', '--vault-password-file', 'pw-a']).stdout).toBe('x: 1\n');
  });

  it('a wrong password: both refuse, provision names the file and leaves it as it was', () => {
    write('locked.yml', 'x: 1\n');
    expect(provision(['vault', 'encrypt', 'locked.yml', '--vault-password-file', 'pw-a']).code).toBe(0);
    const before = read('locked.yml');
    expect(ansible('ansible-vault', ['view', 'locked.yml', '--vault-password-file', 'wrong']).code).not.toBe(0);
    const r = provision(['vault', 'decrypt', 'locked.yml', '--vault-password-file', 'wrong']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('provision vault: locked.yml: decryption failed: no vault password given opens it (tried default (wrong))\n');
    expect(read('locked.yml')).toBe(before);
  });
});

describe('strings: encrypt_string both ways', () => {
  it('ansible-vault encrypt_string output loads in provision, provision encrypt_string output loads in Ansible', () => {
    const fromAnsible = ansible('ansible-vault', ['encrypt_string', '--vault-id', 'prod@pw-b', '--name', 'token', 'inline-token-from-ansible']);
    expect(fromAnsible.code, fromAnsible.stderr).toBe(0);
    const fromProvision = provision(['vault', 'encrypt_string', '--vault-id', 'prod@pw-b', '--name', 'other', 'string-from-provision']);
    expect(fromProvision.code, fromProvision.stderr).toBe(0);
    write('strings.yml', `${fromAnsible.stdout.trimEnd()}\n${fromProvision.stdout}`);
    // Ansible reads both values (implicit localhost: no SSH, nothing leaves this machine).
    const shown = ansible('ansible', ['localhost', '-m', 'debug', '-a', 'msg="{{ token }}|{{ other }}"', '-e', '@strings.yml', '--vault-id', 'prod@pw-b']);
    expect(shown.stdout, shown.stderr).toContain('"msg": "inline-token-from-ansible|string-from-provision"');
    // provision reads both, and never prints them.
    write('strings-play.yml', '- hosts: proxies\n  gather_facts: false\n  tasks:\n    - assert: { that: ["token == \'inline-token-from-ansible\'", "other == \'string-from-provision\'"] }\n');
    const run = provision(['run', 'strings-play.yml', '-i', inventory, '-e', '@strings.yml', '--vault-id', 'prod@pw-b', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).stats).toMatchObject(Object.fromEntries(hosts.map((h) => [h, { ok: 1, failed: 0 }])));
    expect(run.stdout).not.toMatch(/inline-token-from-ansible|string-from-provision/);
  });
});

describe('a vaulted playbook on lab hosts, beside ansible-playbook', () => {
  const playbook = () =>
    [
      '- hosts: proxies',
      '  gather_facts: false',
      '  vars_files: [vars/api.yml]',
      '  vars:',
      `    inline_token: ${ansible('ansible-vault', ['encrypt_string', '--vault-password-file', 'pw-a', 'inline-token-from-ansible']).stdout.trimEnd().replace(/\n/g, '\n    ')}`,
      '  tasks:',
      '    - file: { path: "{{ dest }}", state: directory, mode: "0755" }',
      '    - copy: { src: secret.txt, dest: "{{ dest }}/secret.txt", mode: "0600" }',
      '    - template: { src: app.conf.j2, dest: "{{ dest }}/app.conf", mode: "0640" }',
      '    - copy: { content: "{{ inline_token }} {{ api_key }} {{ db_password }}\\n", dest: "{{ dest }}/tokens", mode: "0600" }',
      '',
    ].join('\n');

  beforeAll(() => {
    write('play/group_vars/proxies.yml', 'db_password: db-password-from-ansible\napp_port: 8088\n');
    expect(ansible('ansible-vault', ['encrypt', 'play/group_vars/proxies.yml', '--vault-password-file', 'pw-a']).code).toBe(0);
    write('play/vars/api.yml', 'api_key: api-key-from-provision\n');
    expect(provision(['vault', 'encrypt', 'play/vars/api.yml', '--vault-password-file', 'pw-a']).code).toBe(0);
    write('play/files/secret.txt', 'secret file body\n');
    expect(ansible('ansible-vault', ['encrypt', 'play/files/secret.txt', '--vault-password-file', 'pw-a']).code).toBe(0);
    write('play/templates/app.conf.j2', 'listen {{ app_port }}\npassword {{ db_password }}\nextra template-secret-from-provision\n');
    expect(provision(['vault', 'encrypt', 'play/templates/app.conf.j2', '--vault-password-file', 'pw-a']).code).toBe(0);
    write('play/site.yml', playbook());
  });

  it('a wrong password fails before any host is touched, naming the vaulted file and value', () => {
    const r = provision(['run', 'play/site.yml', '-i', inventory, '-e', `dest=${DEST}`, '--vault-password-file', 'wrong']);
    expect(r.code).toBe(2);
    // The play itself does not load (its !vault value fails), so its vars_files are not reached.
    for (const place of ['play/group_vars/proxies.yml:1:1: error:', 'play/site.yml:5:19: error: !vault value: decryption failed']) expect(r.stderr).toContain(place);
    expect(r.stderr).toContain('decryption failed');
    expect(r.stdout).toBe('');
    for (const h of hosts) expect(onHost(h, `test -e ${DEST} && echo present || echo absent`).trim()).toBe('absent');
  });

  it('the right password converges every host; no secret in text, diff or JSON output', () => {
    const text = provision(['run', 'play/site.yml', '-i', inventory, '-e', `dest=${DEST}`, '--vault-password-file', 'pw-a', '--diff', '-vv']);
    expect(text.code, text.stderr + text.stdout).toBe(0);
    const json = provision(['run', 'play/site.yml', '-i', inventory, '-e', `dest=${DEST}-json`, '--vault-password-file', 'pw-a', '--diff', '--json']);
    expect(json.code, json.stderr).toBe(0);
    for (const secret of SECRETS) {
      expect(text.stdout + text.stderr).not.toContain(secret);
      expect(json.stdout + json.stderr).not.toContain(secret);
    }
    for (const h of hosts) {
      expect(onHost(h, `cat ${DEST}/secret.txt`)).toBe('secret file body\n');
      expect(onHost(h, `cat ${DEST}/app.conf`)).toBe('listen 8088\npassword db-password-from-ansible\nextra template-secret-from-provision\n');
      expect(onHost(h, `cat ${DEST}/tokens`)).toBe('inline-token-from-ansible api-key-from-provision db-password-from-ansible\n');
      onHost(h, `rm -rf ${DEST}-json`);
    }
    const again = provision(['run', 'play/site.yml', '-i', inventory, '-e', `dest=${DEST}`, '--vault-password-file', 'pw-a', '--json']);
    expect(Object.values(JSON.parse(again.stdout).stats as Record<string, { changed: number }>).every((s) => s.changed === 0)).toBe(true);
  });

  it('ansible-playbook, given the same files, writes the same contents and modes', () => {
    const r = ansible('ansible-playbook', ['-i', inventory, 'play/site.yml', '-e', `dest=${DEST}-ansible`, '--vault-password-file', 'pw-a']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of hosts) {
      const ours = onHost(h, `cd ${DEST} && for f in secret.txt app.conf tokens; do stat -c '%n %a %U' $f; md5sum $f; done`);
      const theirs = onHost(h, `cd ${DEST}-ansible && for f in secret.txt app.conf tokens; do stat -c '%n %a %U' $f; md5sum $f; done`);
      expect(ours).toBe(theirs);
    }
  });
});
