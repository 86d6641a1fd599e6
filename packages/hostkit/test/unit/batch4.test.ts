/**
 * Pure parts of issue 15's fourth batch, table-driven: uri's response shaping and body encodings,
 * package_facts' readers of dpkg/apt-cache/rpm output, reboot's command line, apt_repository's
 * sources model (Ansible's _parse, _suggest_filename, dump), apt_key's key ids, git's readers and argv.
 * Expected values are Ansible's (checked against its Python code: json.dumps, urlencode, SourcesList).
 */
import { describe, expect, it } from 'vitest';
import {
  absoluteLocation,
  addSource,
  ansibleHeaderKeys,
  bootChanged,
  rebootConnectionClosed,
  gitPreparedDiff,
  cloneArgv,
  contentTypeOf,
  dumpSources,
  fetchArgv,
  formUrlencoded,
  gitSshCommand,
  gitDirFromFile,
  annotatedTags,
  gpgFingerprint,
  archiveFormat,
  archiveArgv,
  gitmodulesPaths,
  submoduleVersions,
  submodulesOutOfDate,
  submoduleUpdateArgv,
  submoduleUpdateParams,
  hasLocalMods,
  headBranchFromFile,
  maybeJson,
  parseAptPackageFacts,
  parseHttpHead,
  parseKeyId,
  parseKeyIds,
  parseLsRemote,
  parseRepoArgument,
  parseRpmPackageFacts,
  parseSourceLine,
  parseSourcesDump,
  parseSourcesFiles,
  planSourcesChanges,
  pythonJsonDumps,
  rebootBackoffSeconds,
  rebootCommandParts,
  removeSource,
  responseCookies,
  suggestSourcesFilename,
  tagRevision,
} from '../../src/index.js';

describe('uri: the response as fetch_url reports it', () => {
  const head = [
    'HTTP/1.1 301 Moved Permanently',
    'Location: /new',
    '',
    'HTTP/1.0 200 OK',
    'Server: SimpleHTTP/0.6 Python/3.11.2',
    'Content-type: application/json; charset=utf-8',
    'Content-Length: 12',
    'Set-Cookie: a=1; Path=/',
    'Set-Cookie: b=two',
    'X-Dup: 1',
    'X-Dup: 2',
    '',
  ].join('\r\n');

  it('keeps the last response after redirects', () => {
    const h = parseHttpHead(head);
    expect(h.status).toBe(200);
    expect(h.reason).toBe('OK');
    expect(h.headers[0]).toEqual(['Server', 'SimpleHTTP/0.6 Python/3.11.2']);
  });

  it('lower-cases header names, `-` as `_`, repeated headers joined', () => {
    const keys = ansibleHeaderKeys(parseHttpHead(head).headers);
    expect(keys).toMatchObject({ content_type: 'application/json; charset=utf-8', content_length: '12', x_dup: '1, 2', set_cookie: 'a=1; Path=/, b=two' });
  });

  it('reads cookies and the content type', () => {
    const h = parseHttpHead(head).headers;
    expect(responseCookies(h)).toEqual({ a: '1', b: 'two' });
    expect(contentTypeOf(h)).toEqual({ main: 'application', sub: 'json', charset: 'utf-8' });
  });

  it.each<[string, string, boolean]>([
    ['application/json', 'json', true],
    ['application/problem+json', '+json suffix', true],
    ['text/javascript', 'javascript', true],
    ['text/html; charset=utf-8', 'html', false],
  ])('maybeJson(%s): %s', (type, _why, expected) => {
    expect(maybeJson([['Content-Type', type]])).toBe(expected);
  });

  it.each<[string, unknown, string]>([
    ['separators and ensure_ascii', { a: 1, b: [1, 2.5, null, true], c: 'é' }, '{"a": 1, "b": [1, 2.5, null, true], "c": "\\u00e9"}'],
    ['a float', 2.5, '2.5'],
    ['small floats, two-digit exponent', 1e-7, '1e-07'],
    ['a string', 'x"y', '"x\\"y"'],
  ])('pythonJsonDumps: %s', (_why, value, expected) => {
    expect(pythonJsonDumps(value)).toBe(expected);
  });

  it.each<[string, unknown, string]>([
    ['quote_plus with doseq', { name: 'a b', x: "~*!()'", l: ['1', '2'], t: true }, 'name=a+b&x=~%2A%21%28%29%27&l=1&l=2&t=True'],
    ['a string is sent as it is', 'a=1&b=2', 'a=1&b=2'],
    ['a list of pairs', [['k', 'v'], ['k', 'w']], 'k=v&k=w'],
  ])('formUrlencoded: %s', (_why, body, expected) => {
    expect(formUrlencoded(body)).toBe(expected);
  });

  it.each<[string, string, string]>([
    ['http://h:8/a/b', '/c', 'http://h:8/c'],
    ['http://h:8/a/b', 'c', 'http://h:8/a/c'],
    ['http://h:8/a/b', 'https://x/y', 'https://x/y'],
  ])('absoluteLocation(%s, %s)', (url, location, expected) => {
    expect(absoluteLocation(url, location)).toBe(expected);
  });
});

