import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockinfileModule, copyModule, fileModule, lineinfileModule, statModule, templateModule } from '../../src/index.js';
import { FakeHost, REAL_FOLDERS, fsContext as fakeContext, runModule } from '@haweb/hostkit/testing';

const localDir = mkdtempSync(join(tmpdir(), 'haweb-mod-'));
writeFileSync(join(localDir, 'index.html'), '<h1>edu</h1>\n');
writeFileSync(join(localDir, 'site.conf.j2'), 'server_name {{ server_name }};\nlisten {{ port | default(80) }};\n');
writeFileSync(join(localDir, 'broken.j2'), 'x {{ undefined_var_xyz }}\n');

/** First run changes, second does not, check mode changes nothing: the contract of every module. */
async function idempotent(module: Parameters<typeof runModule>[0], args: unknown, host: FakeHost, vars: Record<string, unknown> = {}) {
  const before = host.snapshot();
  const checked = await runModule(module, args, fakeContext(host, { check: true, localDir, vars }));
  expect(host.snapshot()).toBe(before); // check mode changed nothing
  const first = await runModule(module, args, fakeContext(host, { localDir, vars }));
  const second = await runModule(module, args, fakeContext(host, { localDir, vars }));
  return { checked, first, second };
}

describe('copy', () => {
  it('creates, then is idempotent; check mode predicts; diff shows the change', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    const { checked, first, second } = await idempotent(copyModule, { content: 'hello\n', dest: '/etc/motd', mode: '0640', owner: 'www-data' }, host);
    expect(checked).toMatchObject({ changed: true });
    expect(checked.diff?.[0]).toMatchObject({ before: '', after: 'hello\n' });
    expect(first).toMatchObject({ changed: true, msg: 'file created' });
    expect(second).toMatchObject({ changed: false });
    expect(host.files.get('/etc/motd')).toMatchObject({ type: 'file', mode: 0o640, owner: 'www-data' });
    expect(host.text('/etc/motd')).toBe('hello\n');
  });

  it('replaces changed content atomically (writeFile), keeps mode/owner, diff before/after', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/etc/motd', 'old\n', 0o600, 'daemon', 'adm');
    const r = await runModule(copyModule, { content: 'new\n', dest: '/etc/motd' }, fakeContext(host, { diff: true }));
    expect(r).toMatchObject({ changed: true, msg: 'file replaced' });
    expect(r.diff?.[0]).toMatchObject({ before: 'old\n', after: 'new\n', beforeHeader: '/etc/motd' });
    expect(host.files.get('/etc/motd')).toMatchObject({ mode: 0o600, owner: 'daemon', group: 'adm' });
    expect(host.writes).toEqual(['/etc/motd']);
  });

  it('only fixes attributes when content is right', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/etc/motd', 'same\n', 0o644);
    const r = await runModule(copyModule, { content: 'same\n', dest: '/etc/motd', mode: '0600' }, fakeContext(host));
    expect(r).toMatchObject({ changed: true, msg: 'mode 0644 -> 0600' });
    expect(host.writes).toEqual([]);
    expect(host.ran().at(-1)).toBe('chmod 0600 -- /etc/motd');
  });

  it('copies a controller file into a directory dest under its own name', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/srv/www');
    const r = await runModule(copyModule, { src: 'index.html', dest: '/srv/www/' }, fakeContext(host, { localDir }));
    expect(r).toMatchObject({ changed: true, dest: '/srv/www/index.html' });
    expect(host.text('/srv/www/index.html')).toBe('<h1>edu</h1>\n');
    const again = await runModule(copyModule, { src: 'index.html', dest: '/srv/www' }, fakeContext(host, { localDir }));
    expect(again).toMatchObject({ changed: false, dest: '/srv/www/index.html' });
  });

  it('a directory src: "dir/" copies its contents, "dir" the folder itself; idempotent; check mode', async () => {
    const tree = join(localDir, 'site');
    mkdirSync(join(tree, 'css'), { recursive: true });
    writeFileSync(join(tree, 'index.html'), 'home\n');
    writeFileSync(join(tree, 'css', 'a.css'), 'body{}\n');
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    const { checked, first, second } = await idempotent(copyModule, { src: 'site/', dest: '/srv/www', directory_mode: '0755' }, host);
    expect(checked).toMatchObject({ changed: true });
    expect(first).toMatchObject({ changed: true, msg: '2 of 2 files changed, 2 folders created' });
    expect(second).toMatchObject({ changed: false, msg: '0 of 2 files changed' });
    expect(host.text('/srv/www/index.html')).toBe('home\n');
    expect(host.text('/srv/www/css/a.css')).toBe('body{}\n');
    expect(host.files.get('/srv/www/css')).toMatchObject({ type: 'directory', mode: 0o755 });
    writeFileSync(join(tree, 'css', 'a.css'), 'body{color:red}\n');
    const third = await runModule(copyModule, { src: 'site/', dest: '/srv/www' }, fakeContext(host, { localDir }));
    expect(third).toMatchObject({ changed: true, msg: '1 of 2 files changed' });
    expect(third.diff).toEqual([expect.objectContaining({ before: 'body{}\n', after: 'body{color:red}\n' })]);
    await runModule(copyModule, { src: 'site', dest: '/srv/other' }, fakeContext(host, { localDir }));
    expect(host.text('/srv/other/site/index.html')).toBe('home\n');
  });

  it('backup keeps the old file', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/etc/app.conf', 'v1\n');
    const r = await runModule(copyModule, { content: 'v2\n', dest: '/etc/app.conf', backup: 'yes' }, fakeContext(host));
    expect(r.backup_file).toMatch(/^\/etc\/app\.conf\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/);
    expect(host.text(r.backup_file as string)).toBe('v1\n');
    expect(host.text('/etc/app.conf')).toBe('v2\n');
  });

  it('validate: a failing check leaves the old file in place', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/etc/nginx.conf', 'good\n');
    host.respond((c, text) => (text.startsWith('nginx -t -c') ? { code: 1, stdout: '', stderr: 'nginx: [emerg] unexpected "}"' } : undefined));
    const r = await runModule(copyModule, { content: 'bad }\n', dest: '/etc/nginx.conf', validate: 'nginx -t -c %s' }, fakeContext(host));
    expect(r).toMatchObject({ failed: true, changed: false });
    expect(r.msg).toContain('unexpected "}"');
    expect(host.text('/etc/nginx.conf')).toBe('good\n');
    expect([...host.files.keys()].filter((k) => k.includes('haweb-validate'))).toEqual([]);
    const validateCmd = host.ran().find((c) => c.startsWith('nginx -t -c'))!;
    expect(validateCmd).toMatch(/^nginx -t -c \/etc\/\.nginx\.conf\.haweb-validate-[0-9a-f]+$/);
  });

  it('validate: a passing check installs the file', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.respond((c, text) => (text.startsWith('nginx -t -c') ? { code: 0, stdout: '', stderr: '' } : undefined));
    const r = await runModule(copyModule, { content: 'ok\n', dest: '/etc/nginx.conf', validate: 'nginx -t -c %s', mode: '0644' }, fakeContext(host));
    expect(r).toMatchObject({ changed: true });
    expect(host.text('/etc/nginx.conf')).toBe('ok\n');
  });

  it('bad input fails cleanly', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    expect(copyModule.args.safeParse({ dest: '/x' }).success).toBe(false);
    expect(copyModule.args.safeParse({ content: 'a', src: 'b', dest: '/x' }).success).toBe(false);
    expect(copyModule.args.safeParse({ content: 'a', dest: '' }).success).toBe(false);
    expect(copyModule.args.safeParse({ content: 'a', dest: '/x', bogus: 1 }).success).toBe(false);
    const r = await runModule(copyModule, { src: 'missing.txt', dest: '/x' }, fakeContext(host, { localDir }));
    expect(r).toMatchObject({ failed: true });
    expect(r.msg).toMatch(/missing.txt not found on the controller/);
    const r2 = await runModule(copyModule, { content: 'x', dest: '/nonexistent/dir/f' }, fakeContext(host));
    expect(r2).toMatchObject({ failed: true, msg: 'Destination directory /nonexistent/dir does not exist' });
  });
});

