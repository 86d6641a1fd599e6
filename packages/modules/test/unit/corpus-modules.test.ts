/**
 * What the public corpus (docs/compatibility/corpus.md) needed from the package, service and yum/dnf
 * modules (options passed to the backend as Ansible's actions do, policy_rc_d, exclude, allowerasing,
 * update_cache alone, sleep), and the small modules it uses: timezone, assemble, pip and firewalld.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  POLICY_RC_D_SCRIPT, assembleFragments, byCodePoint, editConfLine, isPipPackagePresent, parseRequirement, planPackages, planTimezone, pythonUnescape,
  planFirewalld, recoverPackageNames, requirementText, timezoneState, timezoneValues, withVersion, type TimezoneState,
} from '@haweb/hostkit';
import { FakeHost, REAL_FOLDERS, fsContext, runModule } from '@haweb/hostkit/testing';
import { assembleModule, firewalldModule, packageModule, pipModule, serviceModule, systemdModule, timezoneModule, yumModule } from '../../src/index.js';
import { stopSleepStart } from '../../src/modules/service.js';

const DEBIAN = { ansible_os_family: 'Debian', ansible_pkg_mgr: 'apt', ansible_service_mgr: 'sysvinit' };

describe('package: the arguments other than name/state/use go to the backend, as Ansible\'s package action', () => {
  it.each([
    [{ name: 'redis', enablerepo: 'epel' }, true],
    [{ name: 'keepalived', update_cache: true, cache_valid_time: 3600 }, true],
    [{ name: 'docker-ce', allow_downgrade: true }, true],
    [{ name: 'x', 'install-recommends': 'no' }, true],
    [{ name: 'x', frobnicate: 1 }, false],
  ])('%j accepted by validation: %s', (args, ok) => {
    const parsed = packageModule.args.safeParse(args);
    expect(parsed.success).toBe(ok);
    if (!ok) expect(parsed.error!.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['frobnicate'] });
  });

  it('an option apt does not take fails on a Debian host with Ansible\'s message', async () => {
    const host = new FakeHost('deb', REAL_FOLDERS);
    const r = await runModule(packageModule, { name: 'redis', enablerepo: 'epel' }, fsContext(host, { facts: DEBIAN }));
    expect(r).toMatchObject({ failed: true });
    expect(String(r.msg)).toMatch(/^Unsupported parameters for \(apt\) module: enablerepo/);
    expect(host.ran()).toEqual([]);
  });

  it('update_cache and cache_valid_time reach apt on a Debian host (a stale cache is updated first)', async () => {
    const host = new FakeHost('deb', REAL_FOLDERS);
    let updated = 1000;
    host.respond((_c, text) => {
      if (text.includes("-c 'import apt'")) return { code: 0, stdout: '/usr/bin/python3\n', stderr: '' };
      if (text.includes('update-success-stamp')) return { code: 0, stdout: `${updated} 100000\n`, stderr: '' };
      if (text.includes('apt-get update')) {
        updated = 100000;
        return { code: 0, stdout: '', stderr: '' };
      }
      if (text.startsWith('apt-cache policy')) return { code: 0, stdout: 'keepalived:\n  Installed: 1:2.2.7-1\n  Candidate: 1:2.2.7-1\n  Version table:\n *** 1:2.2.7-1 500\n', stderr: '' };
      if (text.startsWith('apt-mark manual')) return { code: 0, stdout: '', stderr: '' };
      return undefined;
    });
    const r = await runModule(packageModule, { name: 'keepalived', update_cache: true, cache_valid_time: 3600 }, fsContext(host, { facts: DEBIAN }));
    // As Ansible's apt: `changed` is the packages' (keepalived is there), the cache update is cache_updated.
    expect(r).toMatchObject({ changed: false, cache_updated: true });
    expect(host.ran().filter((t) => t.includes('apt-get'))).toEqual(['apt-get update -q']);
  });
});

describe('yum/dnf options', () => {
  const none = new Map<string, string | undefined>();
  it.each([
    [{ tool: 'dnf' as const, exclude: ['kernel*', 'php*'], allowErasing: true }, 'dnf install -y -q --exclude=kernel*,php* --allowerasing -- jenkins'],
    [{ tool: 'yum' as const, enableRepos: ['epel'], disableRepos: ['*'], exclude: ['postgresql*'] }, 'yum install -y -q --disablerepo=* --enablerepo=epel --exclude=postgresql* -- jenkins'],
  ])('%j', (opts, line) => {
    const plan = planPackages(none, { names: ['jenkins'], state: 'present', ...opts });
    expect(plan.commands.map((c) => c.argv.join(' '))).toEqual([line]);
  });

  it('update_cache alone: `yum clean expire-cache`, unchanged, "Cache updated" (Ansible\'s yum)', async () => {
    const host = new FakeHost('el', REAL_FOLDERS);
    const r = await runModule(yumModule, { update_cache: true }, fsContext(host));
    expect(r).toEqual({ changed: false, msg: 'Cache updated', results: [] });
    expect(host.ran()).toEqual(['yum clean expire-cache']);
  });

  it('neither name nor update_cache: refused by validation', () => {
    expect(yumModule.args.safeParse({ state: 'present' }).success).toBe(false);
  });
});

describe('apt policy_rc_d: /usr/sbin/policy-rc.d answers the code during the apt-get run only', () => {
  /** The script itself, run here with a path in a temporary folder. */
  function runScript(path: string, code: number, command: string): { rc: number; seen: string } {
    const seen = join(path, '..', 'seen');
    try {
      execFileSync('sh', ['-c', POLICY_RC_D_SCRIPT, 'policy-rc.d', path, String(code), 'sh', '-c', `cat "${path}" > "${seen}"; ${command}`]);
      return { rc: 0, seen: readFileSync(seen, 'utf8') };
    } catch (err) {
      return { rc: (err as { status: number }).status, seen: readFileSync(seen, 'utf8') };
    }
  }

  it('no policy-rc.d before: the command sees `exit 101`, the file is gone after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prcd-'));
    const r = runScript(join(dir, 'policy-rc.d'), 101, 'exit 0');
    expect(r).toEqual({ rc: 0, seen: '#!/bin/sh\nexit 101\n' });
    expect(existsSync(join(dir, 'policy-rc.d'))).toBe(false);
  });

  it('an existing policy-rc.d is put back, with its mode; the command\'s exit code is kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prcd-'));
    const path = join(dir, 'policy-rc.d');
    writeFileSync(path, '#!/bin/sh\nexit 0\n', { mode: 0o700 });
    const r = runScript(path, 101, 'exit 3');
    expect(r).toEqual({ rc: 3, seen: '#!/bin/sh\nexit 101\n' });
    expect(readFileSync(path, 'utf8')).toBe('#!/bin/sh\nexit 0\n');
    expect(statSync(path).mode & 0o777).toBe(0o700);
  });
});