describe('package_facts: dpkg and apt-cache policy as python3-apt reports them', () => {
  const stdout = [
    '@@native amd64',
    '@@dpkg',
    'bash\t5.2.15-2+b2\tamd64\tshells\tii ',
    'tar\t1.34+dfsg-1.2+deb12u1\tamd64\tutils\tii ',
    'libc6\t2.36-9+deb12u4\ti386\tlibs\tii ',
    'gone\t1.0\tamd64\tmisc\trc ',
    'tzdata\t2024a-0+deb12u1\tall\tlocalization\tii ',
    '@@files',
    'Package files:',
    ' 100 /var/lib/dpkg/status',
    '     release a=now',
    ' 500 http://198.18.65.1 ./ Packages',
    '     release o=haweb-lab,l=haweb lab LAN repository,c=',
    '     origin 198.18.65.1',
    'Pinned packages:',
    '@@versions',
    'bash:',
    '  Installed: 5.2.15-2+b2',
    '  Candidate: 5.2.15-2+b2',
    '  Version table:',
    ' *** 5.2.15-2+b2 100',
    '        100 /var/lib/dpkg/status',
    'tar:',
    '  Installed: 1.34+dfsg-1.2+deb12u1',
    '  Candidate: 1.34+dfsg-1.2+deb12u1',
    '  Version table:',
    ' *** 1.34+dfsg-1.2+deb12u1 500',
    '        500 http://198.18.65.1 ./ Packages',
    '        100 /var/lib/dpkg/status',
    '',
  ].join('\n');

  it('lists installed packages with their origin (the first source of the installed version)', () => {
    const p = parseAptPackageFacts(stdout)!;
    expect(Object.keys(p).sort()).toEqual(['bash', 'libc6:i386', 'tar', 'tzdata']);
    expect(p.bash).toEqual([{ name: 'bash', version: '5.2.15-2+b2', arch: 'amd64', category: 'shells', origin: '', source: 'apt' }]);
    expect(p.tar[0]).toMatchObject({ origin: 'haweb-lab', category: 'utils' });
    expect(p['libc6:i386'][0]).toMatchObject({ name: 'libc6:i386', arch: 'i386' });
    expect(p.tzdata[0]).toMatchObject({ arch: 'all' });
  });

  it('takes the section of the first record apt shows for the installed version', () => {
    const withSections = `${stdout}@@sections\nPackage: bash\nVersion: 5.2.15-2+b2\nSection: admin\nPackage: bash\nVersion: 5.2.15-2+b2\nSection: shells\nPackage: libc6\nArchitecture: i386\nVersion: 2.36-9+deb12u4\nSection: libdevel\n`;
    const p = parseAptPackageFacts(withSections)!;
    expect(p.bash[0].category).toBe('admin');
    expect(p['libc6:i386'][0].category).toBe('libdevel');
    expect(p.tar[0].category).toBe('utils');
  });

  it('says when the manager is not on the host', () => {
    expect(parseAptPackageFacts('@@none\n')).toBeUndefined();
    expect(parseRpmPackageFacts('@@none\n')).toBeUndefined();
    // rpm without its Python bindings (the rpm tool on a Debian host): not a usable manager for Ansible.
    expect(parseRpmPackageFacts('@@nolib\n')).toBeNull();
  });

  it('reads rpm -qa, epoch (none) as null, several versions of one name', () => {
    const p = parseRpmPackageFacts('kernel\t5.14.0\t70.el9\t(none)\tx86_64\nkernel\t5.14.0\t80.el9\t(none)\tx86_64\nbind\t9.16\t1.el9\t32\tx86_64\n')!;
    expect(p.kernel).toHaveLength(2);
    expect(p.bind[0]).toEqual({ name: 'bind', version: '9.16', release: '1.el9', epoch: 32, arch: 'x86_64', source: 'rpm' });
  });
});