describe('round trips of a no-op run (what makes re-runs fast)', () => {
  it.each([
    ['copy content', copyModule, { content: 'x\n', dest: '/etc/a' }],
    ['copy src into a folder', copyModule, { src: 'index.html', dest: '/srv/' }],
    ['template', templateModule, { src: 'site.conf.j2', dest: '/etc/site.conf' }],
    ['lineinfile', lineinfileModule, { path: '/etc/a', line: 'x', create: true }],
    ['blockinfile', blockinfileModule, { path: '/etc/b', block: 'x', create: true }],
    ['file directory', fileModule, { path: '/srv/d', state: 'directory', mode: '0755' }],
  ] as const)('%s: one fact, no command', async (_n, module, args) => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    const vars = { server_name: 'a' };
    await runModule(module, args, fakeContext(host, { localDir, vars }));
    const ctx = fakeContext(host, { localDir, vars, diff: true });
    const before = host.log.length;
    const r = await runModule(module, args, ctx);
    expect(r.changed).toBe(false);
    // copy and file also read what Ansible's add_path_info reports (owner, mode, state, size).
    expect(ctx.factCalls).toHaveLength(module === copyModule || module === fileModule ? 2 : 1);
    expect(host.log.length).toBe(before);
  });
});

describe('template', () => {
  it('renders with host vars, idempotent, diff', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    const vars = { server_name: 'edu.example', port: 8080 };
    const { first, second } = await idempotent(templateModule, { src: 'site.conf.j2', dest: '/etc/site.conf' }, host, vars);
    expect(first.changed).toBe(true);
    expect(second.changed).toBe(false);
    expect(host.text('/etc/site.conf')).toBe('server_name edu.example;\nlisten 8080;\n');
    const changedVars = await runModule(templateModule, { src: 'site.conf.j2', dest: '/etc/site.conf' }, fakeContext(host, { localDir, vars: { server_name: 'edu2.example' } }));
    expect(changedVars.diff?.[0]).toMatchObject({ before: 'server_name edu.example;\nlisten 8080;\n', after: 'server_name edu2.example;\nlisten 80;\n' });
  });

  it('an undefined variable fails the task, naming the template', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    const r = await runModule(templateModule, { src: 'broken.j2', dest: '/etc/x' }, fakeContext(host, { localDir }));
    expect(r).toMatchObject({ failed: true });
    expect(r.msg).toContain('broken.j2');
    expect(r.msg).toMatch(/undefined_var_xyz/);
    expect(host.files.has('/etc/x')).toBe(false);
  });
});