describe('service: sleep, and systemd options', () => {
  it.each([
    [['service', 'postgresql', 'restart'], ['service postgresql stop', 'sleep 5', 'service postgresql start']],
    [['/etc/init.d/pg', 'restart'], ['/etc/init.d/pg stop', 'sleep 5', '/etc/init.d/pg start']],
    [['service', 'pg', 'start'], ['service pg start']],
  ])('%j with sleep 5', (argv, lines) => expect(stopSleepStart({ argv }, 5).map((c) => c.argv.join(' '))).toEqual(lines));

  it.each([
    [{ daemon_reload: true }, true],
    [{ name: 'keepalived', state: 'started', enabled: true, daemon_reload: true, masked: false }, true],
    [{ name: 'postgresql', state: 'restarted', sleep: 5 }, true],
    [{ state: 'started' }, false],
    // systemd's alias, passed through by Ansible's service action (setup_cron: service: {daemon-reload: yes})
    [{ name: 'cron', state: 'started', 'daemon-reload': true }, true],
  ])('%j accepted: %s', (args, ok) => expect(serviceModule.args.safeParse(args).success).toBe(ok));

  // Ansible 2.14's required_one_of counts daemon_reload/daemon_reexec's defaults: `name` alone is valid
  // (checked with ansible-playbook: it goes on to look for systemctl), as are none of the five.
  it.each([
    [{ name: 'docker' }, true],
    [{}, true],
    [{ name: 'docker', state: 'started' }, true],
    [{ state: 'started' }, false],
  ])('systemd %j accepted: %s', (args, ok) => expect(systemdModule.args.safeParse(args).success).toBe(ok));

  it('daemon_reload on a host not booted with systemd fails as Ansible\'s service module', async () => {
    const host = new FakeHost('sysv', REAL_FOLDERS);
    host.respond((_c, text) => (text.includes('/proc/1/comm') || text.includes('systemd') ? { code: 0, stdout: '', stderr: '' } : undefined));
    const r = await runModule(serviceModule, { daemon_reload: true }, fsContext(host));
    expect(r).toMatchObject({ failed: true });
    expect(String(r.msg)).toMatch(/^Unsupported parameters for \(service\) module: daemon_reload/);
  });
});