describe('reboot', () => {
  it.each([
    [{ code: 0, stdout: '', stderr: '' }, false],
    [{ code: 255, stdout: '', stderr: '' }, true],
    [{ code: 143, stdout: '', stderr: '', signal: 'TERM' }, true],
    [{ code: 1, stdout: '', stderr: 'Failed to talk to init daemon.' }, false],
    // systemd's shutdown printed its schedule before the session was cut (seen on a lab host, 2026-12-06)
    [{ code: 255, stdout: '', stderr: "Reboot scheduled for Sun 2026-12-06 04:09:16 UTC, use 'shutdown -c' to cancel." }, true],
    [{ code: 127, stdout: '', stderr: 'sh: 1: /sbin/shutdown: not found' }, false],
  ])('rebootConnectionClosed(%j) is %s', (r, closed) => expect(rebootConnectionClosed(r)).toBe(closed));

  it.each<[string, Parameters<typeof rebootCommandParts>[0], ReturnType<typeof rebootCommandParts>]>([
    ['Ansible\'s Linux default', { preRebootDelay: 0, msg: 'Reboot initiated by Ansible' }, { bin: 'shutdown', args: '-r 0 "Reboot initiated by Ansible"' }],
    ['the delay in whole minutes', { preRebootDelay: 150, msg: 'm' }, { bin: 'shutdown', args: '-r 2 "m"' }],
    ['reboot_command split at its first space', { rebootCommand: '/sbin/reboot -f', preRebootDelay: 0, msg: 'm' }, { bin: '/sbin/reboot', args: '-f' }],
    ['reboot_command alone', { rebootCommand: 'reboot', preRebootDelay: 0, msg: 'm' }, { bin: 'reboot', args: '' }],
  ])('%s', (_why, input, expected) => {
    expect(rebootCommandParts(input)).toEqual(expected);
  });

  it.each<[string, string, boolean]>([
    ['a1\n', 'a1\n', false],
    ['a1\n', '', false],
    ['a1\n', 'b2\n', true],
  ])('bootChanged(%j, %j)', (before, after, expected) => {
    expect(bootChanged(before, after)).toBe(expected);
  });

  it('backs off exponentially, capped at 12 s', () => {
    expect([0, 1, 2, 3, 4, 9].map(rebootBackoffSeconds)).toEqual([1, 2, 4, 8, 12, 12]);
  });
});

