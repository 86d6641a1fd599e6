/** file's follow and attributes (chattr), as Ansible reads them. */
import { describe, expect, it } from 'vitest';
import { fileModule } from '../../src/index.js';
import { parseLsattr, planAttributesFlags } from '../../src/facts/attributes.js';
import { FakeHost, REAL_FOLDERS, fsContext as fakeContext, runModule } from '@haweb/hostkit/testing';

describe('attributes', () => {
  it.each([
    ['--------------e------- /etc/x\n', 'e'],
    ['----i---------e------- /etc/x', 'ei'],
    ['---------------------- /etc/x', ''],
  ])('lsattr %j -> %j', (out, flags) => expect(parseLsattr(out, 0, '/etc/x')).toBe(flags));
  it('a filesystem without attributes is an error naming the path', () => {
    expect(() => parseLsattr('lsattr: Operation not supported While reading flags on /x', 1, '/x')).toThrow(/cannot read the attributes of \/x: lsattr: Operation not supported/);
  });
  it.each([
    ['e', '+i', ['chattr +i -- /x'], 'ei'],
    ['ei', '+i', [], 'ei'],
    ['ei', '-i', ['chattr -i -- /x'], 'e'],
    ['e', '-i', [], 'e'],
    ['e', 'i', ['chattr =i -- /x'], 'ei'],
    ['ei', 'i', [], 'ei'],
    ['aei', '=i', ['chattr =i -- /x'], 'ei'],
    ['e', '', [], 'e'],
  ])('have %j, want %j', (have, want, commands, after) => {
    const plan = planAttributesFlags('/x', have, want);
    expect(plan.commands.map((c) => c.argv.join(' '))).toEqual(commands);
    expect(plan.after).toBe(after);
  });
});

function hostWithLink() {
  const host = new FakeHost('fake-host', REAL_FOLDERS);
  host.mkdir('/etc/app');
  host.put('/etc/app/real.conf', 'x\n', 0o644);
  host.files.set('/etc/app/app.conf', { type: 'link', target: '/etc/app/real.conf', mode: 0o777, owner: 'root', group: 'root', mtime: 0 });
  return host;
}

describe('file: follow', () => {
  it('follows a symlink by default: the target\'s mode is compared and changed, once', async () => {
    const host = hostWithLink();
    const r1 = await runModule(fileModule, { path: '/etc/app/app.conf', mode: '0600' }, fakeContext(host));
    expect(r1).toMatchObject({ changed: true, state: 'file' });
    expect(host.files.get('/etc/app/real.conf')).toMatchObject({ mode: 0o600 });
    expect(await runModule(fileModule, { path: '/etc/app/app.conf', mode: '0600' }, fakeContext(host))).toMatchObject({ changed: false });
  });

  it('follow: no with state=file on a symlink fails, naming it; state=link still manages the link', async () => {
    const host = hostWithLink();
    expect(await runModule(fileModule, { path: '/etc/app/app.conf', state: 'file', follow: false }, fakeContext(host))).toMatchObject({
      failed: true,
      msg: '/etc/app/app.conf is a symlink and follow is off: state=file does not apply to it',
    });
    expect(await runModule(fileModule, { dest: '/etc/app/app.conf', state: 'link', src: '/etc/app/real.conf', follow: false }, fakeContext(host))).toMatchObject({ changed: false });
  });
});

describe('file: attributes', () => {
  it('sets the flags with chattr only when lsattr shows them missing', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/etc/resolv.conf', 'x\n');
    let flags = '--------------e-------';
    host.respond((c, text) => {
      if (text.startsWith('lsattr -d')) return { code: 0, stdout: `${flags} /etc/resolv.conf\n`, stderr: '' };
      if (text === 'chattr +i -- /etc/resolv.conf') {
        flags = '----i---------e-------';
        return { code: 0, stdout: '', stderr: '' };
      }
      return undefined;
    });
    const r1 = await runModule(fileModule, { path: '/etc/resolv.conf', attr: '+i' }, fakeContext(host));
    expect(r1).toMatchObject({ changed: true, msg: 'attributes e -> ei' });
    expect(host.ran()).toContain('chattr +i -- /etc/resolv.conf');
    expect(await runModule(fileModule, { path: '/etc/resolv.conf', attributes: '+i' }, fakeContext(host))).toMatchObject({ changed: false });
  });
});

describe('stat: checksum_algorithm', () => {
  it.each(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const)('%s: the fact\'s command, run by sh, gives the digest', async (algo) => {
    const { fileInfo } = await import('../../src/facts/files.js');
    const { createHash } = await import('node:crypto');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    const { tmpdir } = await import('node:os');
    const path = `${mkdtempSync(`${tmpdir()}/haweb-sum-`)}/f`;
    writeFileSync(path, 'checksum me\n');
    const r = spawnSync('sh', ['-c', fileInfo.command({ path, checksum: algo })], { encoding: 'utf8' });
    expect(fileInfo.parse(r.stdout, r.status ?? 1, { path, checksum: algo })?.checksum).toBe(createHash(algo).update('checksum me\n').digest('hex'));
  });
});