describe('file', () => {
  it('directory: created once, check mode changes nothing', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    const { checked, first, second } = await idempotent(fileModule, { path: '/srv/app/logs', state: 'directory', mode: '0750' }, host);
    expect(checked.changed).toBe(true);
    expect(first.changed).toBe(true);
    expect(second.changed).toBe(false);
    expect(host.files.get('/srv/app/logs')).toMatchObject({ type: 'directory', mode: 0o750 });
    expect(first.diff?.[0]).toMatchObject({ before: 'path: /srv/app/logs\nstate: absent\n', after: 'path: /srv/app/logs\nstate: directory\n' });
  });

  it('link: created, retargeted, idempotent', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/opt/nginx-1.22.1');
    const { first, second } = await idempotent(fileModule, { path: '/opt/nginx', state: 'link', src: '/opt/nginx-1.22.1' }, host);
    expect([first.changed, second.changed]).toEqual([true, false]);
    expect(host.files.get('/opt/nginx')).toMatchObject({ type: 'link', target: '/opt/nginx-1.22.1' });
    host.mkdir('/opt/nginx-1.24.0');
    const re = await runModule(fileModule, { path: '/opt/nginx', state: 'link', src: '/opt/nginx-1.24.0' }, fakeContext(host));
    expect(re.changed).toBe(true);
    expect(host.files.get('/opt/nginx')).toMatchObject({ target: '/opt/nginx-1.24.0' });
  });

  it('absent and touch', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/tmp/stale', 'x');
    const { first, second } = await idempotent(fileModule, { path: '/tmp/stale', state: 'absent' }, host);
    expect([first.changed, second.changed]).toEqual([true, false]);
    expect(host.files.has('/tmp/stale')).toBe(false);
    const t = await idempotent(fileModule, { path: '/tmp/flag', state: 'touch', modification_time: 'preserve', access_time: 'preserve' }, host);
    expect([t.first.changed, t.second.changed]).toEqual([true, false]);
    expect(host.files.get('/tmp/flag')).toMatchObject({ type: 'file' });
  });

  it('mode/owner of an existing file, by name or uid', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/etc/secret', 's', 0o644);
    const { first, second } = await idempotent(fileModule, { path: '/etc/secret', mode: 'go-rwx', owner: 'www-data', group: 'www-data' }, host);
    expect(first.msg).toBe('mode 0644 -> 0600, owner root -> www-data, group root -> www-data');
    expect(second.changed).toBe(false);
    expect((await runModule(fileModule, { path: '/etc/secret', owner: '33' }, fakeContext(host))).changed).toBe(false);
  });

  it('refuses cleanly: state=file on a missing path, unknown user', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    const r = await runModule(fileModule, { path: '/nope', state: 'file' }, fakeContext(host));
    expect(r).toMatchObject({ failed: true });
    expect(r.msg).toBe('file (/nope) is absent, cannot continue');
    host.put('/etc/f', 'x');
    const badUser = await runModule(fileModule, { path: '/etc/f', owner: 'no_such_user' }, fakeContext(host));
    expect(badUser).toMatchObject({ failed: true, changed: false });
    expect(badUser.msg).toMatch(/invalid user: 'no_such_user'/);
    expect(fileModule.args.safeParse({ path: '/x', state: 'bogus' }).success).toBe(false);
    expect(fileModule.args.safeParse({ path: '/x', mode: '0644', recurse: 'maybe' }).success).toBe(false);
  });
});