describe("apt_repository: Ansible's SourcesList", () => {
  it.each<[string, ReturnType<typeof parseSourceLine>]>([
    ['deb  http://x   y z # comment', { valid: true, enabled: true, source: 'deb http://x y z', comment: 'comment' }],
    ['#deb http://x y', { valid: true, enabled: false, source: 'deb http://x y', comment: '' }],
    ['# comment here', { valid: false, enabled: false, source: 'comment here', comment: '' }],
    ['', { valid: false, enabled: true, source: '', comment: '' }],
    ['foo #bar', { valid: false, enabled: true, source: 'foo', comment: 'bar' }],
  ])('parseSourceLine(%j)', (line, expected) => {
    expect(parseSourceLine(line)).toEqual(expected);
  });

  it.each<[string, string | undefined, string]>([
    ['deb http://dl.google.com/linux/chrome/deb/ stable main', undefined, 'dl_google_com_linux_chrome_deb.list'],
    ['deb [arch=amd64 signed-by=/k.gpg] https://user:pw@download.docker.com/linux/debian bookworm stable', undefined, 'download_docker_com_linux_debian.list'],
    ['deb-src http://198.18.65.1:8124/ ./', undefined, '198_18_65_1_8124.list'],
    ['deb http://x/ y', 'lab', 'lab.list'],
  ])('suggestSourcesFilename(%j)', (source, filename, expected) => {
    expect(suggestSourcesFilename(source, filename)).toBe(expected);
  });

  it('refuses a line that is not an enabled deb line', () => {
    expect(parseRepoArgument('#deb http://x y')).toEqual({ error: 'Invalid repository string: deb http://x y' });
    expect(parseRepoArgument('http://x y')).toEqual({ error: 'Invalid repository string: http://x y' });
  });

  const disk = new Map([
    ['/etc/apt/sources.list', '#deb http://a/ b main\ndeb  http://c/   d main\n'],
    ['/etc/apt/sources.list.d/e.list', 'deb http://e/ ./\n'],
  ]);
  const before = parseSourcesFiles(disk);

  it('re-enables a disabled line instead of adding one, and writes the file normalised', () => {
    const { files, appendedTo } = addSource(before, 'deb http://a/ b main', 'a.list');
    expect(appendedTo).toBeUndefined();
    const plan = planSourcesChanges(disk, before, files);
    expect(plan).toEqual({ changed: true, writes: [{ path: '/etc/apt/sources.list', content: 'deb http://a/ b main\ndeb http://c/ d main\n', before: disk.get('/etc/apt/sources.list') }] });
  });

  it('appends a new repository to its own file in sources.list.d', () => {
    const { files, appendedTo } = addSource(before, 'deb http://n/ ./', 'n.list');
    expect(appendedTo).toBe('/etc/apt/sources.list.d/n.list');
    expect(dumpSources(files).get('/etc/apt/sources.list.d/n.list')).toBe('deb http://n/ ./\n');
    const plan = planSourcesChanges(disk, before, files);
    expect(plan.writes.map((w) => w.path)).toEqual(['/etc/apt/sources.list', '/etc/apt/sources.list.d/n.list']);
  });

  it('changes nothing when the repository is there (whatever the spacing)', () => {
    const { files } = addSource(before, 'deb http://c/ d main', 'c.list');
    expect(planSourcesChanges(disk, before, files)).toEqual({ changed: false, writes: [] });
  });

  it('removes a repository; a file left with no line is deleted', () => {
    const after = removeSource(before, 'deb http://e/ ./');
    const plan = planSourcesChanges(disk, before, after);
    expect(plan.writes).toContainEqual({ path: '/etc/apt/sources.list.d/e.list', before: 'deb http://e/ ./\n' });
    expect(plan.writes.find((w) => w.path === '/etc/apt/sources.list.d/e.list')?.content).toBeUndefined();
  });

  it('reads the dump script\'s output', () => {
    const text = `@@file /etc/apt/sources.list\n${Buffer.from('deb http://x y\n').toString('base64')}\n@@file /etc/apt/sources.list.d/empty.list\n\n`;
    expect([...parseSourcesDump(text)]).toEqual([['/etc/apt/sources.list', 'deb http://x y\n'], ['/etc/apt/sources.list.d/empty.list', '']]);
  });
});