const DEBIAN_TZ: TimezoneState = {
  hasDpkgReconfigure: true, hasTzdataUpdate: false, hasHwclock: true, etcTimezone: 'Etc/UTC\n',
  localtime: { kind: 'link', target: '/usr/share/zoneinfo/Etc/UTC', resolves: true }, zoneFileExists: true, localtimeSameAsZone: false,
};

describe('timezone (community.general.timezone on Linux)', () => {
  const steps = (state: TimezoneState, args: Parameters<typeof planTimezone>[1]) => {
    const plan = planTimezone(state, args);
    return plan.failure ?? plan.steps.map((s) => (s.kind === 'run' ? s.argv.join(' ') : s.kind === 'file' ? `write ${s.path}: ${JSON.stringify(s.content)}` : s.kind));
  };
  it.each<[string, TimezoneState, Parameters<typeof planTimezone>[1], string | string[]]>([
    ['Debian, already Etc/UTC', DEBIAN_TZ, { name: 'Etc/UTC' }, []],
    ['Debian, to Europe/Paris', DEBIAN_TZ, { name: 'Europe/Paris' }, [
      'write /etc/timezone: "Europe/Paris\\n"', 'ln -sf /usr/share/zoneinfo/Europe/Paris /etc/localtime', 'dpkg-reconfigure --frontend noninteractive tzdata',
    ]],
    ['Debian, /etc/timezone right but /etc/localtime elsewhere', { ...DEBIAN_TZ, localtime: { kind: 'link', target: '/usr/share/zoneinfo/Asia/Tokyo', resolves: true } }, { name: 'Etc/UTC' }, [
      'write /etc/timezone: "Etc/UTC\\n"', 'ln -sf /usr/share/zoneinfo/Etc/UTC /etc/localtime', 'dpkg-reconfigure --frontend noninteractive tzdata',
    ]],
    ['Debian, /etc/localtime a copy of the zone file', { ...DEBIAN_TZ, localtime: { kind: 'file' }, localtimeSameAsZone: true }, { name: 'Etc/UTC' }, []],
    ['a zone that does not exist', { ...DEBIAN_TZ, zoneFileExists: false }, { name: 'Mars/Olympus' }, 'given timezone "Mars/Olympus" is not available'],
    ['no hwclock and no timedatectl', { ...DEBIAN_TZ, hasHwclock: false }, { name: 'Etc/UTC' }, 'Failed to find required executable "hwclock" (the timezone module needs it on hosts without a working timedatectl)'],
    ['systemd', { ...DEBIAN_TZ, timedatectl: '               Local time: x\n                Time zone: Etc/UTC (UTC, +0000)\n          RTC in local TZ: no\n' }, { name: 'Europe/Paris', hwclock: 'UTC' }, ['timedatectl set-timezone Europe/Paris']],
    ['hwclock to local on Debian', { ...DEBIAN_TZ, rcS: '# comment\nUTC=yes\n' }, { hwclock: 'local' }, ['write /etc/default/rcS: "# comment\\nUTC=no\\n"', 'hwclock --systohc --localtime']],
    ['RHEL: /etc/sysconfig/clock', { ...DEBIAN_TZ, hasDpkgReconfigure: false, etcTimezone: undefined, sysconfigClock: 'ZONE="America/New_York"\nUTC=true\n' }, { name: 'Etc/UTC' }, [
      'write /etc/sysconfig/clock: "ZONE=\\"Etc/UTC\\"\\nUTC=true\\n"', 'cp --remove-destination /usr/share/zoneinfo/Etc/UTC /etc/localtime',
    ]],
  ])('%s', (_what, state, args, expected) => expect(steps(state, args)).toEqual(expected));

  it.each([
    [undefined, 'Etc/UTC\n'],
    ['Europe/Paris\n', 'Etc/UTC\n'],
    // Every line that does not start with white space matches ^([^\s]+), a comment too (as in the module).
    ['# zone\nEurope/Paris\nAsia/Tokyo\n', 'Etc/UTC\n'],
    [' indented\nEurope/Paris\n', ' indented\nEtc/UTC\n'],
  ])('editConfLine(%j) as the module\'s _edit_file', (content, out) => expect(editConfLine(content, /^([^\s]+)/m, 'Etc/UTC\n')).toBe(out));

  it('reads the fact output', () => {
    const out = [
      '@@haweb-tz@@tools', 'dpkg-reconfigure', 'hwclock', '@@haweb-tz@@etc-timezone', 'Etc/UTC', '@@haweb-tz@@localtime', 'link', '/usr/share/zoneinfo/Etc/UTC', 'resolves',
      '@@haweb-tz@@zone', 'exists', 'same', '',
    ].join('\n');
    const state = timezoneState.parse(out, 0, { zone: 'Etc/UTC' });
    expect(state).toMatchObject({ hasDpkgReconfigure: true, hasHwclock: true, hasTzdataUpdate: false, etcTimezone: 'Etc/UTC\n', zoneFileExists: true, localtimeSameAsZone: true });
    expect(timezoneValues(state, { name: 'Etc/UTC' }, 'before')).toEqual({ name: 'Etc/UTC' });
  });

  // Registered as the module returns it: `r.diff.before.name` (user's test_expires.yml restores with it).
  it.each<[string, boolean, Record<string, unknown>]>([
    ['Etc/UTC', false, { changed: false, ansibleDiff: { before: { name: 'Etc/UTC' }, after: { name: 'Etc/UTC' } } }],
    ['Europe/Paris', true, { changed: true, ansibleDiff: { before: { name: 'Etc/UTC' }, after: { name: 'Europe/Paris' } } }],
  ])('the diff to register for %s (check mode: %s) is the module\'s dict', async (name, check, want) => {
    const host = new FakeHost('deb', REAL_FOLDERS);
    host.respond((_c, text) =>
      text.includes('@@haweb-tz@@tools')
        ? { code: 0, stdout: ['@@haweb-tz@@tools', 'dpkg-reconfigure', 'hwclock', '@@haweb-tz@@etc-timezone', 'Etc/UTC', '@@haweb-tz@@localtime', 'link', '/usr/share/zoneinfo/Etc/UTC', 'resolves', '@@haweb-tz@@zone', 'exists', ''].join('\n'), stderr: '' }
        : undefined,
    );
    expect(await runModule(timezoneModule, { name }, fsContext(host, { check }))).toMatchObject(want);
  });

  it('needs name or hwclock; rtc is hwclock\'s alias', () => {
    expect(timezoneModule.args.safeParse({}).success).toBe(false);
    expect(timezoneModule.args.safeParse({ rtc: 'UTC' }).success).toBe(true);
  });
});