describe('lineinfile / blockinfile', () => {
  it('lineinfile: replace, idempotent, check mode, diff', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/etc/sysctl.conf', '# kernel\n#net.ipv4.ip_nonlocal_bind=0\n');
    const args = { path: '/etc/sysctl.conf', regexp: '^#?net.ipv4.ip_nonlocal_bind', line: 'net.ipv4.ip_nonlocal_bind = 1' };
    const { checked, first, second } = await idempotent(lineinfileModule, args, host);
    expect(checked.diff?.[0]).toMatchObject({ before: '# kernel\n#net.ipv4.ip_nonlocal_bind=0\n', after: '# kernel\nnet.ipv4.ip_nonlocal_bind = 1\n' });
    expect([first.changed, second.changed]).toEqual([true, false]);
    expect(first.msg).toBe('line replaced');
    expect(host.text('/etc/sysctl.conf')).toBe('# kernel\nnet.ipv4.ip_nonlocal_bind = 1\n');
  });

  it('lineinfile: missing file needs create', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    const r = await runModule(lineinfileModule, { path: '/etc/new.conf', line: 'a=1' }, fakeContext(host));
    expect(r).toMatchObject({ failed: true });
    expect(r).toMatchObject({ rc: 257, msg: 'Destination /etc/new.conf does not exist !' });
    const c = await runModule(lineinfileModule, { path: '/etc/new.conf', line: 'a=1', create: true, mode: '0600' }, fakeContext(host));
    expect(c.changed).toBe(true);
    expect(host.files.get('/etc/new.conf')).toMatchObject({ mode: 0o600 });
    expect(host.text('/etc/new.conf')).toBe('a=1\n');
  });

  it('lineinfile: mutually exclusive options are rejected by the spec; what Ansible checks when it runs fails then, with its messages', async () => {
    expect(lineinfileModule.args.safeParse({ path: '/x', line: 'a', insertafter: 'x', insertbefore: 'y' }).success).toBe(false);
    expect(lineinfileModule.args.safeParse({ path: '/x', regexp: 'a', search_string: 'a', line: 'a' }).success).toBe(false);
    expect(lineinfileModule.args.safeParse({ path: '/x', state: 'absent', regexp: '^a' }).success).toBe(true);
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/x', 'a\n');
    expect(await runModule(lineinfileModule, { path: '/x' }, fakeContext(host))).toMatchObject({ failed: true, msg: 'line is required with state=present' });
    expect(await runModule(lineinfileModule, { path: '/x', line: 'a', backrefs: true }, fakeContext(host))).toMatchObject({ failed: true, msg: 'regexp is required with backrefs=true' });
    expect(await runModule(lineinfileModule, { path: '/x', state: 'absent' }, fakeContext(host))).toMatchObject({ failed: true, msg: 'one of line, search_string, or regexp is required with state=absent' });
  });

  it('blockinfile: insert, idempotent, update, remove', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/etc/hosts', '127.0.0.1 localhost\n');
    const args = { path: '/etc/hosts', block: '198.51.100.51 edu-proxy-01\n198.51.100.52 edu-proxy-02' };
    const { first, second } = await idempotent(blockinfileModule, args, host);
    expect([first.changed, second.changed]).toEqual([true, false]);
    expect(host.text('/etc/hosts')).toBe(
      '127.0.0.1 localhost\n# BEGIN ANSIBLE MANAGED BLOCK\n198.51.100.51 edu-proxy-01\n198.51.100.52 edu-proxy-02\n# END ANSIBLE MANAGED BLOCK\n',
    );
    const rm = await idempotent(blockinfileModule, { path: '/etc/hosts', state: 'absent' }, host);
    expect([rm.first.changed, rm.second.changed]).toEqual([true, false]);
    expect(host.text('/etc/hosts')).toBe('127.0.0.1 localhost\n');
  });
});

describe('stat', () => {
  it('reports Ansible-shaped facts and never changes anything', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/usr/local/bin/tool', 'bin', 0o755);
    const r = await runModule(statModule, { path: '/usr/local/bin/tool' }, fakeContext(host));
    expect(r).toMatchObject({ changed: false, stat: { exists: true, isreg: true, isdir: false, mode: '0755', xusr: true, pw_name: 'root', size: 3 } });
    expect((r.stat as { checksum: string }).checksum).toBe(createHash('sha1').update('bin').digest('hex'));
    const missing = await runModule(statModule, { path: '/nope' }, fakeContext(host));
    expect(missing).toEqual({ changed: false, stat: { exists: false } });
  });
});
