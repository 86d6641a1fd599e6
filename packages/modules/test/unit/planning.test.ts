import { describe, expect, it } from 'vitest';
import {
  buildRuleSpec,
  chainCommand,
  resolveIptablesArgs,
  editBlock,
  editLine,
  formatMode,
  parseMode,
  planFile,
  planPackages,
  planRule,
  planScript,
  planService,
  resolveMode,
  savedRulesPath,
  saveScript,
  shlexSplit,
  type FileInfo,
  type ServiceFacts,
} from '../../src/index.js';

const file = (over: Partial<FileInfo> = {}): FileInfo => ({ type: 'file', mode: 0o644, owner: 'root', group: 'root', uid: 0, gid: 0, size: 1, mtime: 1, ...over });
const dir = (over: Partial<FileInfo> = {}): FileInfo => file({ type: 'directory', mode: 0o755, ...over });
const argvs = (p: { commands: Array<{ argv: string[] }> }) => p.commands.map((c) => c.argv.join(' '));

describe('modes', () => {
  it.each([
    ['0644', 0o644, 0o600, false],
    ['644', 0o644, 0o600, false],
    [644, 0o644, 0o600, false],
    ['0o750', 0o750, 0, false],
    ['u+x', 0o744, 0o644, false],
    ['u=rw,g=r,o=', 0o640, 0o777, false],
    ['a-w', 0o444, 0o644, false],
    ['go-rwx', 0o700, 0o755, false],
    ['g+X', 0o654, 0o644, true],
    ['g+X', 0o644, 0o644, false],
    ['+x', 0o755, 0o644, false],
    ['u+s', 0o4755, 0o755, false],
    ['o+t', 0o1777, 0o777, true],
  ])('%s on %o', (spec, expected, current, isDir) => {
    expect(resolveMode(parseMode(spec), current, isDir)).toBe(expected);
  });
  it.each(['999', 'rwx', 'u+q', '', '12345'])('rejects %j', (spec) => {
    expect(() => parseMode(spec)).toThrow(/invalid mode/);
  });
  it('formats with four digits', () => expect(formatMode(0o4755)).toBe('4755'));
});

describe('shlexSplit', () => {
  it.each([
    ['ls -l /tmp', ['ls', '-l', '/tmp']],
    [`echo "a b" 'c d' e\\ f`, ['echo', 'a b', 'c d', 'e f']],
    [`printf "%s" "\\"q\\" \\$x"`, ['printf', '%s', '"q" $x']],
    [`a ''`, ['a', '']],
    [`a"b"'c'`, ['abc']],
    ['  spaced   out  ', ['spaced', 'out']],
  ])('%s', (line, expected) => expect(shlexSplit(line)).toEqual(expected));
  it('rejects an unterminated quote', () => expect(() => shlexSplit(`echo "oops`)).toThrow(/unterminated/));
});

describe('planFile', () => {
  it.each([
    ['directory: create with mode', undefined, { state: 'directory', mode: '0750', owner: 'www-data' }, ['mkdir -p -- /p', 'chmod 0750 -- /p', 'chown www-data -- /p']],
    ['directory: exists, right', dir(), { state: 'directory', mode: '0755' }, []],
    ['directory: exists, mode and group differ', dir(), { state: 'directory', mode: '0700', group: 'adm' }, ['chmod 0700 -- /p', 'chown :adm -- /p']],
    ['directory: owner by uid matches', dir({ owner: 'www-data', uid: 33 }), { state: 'directory', owner: '33' }, []],
    ['file: attributes only', file(), { state: 'file', mode: 'u+x' }, ['chmod 0744 -- /p']],
    ['absent: removes', file(), { state: 'absent' }, ['rm -rf -- /p']],
    ['absent: nothing there', undefined, { state: 'absent' }, []],
    ['touch: creates', undefined, { state: 'touch' }, ['touch -- /p']],
    ['touch: existing, preserve times', file(), { state: 'touch', modification_time: 'preserve', access_time: 'preserve' }, []],
    ['touch: existing, default updates times', file(), { state: 'touch' }, ['touch -m -a -- /p']],
    ['link: create', undefined, { state: 'link', src: '/opt/x' }, ['ln -sfn -- /opt/x /p']],
    ['link: already right', file({ type: 'link', linkTarget: '/opt/x' }), { state: 'link', src: '/opt/x' }, []],
    ['link: retarget', file({ type: 'link', linkTarget: '/opt/old' }), { state: 'link', src: '/opt/x' }, ['ln -sfn -- /opt/x /p']],
    ['link: replace a file with force', file(), { state: 'link', src: '/opt/x', force: true }, ['ln -sfn -- /opt/x /p']],
    ['link: owner on the link itself', file({ type: 'link', linkTarget: '/opt/x' }), { state: 'link', src: '/opt/x', owner: 'www-data' }, ['chown -h www-data -- /p']],
  ] as const)('%s', (_n, info, args, expected) => {
    expect(argvs(planFile(info as FileInfo | undefined, { path: '/p', ...(args as object) } as never))).toEqual(expected);
  });

  it.each([
    ['file that does not exist', undefined, { state: 'file' }, /does not exist/],
    ['directory over a file', file(), { state: 'directory' }, /not a directory/],
    ['link over a file without force', file(), { state: 'link', src: '/x' }, /force/],
    ['link over a directory', dir(), { state: 'link', src: '/x', force: true }, /directory/],
    ['link without src', undefined, { state: 'link' }, /needs src/],
  ] as const)('refuses: %s', (_n, info, args, message) => {
    expect(() => planFile(info as FileInfo | undefined, { path: '/p', ...(args as object) } as never)).toThrow(message);
  });
});