describe('assemble', () => {
  const f = (name: string, content: string) => ({ name, content: Buffer.from(content) });
  it.each([
    ['sorted by name, a newline after a fragment without one', [f('b', 'two\n'), f('a', 'one')], {}, 'one\ntwo\n'],
    ['delimiter between fragments, always followed by a newline', [f('1', 'a\n'), f('2', 'b\n'), f('3', 'c')], { delimiter: '### x' }, 'a\n### x\nb\n### x\nc'],
    ['a delimiter ending with \\n still gets one more', [f('1', 'a\n'), f('2', 'b\n')], { delimiter: '#\\n' }, 'a\n#\n\nb\n'],
    ['regexp picks names (search, not match)', [f('10-a.conf', 'a\n'), f('README', 'r\n'), f('20-b.conf', 'b\n')], { regexp: /\.conf$/ }, 'a\nb\n'],
    ['ignore_hidden', [f('.hidden', 'h\n'), f('x', 'x\n')], { ignoreHidden: true }, 'x\n'],
    ['dot files kept by default, in code-point order', [f('x', 'x\n'), f('.hidden', 'h\n'), f('B', 'B\n')], {}, 'h\nB\nx\n'],
    ['an empty fragment is followed by a newline', [f('1', ''), f('2', 'b\n')], {}, '\nb\n'],
  ])('%s', (_what, files, opts, out) => expect(assembleFragments(files, opts).toString()).toBe(out));

  it.each([
    ['\\n', '\n'], ['a\\tb', 'a\tb'], ['\\x41\\101', 'AA'], ['\\\\', '\\'], ['\\q', '\\q'],
  ])('pythonUnescape(%j)', (text, out) => expect(pythonUnescape(text).toString('latin1')).toBe(out));

  it('byCodePoint is Python\'s str order', () => expect(['b', 'B', '_', 'a', '.x', 'é'].sort(byCodePoint)).toEqual(['.x', 'B', '_', 'a', 'b', 'é']));

  it('on the host: reads the folder, writes dest only when the content differs, returns SHA-1 checksum and the path info', async () => {
    const host = new FakeHost('h', REAL_FOLDERS);
    host.mkdir('/etc/app.d');
    const listing = ['directory', `${Buffer.from('10-a').toString('base64')} ${Buffer.from('a=1\n').toString('base64')}`, `${Buffer.from('20-b').toString('base64')} ${Buffer.from('b=2').toString('base64')}`, ''].join('\n');
    host.respond((_c, text) => (text.includes("cd '/etc/app.d'") || text.includes('cd /etc/app.d') ? { code: 0, stdout: listing, stderr: '' } : undefined));
    const r = await runModule(assembleModule, { src: '/etc/app.d', dest: '/etc/app.conf', mode: '0640' }, fsContext(host));
    expect(r).toMatchObject({ changed: true, src: '/etc/app.d', dest: '/etc/app.conf', checksum: createHash('sha1').update('a=1\nb=2').digest('hex'), msg: 'OK' });
    expect(host.text('/etc/app.conf')).toBe('a=1\nb=2');
    expect(host.stored('/etc/app.conf')?.mode).toBe('0640');
    const again = await runModule(assembleModule, { src: '/etc/app.d', dest: '/etc/app.conf', mode: '0640' }, fsContext(host));
    expect(again).toMatchObject({ changed: false });
    // add_path_info on dest, as Ansible's exit_json does (its assemble target asserts result.state)
    expect(again).toMatchObject({ state: 'file', mode: '0640', size: 7 });
  });

  it('a missing folder fails as Ansible says it', async () => {
    const host = new FakeHost('h', REAL_FOLDERS);
    host.respond((_c, text) => (text.includes('echo missing') ? { code: 0, stdout: 'missing\n', stderr: '' } : undefined));
    expect(await runModule(assembleModule, { src: '/nope', dest: '/etc/x' }, fsContext(host))).toMatchObject({ failed: true, msg: 'Source (/nope) does not exist' });
  });
});

