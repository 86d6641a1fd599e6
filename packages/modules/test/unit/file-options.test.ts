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
    // As Ansible: the path stays a link (state is what is at path, add_path_info), its target changed.
    expect(r1).toMatchObject({ changed: true, state: 'link', dest: '/etc/app/app.conf', src: '/etc/app/real.conf' });
    expect(host.files.get('/etc/app/real.conf')).toMatchObject({ mode: 0o600 });
    expect(await runModule(fileModule, { path: '/etc/app/app.conf', mode: '0600' }, fakeContext(host))).toMatchObject({ changed: false });
  });

  it('follow: no with state=file on a symlink fails, naming it; state=link still manages the link', async () => {
    const host = hostWithLink();
    expect(await runModule(fileModule, { path: '/etc/app/app.conf', state: 'file', follow: false }, fakeContext(host))).toMatchObject({
      failed: true,
      msg: 'file (/etc/app/app.conf) is link, cannot continue',
      state: 'link',
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

describe('file: as Ansible\'s file module decides', () => {
  it.each([
    [{}, 'absent', 'file'],
    [{}, 'directory', 'directory'],
    [{}, 'link', 'link'],
    [{ recurse: true }, 'absent', 'directory'],
    [{ state: 'touch' }, 'file', 'touch'],
    [{ recurse: true, state: 'file' }, 'file', "recurse option requires state to be 'directory'"],
    [{ src: '/x' }, 'absent', "src option requires state to be 'link' or 'hard'"],
    [{ src: '/x', state: 'hard' }, 'absent', 'hard'],
  ])('args %j on %s: %s', async (args, prev, want) => {
    const { fileStateOf } = await import('../../src/modules/file.js');
    const got = fileStateOf(args as never, prev as never);
    expect('state' in got ? got.state : got.error).toBe(want);
  });

  it.each([
    ['/d/link', 'target', false, '/d/target'],
    ['/d/link', '../t', false, '/t'],
    ['/d/link', '/abs', false, '/abs'],
    ['/d/dir', 'x', true, '/d/dir/x'],
  ])('a link at %s to %s is looked for at %s', async (path, src, isDir, want) => {
    const { linkSourcePath } = await import('../../src/modules/file.js');
    expect(linkSourcePath(path, src, isDir)).toBe(want);
  });

  it('a link to a missing src fails without force; with force it is made; relative src is relative to the link; the diff is a dict', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/d');
    host.put('/d/foo.txt', 'x\n');
    expect(await runModule(fileModule, { src: '/nonexistent', dest: '/d/soft2', state: 'link' }, fakeContext(host))).toMatchObject({
      failed: true,
      msg: 'src file does not exist, use "force=yes" if you really want to create the link: /nonexistent',
    });
    expect(await runModule(fileModule, { src: '/nonexistent', dest: '/d/soft2', state: 'link', force: true }, fakeContext(host))).toMatchObject({ changed: true, dest: '/d/soft2', src: '/nonexistent' });
    expect(await runModule(fileModule, { src: '/nonexistent', dest: '/d/soft2', state: 'link', force: true }, fakeContext(host))).toMatchObject({ changed: false });
    const first = await runModule(fileModule, { src: '/d/foo.txt', dest: '/d/soft', state: 'link' }, fakeContext(host));
    expect(first).toMatchObject({ changed: true, state: 'link', ansibleDiff: { before: { path: '/d/soft', state: 'absent' }, after: { path: '/d/soft', state: 'link' } } });
    const relative = await runModule(fileModule, { src: 'foo.txt', dest: '/d/soft', state: 'link' }, fakeContext(host));
    expect(relative).toMatchObject({ changed: true, ansibleDiff: { before: { src: '/d/foo.txt' }, after: { src: 'foo.txt' } } });
    expect(host.files.get('/d/soft')).toMatchObject({ type: 'link', target: 'foo.txt' });
  });

  it('refuses to turn a file or a directory into a link without force, as Ansible words it', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/f', 'x\n');
    host.mkdir('/dir');
    host.put('/dir/inside', 'x\n');
    expect(await runModule(fileModule, { src: '/f', dest: '/dir', state: 'link' }, fakeContext(host))).toMatchObject({ failed: true, msg: 'refusing to convert from directory to symlink for /dir' });
    expect(await runModule(fileModule, { src: '/f', dest: '/dir', state: 'link', force: true }, fakeContext(host))).toMatchObject({ failed: true, msg: 'the directory /dir is not empty, refusing to convert it' });
    host.put('/g', 'y\n');
    expect(await runModule(fileModule, { src: '/f', dest: '/g', state: 'link' }, fakeContext(host))).toMatchObject({ failed: true, msg: 'refusing to convert from file to symlink for /g' });
  });

  it('reports what is at the path (add_path_info), a missing file as Ansible, and _diff_peek', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/etc/x', 'x\n', 0o600, 'daemon', 'adm');
    host.put('/etc/bin', Buffer.from([1, 0, 2]));
    expect(await runModule(fileModule, { path: '/etc/x', state: 'file' }, fakeContext(host))).toMatchObject({ changed: false, path: '/etc/x', state: 'file', mode: '0600', owner: 'daemon', group: 'adm', size: 2 });
    expect(await runModule(fileModule, { path: '/ghost' }, fakeContext(host))).toMatchObject({ failed: true, msg: 'file (/ghost) is absent, cannot continue', state: 'absent' });
    expect(await runModule(fileModule, { path: '/etc/x', state: 'touch' }, fakeContext(host))).toMatchObject({ changed: true, dest: '/etc/x', state: 'file' });
    expect(await runModule(fileModule, { path: '/etc/x', state: 'absent' }, fakeContext(host))).toMatchObject({ changed: true, path: '/etc/x', state: 'absent' });
    expect(await runModule(fileModule, { path: '/etc/bin', _diff_peek: true }, fakeContext(host))).toEqual(expect.objectContaining({ changed: false, appears_binary: true }));
    expect(await runModule(fileModule, { path: '/etc', state: 'directory', mode: '0755' }, fakeContext(host))).toMatchObject({ path: '/etc', state: 'directory' });
  });
});

describe('file: explicit timestamps (strptime directives)', () => {
  it.each([
    ['202202081414.00', '%Y%m%d%H%M.%S', '2022-02-08 14:14:00'],
    ['2022-02-08 01:02:03', '%Y-%m-%d %H:%M:%S', '2022-02-08 01:02:03'],
    ['99/12/31', '%y/%m/%d', '1999-12-31 00:00:00'],
    ['05/1/2', '%y/%m/%d', '2005-01-02 00:00:00'],
    ['10%', '%S%%', '1900-01-01 00:00:10'],
  ])('%s with %s', async (text, format, want) => {
    const { parseTimestamp } = await import('../../src/modules/file.js');
    expect(parseTimestamp(text, format)).toBe(want);
  });

  it.each([
    ['2022020814', '%Y%m%d%H%M.%S', /does not match format/],
    ['202202081414.00x', '%Y%m%d%H%M.%S', /unconverted data remains: x/],
    ['202213081414.00', '%Y%m%d%H%M.%S', /does not match format/],
    ['Tue', '%a', /directive %a is not supported/],
  ])('%s with %s is refused', async (text, format, message) => {
    const { parseTimestamp } = await import('../../src/modules/file.js');
    expect(() => parseTimestamp(text, format)).toThrow(message);
  });
});

describe('file: touch undoes a new file whose attributes fail', () => {
  it('runs under a real sh: the file is removed when chown fails, kept when all succeed', async () => {
    const { undoOnFailure } = await import('../../src/modules/file.js');
    const { execFileSync } = await import('node:child_process');
    const { existsSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/haweb-touch-`);
    const run = (argv: string[]) => {
      try {
        execFileSync(argv[0], argv.slice(1), { stdio: 'ignore' });
        return 0;
      } catch (e) {
        return (e as { status: number }).status;
      }
    };
    const bad = undoOnFailure([{ argv: ['touch', '--', `${dir}/a b`] }, { argv: ['chmod', '0600', '--', `${dir}/a b`] }, { argv: ['false'] }], `${dir}/a b`);
    expect(run(bad.argv)).toBe(1);
    expect(existsSync(`${dir}/a b`)).toBe(false);
    const good = undoOnFailure([{ argv: ['touch', '--', `${dir}/c'd`] }, { argv: ['chmod', '0600', '--', `${dir}/c'd`] }], `${dir}/c'd`);
    expect(run(good.argv)).toBe(0);
    expect(existsSync(`${dir}/c'd`)).toBe(true);
  });
});

describe('file: check mode warns of an owner or group the host lacks', () => {
  it.each([
    ['user', 'nonexistent', 'failed to look up user nonexistent. Create user up to this point in real play'],
    ['user', '111111', 'failed to look up user with uid 111111. Create user up to this point in real play'],
    ['group', 'nonexistent1', 'failed to look up group nonexistent1. Create group up to this point in real play'],
    ['group', '0111112', 'failed to look up group with gid 111112. Create group up to this point in real play'],
  ] as const)('%s %s', async (kind, name, want) => {
    const { ownerWarning } = await import('../../src/modules/file.js');
    expect(ownerWarning(kind, name)).toBe(want);
  });
});