describe('editLine (lineinfile)', () => {
  const base = 'a=1\n#b=2\nc=3\n';
  it.each([
    ['replace the last regexp match', base, { regexp: '^#?b=', line: 'b=9' }, 'a=1\nb=9\nc=3\n', true],
    ['already there', base, { regexp: '^a=', line: 'a=1' }, base, false],
    ['append when nothing matches', base, { regexp: '^d=', line: 'd=4' }, 'a=1\n#b=2\nc=3\nd=4\n', true],
    ['no regexp, line present', base, { line: 'c=3' }, base, false],
    ['insertafter regexp', base, { line: 'x', insertafter: '^a=' }, 'a=1\nx\n#b=2\nc=3\n', true],
    ['insertafter without match goes to EOF', base, { line: 'x', insertafter: '^zzz' }, 'a=1\n#b=2\nc=3\nx\n', true],
    ['insertbefore BOF', base, { line: 'x', insertbefore: 'BOF' }, 'x\na=1\n#b=2\nc=3\n', true],
    ['insertbefore regexp', base, { line: 'x', insertbefore: '^c=' }, 'a=1\n#b=2\nx\nc=3\n', true],
    ['insertafter EOF', base, { line: 'x', insertafter: 'EOF' }, 'a=1\n#b=2\nc=3\nx\n', true],
    ['regexp wins over insertafter', base, { regexp: '^c=', line: 'c=0', insertafter: '^a=' }, 'a=1\n#b=2\nc=0\n', true],
    ['firstmatch replaces the first', 'k=1\nk=2\n', { regexp: '^k=', line: 'k=9', firstmatch: true }, 'k=9\nk=2\n', true],
    ['last match by default', 'k=1\nk=2\n', { regexp: '^k=', line: 'k=9' }, 'k=1\nk=9\n', true],
    ['backrefs expand groups', 'listen 80;\n', { regexp: '^listen (\\d+);', line: 'listen \\1 default_server;', backrefs: true }, 'listen 80 default_server;\n', true],
    ['backrefs with named group', 'port=80\n', { regexp: '^port=(?P<p>\\d+)', line: 'port=\\g<p>0', backrefs: true }, 'port=800\n', true],
    ['backrefs without match leaves the file', base, { regexp: '^zzz(.*)', line: 'x\\1', backrefs: true }, base, false],
    ['a file without final newline gets one', 'a=1', { line: 'b=2' }, 'a=1\nb=2\n', true],
    ['empty file', '', { line: 'x' }, 'x\n', true],
    ['search_string is literal', 'a.b=1\naxb=2\n', { search_string: 'a.b', line: 'a.b=0' }, 'a.b=0\naxb=2\n', true],
    ['absent by regexp removes all matches', 'k=1\nx\nk=2\n', { regexp: '^k=', state: 'absent' }, 'x\n', true],
    ['absent by line', base, { line: 'c=3', state: 'absent' }, 'a=1\n#b=2\n', true],
    ['absent, nothing matches', base, { line: 'zz', state: 'absent' }, base, false],
    ['hostile line stays text', base, { line: "x'; $(rm -rf /) `id`" }, `${base}x'; $(rm -rf /) \`id\`\n`, true],
  ] as const)('%s', (_n, before, args, after, changed) => {
    const r = editLine(before, { state: 'present', ...(args as object) } as never);
    expect(r.content).toBe(after);
    expect(r.changed).toBe(changed);
  });

  // Ansible 2.14's lineinfile, line for line: messages, line endings, where a line goes
  it.each([
    ['line added', 'a\n', { line: 'b' }, 'a\nb\n', 'line added'],
    ['nothing to do: empty msg', 'a\n', { line: 'a' }, 'a\n', ''],
    ['line replaced', 'a=1\n', { regexp: '^a=', line: 'a=2' }, 'a=2\n', 'line replaced'],
    ['$ matches before the line end, as in Python', 'a=1\nb\n', { regexp: '^a=1$', line: 'a=2' }, 'a=2\nb\n', 'line replaced'],
    // the \r\n line equal to line is found, and rewritten with \n (Ansible's b_new_line)
    ['a \r\n line equal to line is found and ends in \n', 'a\r\nb\r\n', { line: 'a' }, 'a\nb\r\n', 'line replaced'],
    ['a replaced line gets \n', 'a\r\nb\r\n', { regexp: '^a', line: 'c' }, 'c\nb\r\n', 'line replaced'],
    ['insertafter: after the last line found', 'k\nk\nz\n', { line: 'x', insertafter: '^k' }, 'k\nk\nx\nz\n', 'line added'],
    ['insertafter with firstmatch: after the first', 'k\nk\nz\n', { line: 'x', insertafter: '^k', firstmatch: true }, 'k\nx\nk\nz\n', 'line added'],
    ['insertafter: the line is already after it', 'k\nx\n', { line: 'x', insertafter: '^k' }, 'k\nx\n', ''],
    ['insertbefore: before the last line found', 'k\nk\n', { line: 'x', insertbefore: '^k' }, 'k\nx\nk\n', 'line added'],
    ['insertbefore BOF: the line is elsewhere already', 'a\nx\n', { line: 'x', insertbefore: 'BOF' }, 'a\nx\n', ''],
    ['insertafter BOF', 'a\n', { line: 'x', insertafter: 'BOF' }, 'x\na\n', 'line added'],
    ['backrefs: \\n in the line is a newline (match.expand)', 'a=1\n', { regexp: '^a=(\\d)', line: 'a=\\1\\nb', backrefs: true }, 'a=1\nb\n', 'line replaced'],
    ['backrefs: no match, nothing', 'a\n', { regexp: '^zz(.)', line: '\\1', backrefs: true }, 'a\n', ''],
    ['absent: found lines', 'a\nb\na\n', { line: 'a', state: 'absent' }, 'b\n', '2 line(s) removed'],
    ['absent: none found', 'a\n', { line: 'z', state: 'absent' }, 'a\n', ''],
  ] as const)('as Ansible: %s', (_n, before, args, after, msg) => {
    const r = editLine(before, { state: 'present', ...(args as object) } as never);
    expect(r.content).toBe(after);
    expect(r.msg).toBe(msg);
  });

  it('absent reports how many lines it found', () => {
    expect(editLine('a\nb\na\n', { state: 'absent', regexp: '^a' }).found).toBe(2);
    expect(editLine('a\n', { state: 'absent', search_string: 'z' }).found).toBe(0);
  });

  it('reports a bad regexp clearly', () => {
    expect(() => editLine('x', { state: 'present', regexp: '(', line: 'y' })).toThrow(/invalid regexp regular expression "\("/);
  });
});