describe('pip: names, requirements and versions as the module reads them', () => {
  it.each([
    [['django>1.11.1', '<1.11.3', 'ipaddress', 'simpleproject>1.1.0', '<2.0.0'], ['django>1.11.1,<1.11.3', 'ipaddress', 'simpleproject>1.1.0,<2.0.0']],
    [['django>1.11.1,<1.11.3,ipaddress', 'simpleproject>1.1.0,<2.0.0'], ['django>1.11.1,<1.11.3', 'ipaddress', 'simpleproject>1.1.0,<2.0.0']],
    [['requests[security,socks]>=2.0'], ['requests[security,socks]>=2.0']],
  ])('recoverPackageNames(%j)', (names, out) => expect(recoverPackageNames(names)).toEqual(out));

  it.each([
    ['supervisor', 'supervisor'],
    ['Django>1.11.1,<1.11.3', 'Django<1.11.3,>1.11.1'],
    [withVersion('supervisor', '4.2.5'), 'supervisor==4.2.5'],
    [withVersion('supervisor', '>=4.0'), 'supervisor>=4.0'],
    ['requests[socks,security] >= 2.0', 'requests[security,socks]>=2.0'],
  ])('str(Requirement(%j)) = %j', (text, out) => expect(requirementText(parseRequirement(text)!)).toBe(out));

  it.each([
    ['supervisor', 'supervisor==4.2.5', true],
    ['Supervisor_X', 'supervisor-x==1.0', true],
    ['supervisor==4.2.5', 'supervisor==4.2.5', true],
    ['supervisor==4.2', 'supervisor==4.2.0', true],
    ['supervisor>=4.3', 'supervisor==4.2.5', false],
    ['pkg~=2.2', 'pkg==2.9', true],
    ['pkg~=2.2', 'pkg==3.0', false],
    ['pkg~=1.4.5', 'pkg==1.4.9', true],
    ['pkg~=1.4.5', 'pkg==1.5.0', false],
    ['pkg==1.4.*', 'pkg==1.4.9', true],
    ['pkg!=1.4.*', 'pkg==1.4.9', false],
    ['pkg<2.0', 'pkg==2.0rc1', false],
    ['pkg<2.0', 'pkg==1.9rc1', true],
    ['pkg>=1.0', 'pkg==1.0.dev1', false],
    ['pkg>=1.0a1', 'pkg==1.0', true],
    ['pkg>1.0', 'pkg==1.0.post1', false],
    ['pkg>1.0', 'pkg==1.0.1', true],
    ['other', 'pkg==1.0', false],
  ])('%s satisfied by %s: %s', (req, line, ok) => expect(isPipPackagePresent(parseRequirement(req), [line])).toBe(ok));

  it.each([
    [{ name: ['x'], requirements: 'r.txt' }, false],
    [{}, false],
    [{ name: 'x', executable: 'pip3', virtualenv: '/v' }, false],
    [{ name: 'x', version: 4.2 }, true],
    [{ requirements: '/srv/app/requirements.txt', virtualenv: '/srv/app/venv', virtualenv_command: 'python3 -m venv' }, true],
  ])('%j accepted: %s', (args, ok) => expect(pipModule.args.safeParse(args).success).toBe(ok));
});