describe('apt_key: key ids as Ansible reads them', () => {
  it.each<[string, ReturnType<typeof parseKeyId>]>([
    ['0x9da31620334bd75d9dcb49f368818c72e52529d4', { shortId: 'E52529D4', fingerprint: '68818C72E52529D4', keyId: '9DA31620334BD75D9DCB49F368818C72E52529D4' }],
    ['E52529D4', { shortId: 'E52529D4', fingerprint: 'E52529D4', keyId: 'E52529D4' }],
    ['68818C72E52529D4', { shortId: 'E52529D4', fingerprint: '68818C72E52529D4', keyId: '68818C72E52529D4' }],
    ['ABCDEF', undefined],
    ['not-hex', undefined],
  ])('parseKeyId(%s)', (id, expected) => {
    expect(parseKeyId(id)).toEqual(expected);
  });

  it('reads apt-key listings and gpg --with-colons, skipping expired keys', () => {
    const listing = 'pub   rsa4096/68818C72E52529D4 2023-01-01 [SC]\nuid   x\nsub   rsa4096/1111222233334444 2023-01-01 [E]\npub   rsa2048/AAAABBBBCCCCDDDD 2010-01-01 [SC] [expired: 2012-01-01]\n';
    expect(parseKeyIds(listing)).toEqual(['68818C72E52529D4', '1111222233334444']);
    expect(parseKeyIds(listing, true)).toEqual(['E52529D4', '33334444']);
    expect(parseKeyIds('pub:-:255:22:0123456789ABCDEF:1700000000:::-:::scSC::::::23::0:\nuid:-::::1::x::lab key::::::::::0:\n')).toEqual(['0123456789ABCDEF']);
  });
});

describe('git: readers and argv', () => {
  it('reads ls-remote, status, HEAD files and tags', () => {
    expect(parseLsRemote('aaaaaaa1\trefs/heads/main\nbbbbbbb2\trefs/tags/v1\n')).toEqual([['aaaaaaa1', 'refs/heads/main'], ['bbbbbbb2', 'refs/tags/v1']]);
    expect(hasLocalMods('?? new\n')).toBe(false);
    expect(hasLocalMods(' M a\n?? new\n')).toBe(true);
    expect(headBranchFromFile('ref: refs/heads/main\n', 'origin')).toBe('main');
    expect(headBranchFromFile('ref: refs/remotes/origin/dev\n', 'origin')).toBe('dev');
    expect(tagRevision('1111\trefs/tags/v1\n2222\trefs/tags/v1^{}\n', 'v1')).toBe('2222');
  });

  it.each<[string, Partial<Parameters<typeof cloneArgv>[0]>, string[], string | undefined]>([
    ['plain', {}, ['git', 'clone', '--origin', 'origin', 'file:///r', '/d'], undefined],
    ['depth on HEAD', { depth: 1 }, ['git', 'clone', '--origin', 'origin', '--depth', '1', 'file:///r', '/d'], undefined],
    ['depth on a branch', { depth: 1, version: 'dev', branchOrTag: true }, ['git', 'clone', '--origin', 'origin', '--depth', '1', '--branch', 'dev', 'file:///r', '/d'], undefined],
    ['depth on a commit is ignored', { depth: 1, version: 'abc123' }, ['git', 'clone', '--origin', 'origin', 'file:///r', '/d'], 'Ignoring depth argument. Shallow clones are only available for HEAD, branches, tags or in combination with refspec.'],
    ['bare', { bare: true }, ['git', 'clone', '--bare', 'file:///r', '/d'], undefined],
    ['separate git dir', { separateGitDir: '/g' }, ['git', 'clone', '--origin', 'origin', '--separate-git-dir=/g', 'file:///r', '/d'], undefined],
    ['single branch on a tag', { singleBranch: true, version: 'v1', branchOrTag: true }, ['git', 'clone', '--origin', 'origin', '--single-branch', '--branch', 'v1', 'file:///r', '/d'], undefined],
  ])('cloneArgv: %s', (_why, extra, argv, warning) => {
    const out = cloneArgv({ git: 'git', repo: 'file:///r', dest: '/d', remote: 'origin', version: 'HEAD', bare: false, singleBranch: false, branchOrTag: false, ...extra });
    expect(out.argv).toEqual(argv);
    expect(out.warning).toBe(warning);
  });

  it.each<[string, Partial<Parameters<typeof fetchArgv>[0]>, string[]]>([
    ['tags by default', {}, ['git', 'fetch', '--tags', 'origin']],
    ['force', { force: true }, ['git', 'fetch', '--tags', '--force', 'origin']],
    ['depth on a branch', { depth: 1, version: 'dev', isRemoteBranch: true, currentHead: 'main' }, ['git', 'fetch', '--depth', '1', 'origin', '+refs/heads/dev:refs/heads/dev', '+refs/heads/dev:refs/remotes/origin/dev']],
    ['bare', { bare: true }, ['git', 'fetch', 'origin', '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*']],
  ])('fetchArgv: %s', (_why, extra, argv) => {
    expect(fetchArgv({ git: 'git', remote: 'origin', version: 'HEAD', bare: false, force: false, isRemoteBranch: false, isRemoteTag: false, ...extra })).toEqual(argv);
  });

  it.each<[string, Parameters<typeof gitSshCommand>[0], string]>([
    ['batch mode always', { acceptHostkey: false, acceptNewHostkey: false }, 'ssh -o BatchMode=yes'],
    ['a key file', { keyFile: '/k', acceptHostkey: false, acceptNewHostkey: false }, 'ssh -o BatchMode=yes  -i /k -o IdentitiesOnly=yes'],
    ['accept new host keys', { acceptHostkey: false, acceptNewHostkey: true }, 'ssh -o StrictHostKeyChecking=accept-new -o BatchMode=yes'],
  ])('gitSshCommand: %s', (_why, input, expected) => {
    expect(gitSshCommand(input)).toBe(expected);
  });
});