describe('editBlock (blockinfile)', () => {
  const M = { marker: '# {mark} HAWEB', marker_begin: 'BEGIN', marker_end: 'END', state: 'present' as const };
  it.each([
    ['insert at EOF', 'a\n', { block: 'x\ny' }, 'a\n# BEGIN HAWEB\nx\ny\n# END HAWEB\n', true],
    ['already there', 'a\n# BEGIN HAWEB\nx\n# END HAWEB\n', { block: 'x' }, 'a\n# BEGIN HAWEB\nx\n# END HAWEB\n', false],
    ['replace content', 'a\n# BEGIN HAWEB\nold\n# END HAWEB\nz\n', { block: 'new' }, 'a\n# BEGIN HAWEB\nnew\n# END HAWEB\nz\n', true],
    ['insertbefore BOF', 'a\n', { block: 'x', insertbefore: 'BOF' }, '# BEGIN HAWEB\nx\n# END HAWEB\na\n', true],
    ['insertafter regexp', 'a\nb\n', { block: 'x', insertafter: '^a' }, 'a\n# BEGIN HAWEB\nx\n# END HAWEB\nb\n', true],
    ['absent removes markers and block', 'a\n# BEGIN HAWEB\nx\n# END HAWEB\nb\n', { block: '', state: 'absent' }, 'a\nb\n', true],
    ['empty block removes', 'a\n# BEGIN HAWEB\nx\n# END HAWEB\n', { block: '' }, 'a\n', true],
    ['absent without block', 'a\n', { block: 'x', state: 'absent' }, 'a\n', false],
    ['new file', '', { block: 'x' }, '# BEGIN HAWEB\nx\n# END HAWEB\n', true],
  ] as const)('%s', (_n, before, args, after, changed) => {
    const r = editBlock(before, { ...M, ...(args as object) } as never);
    expect(r.content).toBe(after);
    expect(r.changed).toBe(changed);
  });
  // Ansible 2.14's blockinfile, line for line: messages, line endings, (?m) patterns, a missing file
  it.each([
    ['a new file', undefined, { block: 'x' }, '# BEGIN HAWEB\nx\n# END HAWEB\n', 'File created'],
    ['a new file, empty block', undefined, { block: '' }, '', 'File created'],
    ['inserted', 'a\n', { block: 'x' }, 'a\n# BEGIN HAWEB\nx\n# END HAWEB\n', 'Block inserted'],
    ['unchanged', 'a\n# BEGIN HAWEB\nx\n# END HAWEB\n', { block: 'x' }, 'a\n# BEGIN HAWEB\nx\n# END HAWEB\n', ''],
    ['removed', 'a\n# BEGIN HAWEB\nx\n# END HAWEB\n', { block: '', state: 'absent' }, 'a\n', 'Block removed'],
    ['a file without final newline gets one before the block', 'a', { block: 'x' }, 'a\n# BEGIN HAWEB\nx\n# END HAWEB\n', 'Block inserted'],
    ['\r\n lines keep their endings', 'a\r\nb\r\n', { block: 'x', insertafter: '^a' }, 'a\r\n# BEGIN HAWEB\nx\n# END HAWEB\nb\r\n', 'Block inserted'],
    ['markers in reverse order: the span goes', 'a\n# END HAWEB\nold\n# BEGIN HAWEB\nz\n', { block: 'new' }, 'a\n# BEGIN HAWEB\nnew\n# END HAWEB\nz\n', 'Block inserted'],
    ['insertafter: the last line found', 'k\nk\nz\n', { block: 'x', insertafter: '^k' }, 'k\nk\n# BEGIN HAWEB\nx\n# END HAWEB\nz\n', 'Block inserted'],
    ['(?m) searches the whole file', 'A =\n  (L =\nb\n', { block: 'x', insertafter: '(?m)A =\\n.*\\(L =' }, 'A =\n  (L =\n# BEGIN HAWEB\nx\n# END HAWEB\nb\n', 'Block inserted'],
    ['(?m) insertbefore', 'a\nB =\n  (L\n', { block: 'x', insertbefore: '(?m)^B =\\n  \\(L' }, 'a\n# BEGIN HAWEB\nx\n# END HAWEB\nB =\n  (L\n', 'Block inserted'],
  ] as const)('as Ansible: %s', (_n, before, args, after, msg) => {
    const r = editBlock(before, { ...M, ...(args as object) } as never);
    expect(r.content).toBe(after);
    expect(r.msg).toBe(msg);
  });
});