describe('firewalld: the module\'s transaction, with firewall-cmd', () => {
  const port = { kind: 'port' as const, value: '8080/tcp' };
  const running = { installed: true, running: true, zone: 'public', errors: '' };
  it.each<[string, Parameters<typeof planFirewalld>[0], Omit<Parameters<typeof planFirewalld>[1], 'item'>, string[] | string, string]>([
    ['permanent + immediate, neither there', { ...running, immediate: 1, permanent: 1 }, { state: 'enabled', permanent: true, immediate: true, timeout: 0 },
      ['firewall-cmd --permanent --zone=public --add-port=8080/tcp', 'firewall-cmd --zone=public --add-port=8080/tcp'],
      'Permanent and Non-Permanent(immediate) operation, Changed port 8080/tcp to enabled'],
    ['permanent + immediate, both there', { ...running, immediate: 0, permanent: 0 }, { state: 'enabled', permanent: true, immediate: true, timeout: 0 }, [],
      'Permanent and Non-Permanent(immediate) operation'],
    ['only the runtime one missing', { ...running, immediate: 1, permanent: 0 }, { state: 'enabled', permanent: true, immediate: true, timeout: 0 },
      ['firewall-cmd --zone=public --add-port=8080/tcp'], 'Permanent and Non-Permanent(immediate) operation, Changed port 8080/tcp to enabled'],
    ['neither permanent nor immediate: immediate, with a timeout', { ...running, immediate: 1, permanent: 1 }, { state: 'enabled', immediate: false, timeout: 30 },
      ['firewall-cmd --zone=public --add-port=8080/tcp --timeout=30'], 'Non-permanent operation, Changed port 8080/tcp to enabled'],
    ['disabled, permanent only', { ...running, immediate: 0, permanent: 0 }, { state: 'disabled', permanent: true, immediate: false, timeout: 0 },
      ['firewall-cmd --permanent --zone=public --remove-port=8080/tcp'], 'Permanent operation, Changed port 8080/tcp to disabled'],
    ['firewalld stopped: permanent only, offline', { installed: true, running: false, zone: 'public', permanent: 1, errors: '' }, { state: 'enabled', permanent: true, immediate: false, timeout: 0 },
      ['firewall-offline-cmd --zone=public --add-port=8080/tcp'], 'Permanent operation, Changed port 8080/tcp to enabled, (offline operation: only on-disk configs were altered)'],
    ['firewalld stopped and immediate asked', { installed: true, running: false, zone: 'public', permanent: 1, errors: '' }, { state: 'enabled', permanent: true, immediate: true, timeout: 0 },
      'firewall is not currently running, unable to perform immediate actions without a running firewall daemon', ''],
    ['no firewalld', { installed: false, running: false, zone: '', errors: '' }, { state: 'enabled', permanent: true, immediate: true, timeout: 0 },
      'Failed to import the required Python library (firewall) on the host\'s Python. Version 0.2.11 or newer required (0.3.9 or newer for offline operations)', ''],
    ['an unknown zone', { ...running, immediate: 112, permanent: 112, errors: 'Error: INVALID_ZONE: nope' }, { state: 'enabled', permanent: true, immediate: true, timeout: 0 },
      'ERROR: Exception caught: Error: INVALID_ZONE: nope', ''],
  ])('%s', (_what, q, a, commands, msg) => {
    const plan = planFirewalld(q, { item: port, ...a });
    if (typeof commands === 'string') expect(plan.failure).toBe(commands);
    else {
      expect(plan.failure).toBeUndefined();
      expect(plan.commands.map((c) => c.join(' '))).toEqual(commands);
      expect(plan.msg).toBe(msg);
    }
  });

  it.each([
    [{ port: '8080/tcp', permanent: true, state: 'enabled', immediate: true }, true],
    [{ port: '8080/tcp', service: 'http', state: 'enabled' }, false],
    [{ port: '8080/tcp', state: 'present' }, false],
    [{ rich_rule: 'rule family=ipv4 accept', state: 'enabled' }, false],
  ])('%j accepted: %s', (args, ok) => expect(firewalldModule.args.safeParse(args).success).toBe(ok));
});