describe('git: separate git dir, signatures, archives, submodules', () => {
  it.each<[string, string, string, string | Error]>([
    ['absolute', 'gitdir: /srv/g\n', '/d', '/srv/g'],
    ['relative to dest', 'gitdir: ../g.git\n', '/w/d', '/w/g.git'],
    ['text before gitdir', 'some text  gitdir: /w/d\n', '/w/d', new Error('.git file has invalid git dir reference format')],
    ['no gitdir', 'nonsense\n', '/w/d', new Error('.git file has invalid git dir reference format')],
  ])('gitDirFromFile: %s', (_why, text, dest, want) => {
    if (want instanceof Error) expect(() => gitDirFromFile(text, dest)).toThrow(want.message);
    else expect(gitDirFromFile(text, dest)).toBe(want);
  });

  it.each<[string, string, string[]]>([
    ['annotated only', 'commit:light\ntag:signed_annotated_tag\ntag:v1\n', ['signed_annotated_tag', 'v1']],
    ['none', 'commit:lightweight_tag/signed_commit\n', []],
    ['empty', '', []],
  ])('annotatedTags: %s', (_why, out, want) => {
    expect(annotatedTags(out)).toEqual(want);
  });

  it.each<[string, string, string | undefined]>([
    ['primary key', '[GNUPG:] NEWSIG\n[GNUPG:] VALIDSIG AAAA 2017-07-11 1499765117 0 4 0 1 8 00 AAAA\n', 'AAAA'],
    ['the signing key (third field), as Ansible picks it from a full VALIDSIG line', '[GNUPG:] VALIDSIG SUB 2017-07-11 1499765117 0 4 0 1 8 00 PRIMARY\n', 'SUB'],
    ['no VALIDSIG', '[GNUPG:] ERRSIG x\n', undefined],
  ])('gpgFingerprint: %s', (_why, raw, want) => {
    expect(gpgFingerprint(raw)).toBe(want);
  });

  it.each<[string, string | undefined]>([
    ['/t/r.zip', 'zip'],
    ['/t/r.tar.gz', 'tar.gz'],
    ['/t/r.tar', 'tar'],
    ['/t/r.tgz', 'tgz'],
    ['/t/r.rar', undefined],
    ['/t/r', undefined],
  ])('archiveFormat(%s)', (path, want) => {
    expect(archiveFormat(path)).toBe(want);
  });

  it.each<[string, string | undefined, string[]]>([
    ['no prefix', undefined, ['git', 'archive', '--format', 'zip', '--output', '/a.zip', 'HEAD']],
    ['prefix', 'p/', ['git', 'archive', '--format', 'zip', '--output', '/a.zip', '--prefix', 'p/', 'HEAD']],
  ])('archiveArgv: %s', (_why, prefix, want) => {
    expect(archiveArgv('git', 'zip', '/a.zip', 'HEAD', prefix)).toEqual(want);
  });

  it('reads .gitmodules paths and submodule versions', () => {
    expect(gitmodulesPaths('[submodule "a"]\n\tpath = submodule1\n\turl = https://x/a.git\n[submodule "b"]\n\tpath = sub/two\n')).toEqual(['submodule1', 'sub/two']);
    const sha1 = '5b2fd29464ef69401789652afb19fe7d1c232759';
    const sha2 = 'deb8904db71099aa59638c45e5ed28ba1a874abb';
    expect(submoduleVersions(`Entering 'submodule1'\n${sha1}\nEntering 'submodule2'\n${sha2}\n`)).toEqual({ submodule1: sha1, submodule2: sha2 });
    expect(() => submoduleVersions(`Entering 'submodule1'\n`)).toThrow('Unable to find hash for submodule: submodule1');
    expect(() => submoduleVersions('fatal: bad\n')).toThrow('Unable to parse submodule hash line: fatal: bad');
  });

  it.each<[string, string, boolean]>([
    ['at the recorded commits', ' 5b2fd29464ef69401789652afb19fe7d1c232759 submodule1 (heads/master)\n', false],
    ['one moved', '+125c5e7daa127eb1d6f93057ccf7908ba4dafe93 submodule1 (heads/master)\n', true],
    ['one not initialised', '-deb8904db71099aa59638c45e5ed28ba1a874abb submodule2\n', true],
  ])('submodulesOutOfDate: %s', (_why, status, want) => {
    expect(submodulesOutOfDate(status)).toBe(want);
  });

  it.each<[boolean, boolean, string[]]>([
    [false, false, ['git', 'submodule', 'update', '--init', '--recursive']],
    [true, false, ['git', 'submodule', 'update', '--init', '--recursive', '--remote']],
    [true, true, ['git', 'submodule', 'update', '--init', '--recursive', '--remote', '--force']],
  ])('submoduleUpdateArgv(track=%s, force=%s)', (track, force, want) => {
    expect(submoduleUpdateArgv('git', track, force)).toEqual(want);
  });

  it.each<[string, string, string[]]>([
    [
      'git 2.39',
      'usage: git submodule [--quiet] [--cached]\n   or: git submodule [--quiet] update [--init [--filter=<filter-spec>]] [--remote] [-N|--no-fetch] [-f|--force] [--recursive] [--] [<path>...]\n',
      ['quiet', 'init', 'filter=<filter-spec>', 'remote', 'no-fetch', 'force', 'recursive', ''],
    ],
    ['no usage (a man page shown instead)', 'No manual entry for git-submodule\n', []],
  ])('submoduleUpdateParams: %s', (_why, stderr, want) => {
    expect(submoduleUpdateParams(stderr)).toEqual(want);
  });
});

describe('git --diff (Ansible\'s get_diff)', () => {
  const ok = (stdout: string) => ({ code: 0, stdout, stderr: '' });
  it.each<[string | null, string, Parameters<typeof gitPreparedDiff>[2], string | undefined]>([
    [null, 'abc1', undefined, '>> Newly checked out abc1'],
    ['abc1', 'abc1', undefined, undefined],
    ['abc1', 'def2', ok('diff --git a/f b/f\n-a\n+b\n'), 'diff --git a/f b/f\n-a\n+b\n'],
    ['abc1', 'def2', ok(''), '>> No visual differences between abc1 and def2'],
    ['abc1', 'def2', { code: 128, stdout: '', stderr: 'fatal: bad object def2\n' }, '>> Failed to get proper diff between abc1 and def2:\n>> fatal: bad object def2\n'],
    ['abc1', 'def2', { code: 1, stdout: '', stderr: '' }, '>> Failed to get proper diff between abc1 and def2'],
  ])('%s -> %s', (before, after, diff, want) => expect(gitPreparedDiff(before, after, diff)).toBe(want));
});