describe('planPackages', () => {
  const installed = new Map<string, string | undefined>([
    ['nginx', '1.22.1-9'],
    ['keepalived', undefined],
    ['gcc', undefined],
  ]);
  it.each([
    ['yum installs only what is missing (RHEL)', 'yum', ['nginx', 'gcc'], 'present', ['yum install -y -q -- gcc']],
    ['dnf removes', 'dnf', ['nginx'], 'absent', ['dnf remove -y -q -- nginx']],
    ['yum: nothing to remove', 'yum', ['gcc'], 'absent', []],
  ] as const)('%s', (_n, tool, names, state, expected) => {
    expect(argvs(planPackages(installed, { tool, names: [...names], state }))).toEqual(expected);
  });
});

describe('planService', () => {
  const debian = (over: Partial<ServiceFacts> = {}): ServiceFacts => ({
    manager: 'sysv', exists: true, running: false, enabled: false, bootTool: 'update-rc.d', hasServiceCommand: true, startLinks: [], killLinks: [], ...over,
  });
  const rhel = (over: Partial<ServiceFacts> = {}): ServiceFacts => ({
    manager: 'sysv', exists: true, running: false, enabled: false, bootTool: 'chkconfig', hasServiceCommand: true, registered: true, ...over,
  });
  const systemd = (over: Partial<ServiceFacts> = {}): ServiceFacts => ({
    manager: 'systemd', exists: true, running: false, enabled: false, bootTool: 'systemctl', hasServiceCommand: false, ...over,
  });
  const all = (p: ReturnType<typeof planService>) => [...p.bootCommands, ...p.runCommands].map((c) => c.argv.join(' '));
  it.each([
    ['Debian: start + enable (no links yet)', debian(), { state: 'started', enabled: true }, ['update-rc.d nginx defaults', 'service nginx start']],
    ['Debian: enable with K links', debian({ killLinks: ['2', '3'] }), { enabled: true }, ['update-rc.d nginx enable']],
    ['Debian: disable', debian({ enabled: true, startLinks: ['2'] }), { enabled: false }, ['update-rc.d nginx disable']],
    ['Debian: running and enabled: nothing', debian({ running: true, enabled: true }), { state: 'started', enabled: true }, []],
    ['Debian: stop', debian({ running: true }), { state: 'stopped' }, ['service nginx stop']],
    ['Debian: stopped already', debian(), { state: 'stopped' }, []],
    ['Debian: restart always', debian({ running: true }), { state: 'restarted' }, ['service nginx restart']],
    ['Debian: reload a running one', debian({ running: true }), { state: 'reloaded' }, ['service nginx reload']],
    ['Debian: reload a stopped one starts it', debian(), { state: 'reloaded' }, ['service nginx start']],
    ['no service command: init.d script', debian({ hasServiceCommand: false }), { state: 'started' }, ['/etc/init.d/nginx start']],
    ['RHEL: enable registered', rhel(), { enabled: true }, ['chkconfig nginx on']],
    ['RHEL: enable unregistered adds first', rhel({ registered: false }), { enabled: true, state: 'started' }, ['chkconfig --add nginx', 'chkconfig nginx on', 'service nginx start']],
    ['RHEL: disable', rhel({ enabled: true }), { enabled: false }, ['chkconfig nginx off']],
    ['systemd: enable + start', systemd(), { enabled: true, state: 'started' }, ['systemctl enable -- nginx.service', 'systemctl start -- nginx.service']],
  ] as const)('%s', (_n, facts, args, expected) => {
    expect(all(planService(facts, { name: 'nginx', ...(args as object) }))).toEqual(expected);
  });
  it('refuses a missing service', () => {
    expect(() => planService(debian({ exists: false }), { name: 'nginx', state: 'started' })).toThrow(/no init script \/etc\/init.d\/nginx/);
    // under systemd, the systemd module's words (Ansible's service target searches for them)
    expect(() => planService(systemd({ exists: false }), { name: 'nonexisting', state: 'stopped' })).toThrow(/^Could not find the requested service nonexisting: host$/);
  });
});

