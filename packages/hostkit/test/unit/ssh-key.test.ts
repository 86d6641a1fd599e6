/**
 * The user module's generate_ssh_key script, run for real by /bin/sh with the real ssh-keygen, in a
 * scratch folder: `getent` and `chown` are stand-ins on PATH (a made-up user whose home is the scratch
 * folder, ownership recorded instead of changed), so no account of this machine is read or touched.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AccountPlanError, parseSshKeyOutput, SSH_KEY_MARK, sshKeyScript, type SshKeyArgs } from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'haweb-sshkey-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const bin = join(root, 'bin');
mkdirSync(bin);
const home = join(root, 'home');
writeFileSync(join(bin, 'getent'), `#!/bin/sh\n[ "$2" = deploy ] && echo "deploy:x:1001:1002::${home}:/bin/sh"\n`);
writeFileSync(join(bin, 'chown'), `#!/bin/sh\necho "$@" >> ${join(root, 'chowned')}\n`);
chmodSync(join(bin, 'getent'), 0o755);
chmodSync(join(bin, 'chown'), 0o755);

function run(a: Partial<SshKeyArgs>, check = false) {
  const script = sshKeyScript({ user: 'deploy', type: 'ed25519', bits: 0, force: false, ...a }, check);
  return spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, HOSTNAME: 'x' } });
}

describe('generate_ssh_key, as Ansible\'s user module does it', () => {
  it('refuses while the home is missing (a relative key file lives there)', () => {
    const r = run({});
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('User deploy home directory does not exist');
  });

  it('check mode: would create; then creates .ssh (0700) and the key, owned by the user; then leaves it', () => {
    mkdirSync(home);
    expect(parseSshKeyOutput(run({}, true).stdout)).toMatchObject({ state: 'would-create', file: `${home}/.ssh/id_ed25519` });
    expect(existsSync(join(home, '.ssh'))).toBe(false);
    const first = run({ comment: 'deploy@web' });
    expect(first.status).toBe(0);
    const made = parseSshKeyOutput(first.stdout);
    expect(made.state).toBe('created');
    expect(statSync(join(home, '.ssh')).mode & 0o777).toBe(0o700);
    expect(made.publicKey).toBe(readFileSync(join(home, '.ssh/id_ed25519.pub'), 'utf8').trim());
    expect(made.publicKey).toMatch(/^ssh-ed25519 \S+ deploy@web$/);
    expect(made.fingerprint).toMatch(/^256 SHA256:\S+ deploy@web \(ED25519\)$/);
    expect(readFileSync(join(root, 'chowned'), 'utf8')).toContain(`1001:1002 ${home}/.ssh/id_ed25519 ${home}/.ssh/id_ed25519.pub`);
    const again = parseSshKeyOutput(run({ comment: 'other' }).stdout);
    expect(again).toEqual({ ...made, state: 'exists', warnings: [`Found existing ssh key private file "${home}/.ssh/id_ed25519", no force, so skipping ssh-keygen generation`] });
    expect(parseSshKeyOutput(run({}, true).stdout).state).toBe('exists');
  });

  it('force makes a new key; an absolute file and bits are used as given; the passphrase protects it', () => {
    const before = readFileSync(join(home, '.ssh/id_ed25519.pub'), 'utf8');
    expect(parseSshKeyOutput(run({ force: true }).stdout)).toMatchObject({
      state: 'created',
      warnings: [`Overwriting existing ssh key private file "${home}/.ssh/id_ed25519"`, `Overwriting existing ssh key public file "${home}/.ssh/id_ed25519.pub"`],
    });
    expect(readFileSync(join(home, '.ssh/id_ed25519.pub'), 'utf8')).not.toBe(before);
    const file = join(root, 'keys/rsa_key');
    const rsa = parseSshKeyOutput(run({ file, type: 'rsa', bits: 1024, passphrase: "it's secret" }).stdout);
    expect(rsa).toMatchObject({ state: 'created', file });
    expect(rsa.fingerprint).toMatch(/^1024 SHA256:/);
    // A wrong passphrase cannot open it; the right one can.
    expect(spawnSync('ssh-keygen', ['-y', '-P', 'wrong', '-f', file]).status).not.toBe(0);
    expect(execFileSync('ssh-keygen', ['-y', '-P', "it's secret", '-f', file], { encoding: 'utf8' })).toMatch(/^ssh-rsa /);
  });

  it('a public key alone also keeps the key (Ansible 2.14.18)', () => {
    const file = join(root, 'keys/pub_only');
    writeFileSync(`${file}.pub`, 'ssh-ed25519 AAAA x\n');
    expect(parseSshKeyOutput(run({ file }).stdout)).toMatchObject({ state: 'exists', warnings: [`Found existing ssh key public file "${file}.pub", no force, so skipping ssh-keygen generation`] });
  });

  it('the default comment names the host, as Ansible\'s', () => {
    const r = parseSshKeyOutput(run({ file: join(root, 'keys/default_comment') }).stdout);
    expect(r.publicKey).toMatch(/ ansible-generated on \S+$/);
  });

  it.each([
    ['no marked lines', 'Generating public/private rsa key pair.\n'],
    ['an unknown state', `${SSH_KEY_MARK}file /x\n${SSH_KEY_MARK}state odd\n`],
  ])('the parser refuses %s', (_what, out) => {
    expect(() => parseSshKeyOutput(out)).toThrow(AccountPlanError);
  });
});