describe('iptables planning', () => {
  it.each([
    [{ chain: 'INPUT', protocol: 'vrrp', jump: 'ACCEPT' }, ['-p', 'vrrp', '-j', 'ACCEPT']],
    [
      { chain: 'INPUT', protocol: 'tcp', destination_port: '80', ctstate: ['NEW', 'ESTABLISHED'], comment: 'web', jump: 'ACCEPT' },
      ['-p', 'tcp', '-m', 'tcp', '--dport', '80', '-m', 'conntrack', '--ctstate', 'NEW,ESTABLISHED', '-m', 'comment', '--comment', 'web', '-j', 'ACCEPT'],
    ],
    [{ chain: 'INPUT', protocol: 'tcp', match: ['state'], ctstate: ['NEW'], jump: 'ACCEPT' }, ['-p', 'tcp', '-m', 'state', '--state', 'NEW', '-j', 'ACCEPT']],
    [{ chain: 'INPUT', source: '!198.51.100.0/24', jump: 'DROP' }, ['!', '-s', '198.51.100.0/24', '-j', 'DROP']],
    [{ chain: 'INPUT', protocol: 'tcp', destination_ports: ['80', '443'], jump: 'ACCEPT' }, ['-p', 'tcp', '-m', 'multiport', '--dports', '80,443', '-j', 'ACCEPT']],
    [{ chain: 'INPUT', in_interface: 'eth1', destination: '224.0.0.18', jump: 'ACCEPT' }, ['-d', '224.0.0.18', '-i', 'eth1', '-j', 'ACCEPT']],
  ])('rule spec %j', (args, spec) => {
    expect(buildRuleSpec(args).spec).toEqual(spec);
  });
  it('rejects a port without protocol; an empty rule is a rule (Ansible appends it: it counts packets)', () => {
    expect(() => buildRuleSpec({ chain: 'INPUT', destination_port: '80', jump: 'ACCEPT' })).toThrow(/need protocol/);
    expect(buildRuleSpec({ chain: 'INPUT' }).spec).toEqual([]);
  });
  // The options issue 15 added, in the order Ansible's module gives the matches (the kernel compares them in order).
  it.each([
    [{ chain: 'INPUT', protocol: 'tcp', match: ['state'], destination_ports: ['80', '443'], ctstate: ['NEW'], jump: 'ACCEPT' },
      '-p tcp -m state -m multiport --dports 80,443 --state NEW -j ACCEPT'],
    [{ chain: 'INPUT', protocol: 'tcp', tcp_flags: { flags: ['ALL'], flags_set: ['ACK', 'RST', 'SYN', 'FIN'] }, destination_port: '22', jump: 'ACCEPT' },
      '-p tcp -m tcp --tcp-flags ALL ACK,RST,SYN,FIN --dport 22 -j ACCEPT'],
    [{ chain: 'INPUT', protocol: 'tcp', syn: 'negate' as const, ctstate: ['NEW'], jump: 'DROP' }, '-p tcp -m tcp ! --syn -m conntrack --ctstate NEW -j DROP'],
    [{ chain: 'INPUT', protocol: 'tcp', syn: 'match' as const, jump: 'ACCEPT' }, '-p tcp -m tcp --syn -j ACCEPT'],
    [{ chain: 'INPUT', src_range: '192.0.2.1-192.0.2.9', jump: 'ACCEPT' }, '-m iprange --src-range 192.0.2.1-192.0.2.9 -j ACCEPT'],
    [{ chain: 'INPUT', match: ['iprange'], dst_range: '!192.0.2.1-192.0.2.9', jump: 'ACCEPT' }, '-m iprange ! --dst-range 192.0.2.1-192.0.2.9 -j ACCEPT'],
    [{ chain: 'INPUT', match_set: 'admins', match_set_flags: 'src', jump: 'ACCEPT' }, '-m set --match-set admins src -j ACCEPT'],
    [{ chain: 'INPUT', protocol: 'icmp', icmp_type: 'echo-request', limit: '2/second', limit_burst: '5', jump: 'ACCEPT' },
      '-p icmp -m limit --limit 2/second --limit-burst 5 -m icmp --icmp-type echo-request -j ACCEPT'],
    [{ chain: 'OUTPUT', uid_owner: '1000', gid_owner: '!100', jump: 'ACCEPT' }, '-m owner --uid-owner 1000 -m owner ! --gid-owner 100 -j ACCEPT'],
    [{ chain: 'INPUT', protocol: 'tcp', reject_with: 'tcp-reset' }, '-p tcp -j REJECT --reject-with tcp-reset'],
    [{ chain: 'INPUT', log_prefix: 'IPTABLES: ', log_level: '4', jump: 'LOG' }, "-j LOG --log-prefix IPTABLES:  --log-level 4"],
    [{ chain: 'POSTROUTING', table: 'nat', out_interface: 'eth0', jump: 'SNAT', to_source: '192.0.2.1' }, '-o eth0 -j SNAT --to-source 192.0.2.1'],
    [{ chain: 'PREROUTING', table: 'mangle', protocol: 'tcp', destination_port: '22', jump: 'DSCP', set_dscp_mark_class: 'CS1' }, '-p tcp -m tcp --dport 22 -j DSCP --set-dscp-class CS1'],
    [{ chain: 'INPUT', goto: 'OTHER', fragment: '!' }, '! -f  -g OTHER'],
    [{ chain: 'INPUT', protocol: 'udp', comment: 'c', match: ['comment', 'udp'], destination_port: '53', jump: 'ACCEPT' }, '-p udp -m udp --dport 53 -m comment --comment c -j ACCEPT'],
  ])('rule spec %j', (args, text) => {
    expect(buildRuleSpec(args).spec.join(' ')).toBe(text);
  });
  it.each([
    [{}, /Either chain or flush/],
    [{ chain: 'INPUT', set_dscp_mark: '8', set_dscp_mark_class: 'CS1' }, /mutually exclusive: set_dscp_mark\|set_dscp_mark_class/],
    [{ chain: 'INPUT', flush: true, policy: 'DROP' as const }, /mutually exclusive: flush\|policy/],
    [{ chain: 'INPUT', jump: 'TEE' }, /missing: gateway/],
    [{ chain: 'INPUT', match_set: 'admins' }, /match_set needs match_set_flags/],
    [{ chain: 'INPUT', log_prefix: 'x', jump: 'DROP' }, /only be used with the LOG jump/],
  ])('refuses %j as Ansible does', (args, message) => {
    expect(() => resolveIptablesArgs(args)).toThrow(message);
  });
  it('logging options imply the LOG target; flush needs no chain', () => {
    expect(resolveIptablesArgs({ chain: 'INPUT', log_level: 'info' }).jump).toBe('LOG');
    expect(chainCommand(buildRuleSpec(resolveIptablesArgs({ flush: true, table: 'nat' })), '-F').join(' ')).toBe('iptables -w -t nat -F');
    expect(chainCommand(buildRuleSpec({ chain: 'INPUT' }), '-P', 'DROP').join(' ')).toBe('iptables -w -t filter -P INPUT DROP');
    expect(chainCommand({ ...buildRuleSpec({ chain: 'X', wait: '5' }), waitWithSeconds: true }, '-N').join(' ')).toBe('iptables -w 5 -t filter -N X');
  });
  const rule = buildRuleSpec({ chain: 'INPUT', protocol: 'vrrp', jump: 'ACCEPT' });
  it.each([
    [false, { state: 'present' }, 'iptables -w -t filter -A INPUT -p vrrp -j ACCEPT'],
    [false, { state: 'present', action: 'insert' }, 'iptables -w -t filter -I INPUT -p vrrp -j ACCEPT'],
    [false, { state: 'present', action: 'insert', rule_num: 2 }, 'iptables -w -t filter -I INPUT 2 -p vrrp -j ACCEPT'],
    [true, { state: 'present' }, undefined],
    [true, { state: 'absent' }, 'iptables -w -t filter -D INPUT -p vrrp -j ACCEPT'],
    [false, { state: 'absent' }, undefined],
  ] as const)('present=%s %j', (present, args, expected) => {
    expect(planRule(present, rule, args)?.join(' ')).toBe(expected);
  });
  it.each([
    ['Debian', 'ipv4', '/etc/iptables/rules.v4'],
    ['Debian', 'ipv6', '/etc/iptables/rules.v6'],
    ['RedHat', 'ipv4', '/etc/sysconfig/iptables'],
    ['RedHat', 'ipv6', '/etc/sysconfig/ip6tables'],
  ] as const)('%s %s rules are saved to %s', (family, v, path) => {
    expect(savedRulesPath(family, v).path).toBe(path);
  });
  it('saves atomically through a temp file in the same folder', () => {
    expect(saveScript(savedRulesPath('RedHat'))).toBe(
      "mkdir -p /etc/sysconfig && t=$(mktemp /etc/sysconfig/.iptables.XXXXXX) && if iptables-save > \"$t\" && chmod 0600 \"$t\" && mv -f \"$t\" /etc/sysconfig/iptables; then :; else rm -f \"$t\"; exit 1; fi",
    );
  });
});

describe('planScript', () => {
  it('joins quoted argv with && so one round trip runs the plan', () => {
    expect(planScript([{ argv: ['mkdir', '-p', '--', '/a b'] }, { argv: ['chmod', '0755', '--', "/it's"] }])).toBe(
      `mkdir -p -- '/a b' && chmod 0755 -- '/it'\\''s'`,
    );
  });
});
