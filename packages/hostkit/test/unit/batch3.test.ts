/**
 * Issue 15's third batch as pure plans: ini_file's line edits, authorized_key's file rewrite, mount's
 * fstab edits and mount table, cron's crontab edits, known_hosts' search and rewrite, debconf's
 * reading. The expected values of the ini_file, authorized_key, mount and cron tables were produced by
 * Ansible's own code on the same inputs (community.general's do_ini, ansible.posix's enforce_state,
 * _set_mount_save_old and unset_mount, ansible.builtin.cron run on a cron_file), Debian's ansible 2.14,
 * 2026-12-05.
 */
import { describe, expect, it } from 'vitest';
import {
  cronEnvNames, cronJobNames, fileCrontab, planCron, renderCrontab, userCrontab, type CronArgs,
} from '../../src/plans/cron.js';
import { debconfChanges, debconfSelection, parseDebconfShow } from '../../src/plans/debconf.js';
import { planIniEdit, type IniArgs } from '../../src/plans/ini-file.js';
import { AuthorizedKeyError, authorizedKeyState, parseKeyOptions, planAuthorizedKeys, type AuthorizedKeyArgs } from '../../src/plans/authorized-key.js';
import { hashHostKey, knownHostsAfter, searchHostKey } from '../../src/plans/known-hosts.js';
import { escapeFstab, fstabWithEntry, fstabWithoutEntry, isMounted, parseMountinfo, remountScript, mountArgv, type MountEntry } from '../../src/plans/mount.js';

describe("planIniEdit (community.general.ini_file's do_ini)", () => {
  it.each<[string, string | undefined, IniArgs, { changed: boolean; content: string; msg: string }]>([
    ["new option in a new section of an empty file", "", {"section": "db", "option": "host", "values": ["a"], "state": "present", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "\n[db]\nhost = a\n", msg: "section and option added" }],
    ["missing file", undefined, {"section": "db", "option": "host", "values": ["a"], "state": "present", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "\n[db]\nhost = a\n", msg: "section and option added" }],
    ["option changed in place", "[db]\nhost = a\nport = 1\n", {"section": "db", "option": "host", "values": ["b"], "state": "present", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "[db]\nhost = b\nport = 1\n", msg: "option changed" }],
    ["unchanged", "[db]\nhost = a\n", {"section": "db", "option": "host", "values": ["a"], "state": "present", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: false, content: "[db]\nhost = a\n", msg: "OK" }],
    ["no spaces kept as asked", "[db]\nhost=a\n", {"section": "db", "option": "host", "values": ["a"], "state": "present", "exclusive": true, "noExtraSpaces": true, "allowNoValue": false}, { changed: false, content: "[db]\nhost=a\n", msg: "OK" }],
    ["spaces normalised", "[db]\nhost=a\n", {"section": "db", "option": "host", "values": ["a"], "state": "present", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "[db]\nhost = a\n", msg: "option changed" }],
    ["commented option replaced", "[db]\n# host = x\nport = 1\n", {"section": "db", "option": "host", "values": ["a"], "state": "present", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "[db]\nhost = a\nport = 1\n", msg: "option changed" }],
    ["added after the last setting, before trailing comments", "[db]\nport = 1\n\n# end\n[web]\nx = 1\n", {"section": "db", "option": "host", "values": ["a"], "state": "present", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "[db]\nport = 1\nhost = a\n\n# end\n[web]\nx = 1\n", msg: "option added" }],
    ["no trailing newline", "[db]\nhost = a", {"section": "db", "option": "host", "values": ["a"], "state": "present", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "[db]\nhost = a\n", msg: "OK" }],
    ["no section: top of the file", "a = 1\n[db]\nb = 2\n", {"section": null, "option": "c", "values": ["3"], "state": "present", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "a = 1\nc = 3\n[db]\nb = 2\n", msg: "option added" }],
    ["absent option", "[db]\nhost = a\nport = 1\n", {"section": "db", "option": "host", "values": [], "state": "absent", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "[db]\nport = 1\n", msg: "option changed" }],
    ["absent keeps commented lines", "[db]\n#host = a\nhost = b\n", {"section": "db", "option": "host", "values": [], "state": "absent", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "[db]\n#host = a\n", msg: "option changed" }],
    ["absent section", "[a]\nx = 1\n[db]\nhost = a\n[c]\ny = 2\n", {"section": "db", "option": null, "values": [], "state": "absent", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "[a]\nx = 1\n[c]\ny = 2\n", msg: "section removed" }],
    ["several values, exclusive", "[s]\nk = 1\nk = 2\nk = 3\n", {"section": "s", "option": "k", "values": ["3", "4"], "state": "present", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "[s]\nk = 4\nk = 3\n", msg: "option changed" }],
    ["several values, not exclusive", "[s]\nk = 1\nk = 2\n", {"section": "s", "option": "k", "values": ["2", "5"], "state": "present", "exclusive": false, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "[s]\nk = 1\nk = 2\nk = 5\n", msg: "option added" }],
    ["absent one value, not exclusive", "[s]\nk = 1\nk = 2\n", {"section": "s", "option": "k", "values": ["1"], "state": "absent", "exclusive": false, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "[s]\nk = 2\n", msg: "option changed" }],
    ["allow_no_value", "[mysqld]\nport = 1\n", {"section": "mysqld", "option": "skip-name-resolve", "values": [], "state": "present", "exclusive": true, "noExtraSpaces": false, "allowNoValue": true}, { changed: true, content: "[mysqld]\nport = 1\nskip-name-resolve\n", msg: "option added" }],
    ["only a section", "[a]\nx = 1\n", {"section": "b", "option": null, "values": [], "state": "present", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "[a]\nx = 1\n[b]\n", msg: "only section added" }],
    ["section name prefix", "[dbx]\nhost = a\n", {"section": "db", "option": "host", "values": ["a"], "state": "present", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "[dbx]\nhost = a\n[db]\nhost = a\n", msg: "section and option added" }],
    ["regex characters in the option", "[s]\na.b = 1\naxb = 2\n", {"section": "s", "option": "a.b", "values": ["3"], "state": "present", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "[s]\na.b = 3\naxb = 2\n", msg: "option changed" }],
    ["duplicates in values", "", {"section": "s", "option": "k", "values": ["1", "1"], "state": "present", "exclusive": true, "noExtraSpaces": false, "allowNoValue": false}, { changed: true, content: "\n[s]\nk = 1\n", msg: "section and option added" }],
  ])('%s', (_why, content, args, expected) => {
    expect(planIniEdit(content, args)).toEqual(expected);
  });
});

describe("planAuthorizedKeys (ansible.posix.authorized_key's enforce_state)", () => {
  it.each<[string, string, AuthorizedKeyArgs, { changed: boolean; content: string }]>([
    ["a key into an empty file", "", {"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a", "state": "present", "keyOptions": null, "comment": null, "exclusive": false}, { changed: true, content: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\n" }],
    ["a key into a missing file", "", {"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a", "state": "present", "keyOptions": null, "comment": null, "exclusive": false}, { changed: true, content: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\n" }],
    ["the same key again", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\n", {"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a", "state": "present", "keyOptions": null, "comment": null, "exclusive": false}, { changed: false, content: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\n" }],
    ["a key without comment: Ansible's trailing space", "", {"key": "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAK3", "state": "present", "keyOptions": null, "comment": null, "exclusive": false}, { changed: true, content: "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAK3 \n" }],
    ["a second key appended, comments and blank lines kept", "# keys\n\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\n", {"key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b", "state": "present", "keyOptions": null, "comment": null, "exclusive": false}, { changed: true, content: "# keys\n\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b\n" }],
    ["a new comment moves the key to the end", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b\n", {"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a", "state": "present", "keyOptions": null, "comment": "new", "exclusive": false}, { changed: true, content: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 new\n" }],
    ["key_options added", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\n", {"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a", "state": "present", "keyOptions": "no-port-forwarding,from=\"10.0.0.1,10.0.0.2\"", "comment": null, "exclusive": false}, { changed: true, content: "no-port-forwarding,from=\"10.0.0.1,10.0.0.2\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\n" }],
    ["options in the key itself", "", {"key": "command=\"/bin/echo hi\",no-pty ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b", "state": "present", "keyOptions": null, "comment": null, "exclusive": false}, { changed: true, content: "command=\"/bin/echo hi\",no-pty ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b\n" }],
    ["same options in another order: unchanged", "no-pty,no-X11-forwarding ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\n", {"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a", "state": "present", "keyOptions": "no-X11-forwarding,no-pty", "comment": null, "exclusive": false}, { changed: false, content: "no-pty,no-X11-forwarding ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\n" }],
    ["absent", "# c\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b\n", {"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a", "state": "absent", "keyOptions": null, "comment": null, "exclusive": false}, { changed: true, content: "# c\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b\n" }],
    ["absent, not there", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b\n", {"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a", "state": "absent", "keyOptions": null, "comment": null, "exclusive": false}, { changed: false, content: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b\n" }],
    ["exclusive: only the given keys stay", "# c\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b\n", {"key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b\necdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAK3", "state": "present", "keyOptions": null, "comment": null, "exclusive": true}, { changed: true, content: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b\necdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAK3 \n" }],
    ["several keys at once, comment lines in key ignored", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\n", {"key": "# mine\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b\necdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAK3\n", "state": "present", "keyOptions": null, "comment": null, "exclusive": false}, { changed: true, content: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b\necdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAK3 \n" }],
    ["a line that is no key is kept", "garbage line\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\n", {"key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b", "state": "present", "keyOptions": null, "comment": null, "exclusive": false}, { changed: true, content: "garbage line\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 alice@a\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQK2 bob@b\n" }],
    ["escaped hash", "", {"key": "ssh-ed25519 AAAAX c\\#1", "state": "present", "keyOptions": null, "comment": null, "exclusive": false}, { changed: true, content: "ssh-ed25519 AAAAX c#1\n" }],
  ])('%s', (_why, content, args, expected) => {
    expect(planAuthorizedKeys(content, args)).toEqual(expected);
  });

  it('refuses a line that is no key, in Ansible words', () => {
    expect(() => planAuthorizedKeys('', { key: 'not a key', state: 'present', exclusive: false })).toThrow(new AuthorizedKeyError('invalid key specified: not a key'));
  });

  it.each<[string, [string, string | null][]]>([
    ['no-pty', [['no-pty', null]]],
    ['from="a,b",no-pty,permitopen="h:1",permitopen="h:2"', [['from', '"a,b"'], ['no-pty', null], ['permitopen', '"h:1"'], ['permitopen', '"h:2"']]],
    ['', []],
  ])('options %j', (text, expected) => expect(parseKeyOptions(text)).toEqual(expected));

  it('reads the user, the real path and the file in one command', () => {
    const out = '@@haweb-akey@@passwd\ndeploy:x:1001:1002::/home/deploy:/bin/sh\n@@haweb-akey@@realpath\n/home/deploy/.ssh/authorized_keys\n@@haweb-akey@@dir\nyes\n@@haweb-akey@@content\nssh-rsa AAAA x\n';
    expect(authorizedKeyState.parse(out, 0)).toEqual({
      user: { name: 'deploy', password: 'x', uid: 1001, gid: 1002, comment: '', home: '/home/deploy', shell: '/bin/sh' },
      realpath: '/home/deploy/.ssh/authorized_keys',
      content: 'ssh-rsa AAAA x\n',
      dirExists: true,
    });
    expect(authorizedKeyState.parse('@@haweb-akey@@passwd\n@@haweb-akey@@realpath\n@@haweb-akey@@dir\n@@haweb-akey@@content\n', 0)).toEqual({ content: '', dirExists: false });
  });
});

describe("fstab edits (ansible.posix.mount's _set_mount_save_old and unset_mount)", () => {
  it.each<[string, string, MountEntry, { changed: boolean; content: string }]>([
    ["set: a new entry appended", "# fstab\nUUID=1 / ext4 errors=remount-ro 0 1\n", {"src": "/dev/vdb1", "name": "/srv/data", "fstype": "ext4", "opts": "defaults", "dump": "0", "passno": "0"}, { changed: true, content: "# fstab\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/vdb1 /srv/data ext4 defaults 0 0\n" }],
    ["set: the same entry", "/dev/vdb1 /srv/data ext4 defaults 0 0\n", {"src": "/dev/vdb1", "name": "/srv/data", "fstype": "ext4", "opts": "defaults", "dump": "0", "passno": "0"}, { changed: false, content: "/dev/vdb1 /srv/data ext4 defaults 0 0\n" }],
    ["set: options changed in place", "a / ext4 defaults 0 1\n/dev/vdb1 /srv/data ext4 defaults 0 0\nb /x xfs defaults 0 0\n", {"src": "/dev/vdb1", "name": "/srv/data", "fstype": "ext4", "opts": "noatime", "dump": "0", "passno": "0"}, { changed: true, content: "a / ext4 defaults 0 1\n/dev/vdb1 /srv/data ext4 noatime 0 0\nb /x xfs defaults 0 0\n" }],
    ["set: a 4-field line is rewritten", "tmpfs /srv/t tmpfs size=1m\n", {"src": "tmpfs", "name": "/srv/t", "fstype": "tmpfs", "opts": "size=1m", "dump": "0", "passno": "0"}, { changed: true, content: "tmpfs /srv/t tmpfs size=1m 0 0\n" }],
    ["set: spaces escaped", "", {"src": "/a&b", "name": "/srv/my data", "fstype": "none", "opts": "bind", "dump": "0", "passno": "0"}, { changed: true, content: "/a\\046b /srv/my\\040data none bind 0 0\n" }],
    ["set: no trailing newline", "a / ext4 defaults 0 1", {"src": "tmpfs", "name": "/srv/t", "fstype": "tmpfs", "opts": "defaults", "dump": "0", "passno": "0"}, { changed: true, content: "a / ext4 defaults 0 1\ntmpfs /srv/t tmpfs defaults 0 0\n" }],
    ["set: tabs kept on other lines", "a\t/\text4\tdefaults\t0\t1\n", {"src": "tmpfs", "name": "/srv/t", "fstype": "tmpfs", "opts": "defaults", "dump": "0", "passno": "0"}, { changed: true, content: "a\t/\text4\tdefaults\t0\t1\ntmpfs /srv/t tmpfs defaults 0 0\n" }],

  ])('%s', (_why, content, entry, expected) => {
    expect(fstabWithEntry(content, entry)).toEqual(expected);
  });

  it.each<[string, string, string, { changed: boolean; content: string }]>([
    ["unset: the entry removed, comments kept", "# c\n/dev/vdb1 /srv/data ext4 defaults 0 0\na / ext4 defaults 0 1\n", "/srv/data", { changed: true, content: "# c\na / ext4 defaults 0 1\n" }],
    ["unset: not there", "a / ext4 defaults 0 1\n", "/srv/data", { changed: false, content: "a / ext4 defaults 0 1\n" }],
    ["unset: a 4-field line is not removed", "tmpfs /srv/t tmpfs size=1m\n", "/srv/t", { changed: false, content: "tmpfs /srv/t tmpfs size=1m\n" }],

  ])('%s', (_why, content, name, expected) => {
    expect(fstabWithoutEntry(content, name)).toEqual(expected);
  });

  it.each([['a b', 'a\\040b'], ['a&b', 'a\\046b'], ['a\\b', 'a\\134b']])('escapes %j', (v, out) => expect(escapeFstab(v)).toBe(out));

  it('reads the mount table (a tmpfs, a bind mount of a sub-folder, an escaped space)', () => {
    const mounts = parseMountinfo([
      '22 1 0:21 / / rw,relatime - overlay overlay rw,lowerdir=/l',
      '40 22 0:35 / /srv/t rw,relatime shared:5 - tmpfs tmpfs rw,size=1024k',
      '41 22 0:21 /srv/src /srv/bind rw,relatime - overlay overlay rw',
      '42 22 0:36 / /srv/my\\040data rw - tmpfs none rw',
      '',
    ].join('\n'));
    expect(mounts).toEqual([
      { target: '/', root: '/', fstype: 'overlay', source: 'overlay' },
      { target: '/srv/t', root: '/', fstype: 'tmpfs', source: 'tmpfs' },
      { target: '/srv/bind', root: '/srv/src', fstype: 'overlay', source: 'overlay' },
      { target: '/srv/my data', root: '/', fstype: 'tmpfs', source: 'none' },
    ]);
    const facts = { mounts, pathExists: true };
    expect([isMounted(facts, '/srv/t'), isMounted(facts, '/srv/t/'), isMounted(facts, '/srv/bind'), isMounted(facts, '/srv')]).toEqual([true, true, true, false]);
  });

  it('mounts and remounts as Ansible runs them (-T only for another fstab)', () => {
    expect(mountArgv('/srv/t', '/etc/fstab')).toEqual(['mount', '/srv/t']);
    expect(mountArgv('/srv/t', '/etc/fstab.lab')).toEqual(['mount', '-T', '/etc/fstab.lab', '/srv/t']);
    expect(remountScript('/srv/t', '/etc/fstab', 'defaults')).toBe("mount -o remount /srv/t || { umount /srv/t && mount /srv/t; }");
    expect(remountScript('/srv/t', '/etc/fstab', 'size=2m')).toBe("mount -o remount,size=2m /srv/t || { false; }");
  });
});

describe("planCron (Ansible's cron module on a cron file)", () => {
  it.each<[string, string | undefined, CronArgs, { removed: boolean; content: string; jobs: string[] | null; envs: string[] | null; changed: boolean }]>([
    ["a job into a new file", undefined, {"name": "backup", "state": "present", "env": false, "job": "/usr/local/bin/backup", "spec": {"minute": "0", "hour": "2", "day": "*", "month": "*", "weekday": "*", "disabled": false, "user": "root", "inFile": true}}, {"removed": false, "content": "#Ansible: backup\n0 2 * * * root /usr/local/bin/backup\n", "jobs": ["backup"], "envs": [], "changed": true}],
    ["the same job again", "#Ansible: backup\n0 2 * * * root /usr/local/bin/backup\n", {"name": "backup", "state": "present", "env": false, "job": "/usr/local/bin/backup", "spec": {"minute": "0", "hour": "2", "day": "*", "month": "*", "weekday": "*", "disabled": false, "user": "root", "inFile": true}}, {"removed": false, "content": "#Ansible: backup\n0 2 * * * root /usr/local/bin/backup\n", "jobs": ["backup"], "envs": [], "changed": false}],
    ["the time changed in place", "SHELL=/bin/sh\n#Ansible: backup\n0 2 * * * root /usr/local/bin/backup\n#Ansible: other\n* * * * * root true\n", {"name": "backup", "state": "present", "env": false, "job": "/usr/local/bin/backup", "spec": {"minute": "30", "hour": "3", "day": "*", "month": "*", "weekday": "*", "disabled": false, "user": "root", "inFile": true}}, {"removed": false, "content": "SHELL=/bin/sh\n#Ansible: backup\n30 3 * * * root /usr/local/bin/backup\n#Ansible: other\n* * * * * root true\n", "jobs": ["backup", "other"], "envs": ["SHELL"], "changed": true}],
    ["special time, disabled", "", {"name": "boot", "state": "present", "env": false, "job": "/bin/true", "spec": {"minute": "*", "hour": "*", "day": "*", "month": "*", "weekday": "*", "special": "reboot", "disabled": true, "user": "www-data", "inFile": true}}, {"removed": false, "content": "#Ansible: boot\n#@reboot www-data /bin/true\n", "jobs": ["boot"], "envs": [], "changed": true}],
    ["an unmarked copy of the job gets its marker", "0 2 * * * root /usr/local/bin/backup\n", {"name": "backup", "state": "present", "env": false, "job": "/usr/local/bin/backup", "spec": {"minute": "0", "hour": "2", "day": "*", "month": "*", "weekday": "*", "disabled": false, "user": "root", "inFile": true}}, {"removed": false, "content": "#Ansible: backup\n0 2 * * * root /usr/local/bin/backup\n", "jobs": ["backup"], "envs": [], "changed": true}],
    ["a job removed, others kept", "#Ansible: a\n* * * * * root a\n#Ansible: b\n* * * * * root b\n", {"name": "a", "state": "absent", "env": false, "spec": {"minute": "*", "hour": "*", "day": "*", "month": "*", "weekday": "*", "disabled": false, "inFile": true}}, {"removed": false, "content": "#Ansible: b\n* * * * * root b\n", "jobs": ["b"], "envs": [], "changed": true}],
    ["the last job removed: the file goes", "#Ansible: a\n* * * * * root a\n", {"name": "a", "state": "absent", "env": false, "spec": {"minute": "*", "hour": "*", "day": "*", "month": "*", "weekday": "*", "disabled": false, "inFile": true}}, {"removed": true, "content": "", "jobs": null, "envs": null, "changed": true}],
    ["no trailing newline: changed", "#Ansible: a\n* * * * * root a", {"name": "a", "state": "present", "env": false, "job": "a", "spec": {"minute": "*", "hour": "*", "day": "*", "month": "*", "weekday": "*", "disabled": false, "user": "root", "inFile": true}}, {"removed": false, "content": "#Ansible: a\n* * * * * root a\n", "jobs": ["a"], "envs": [], "changed": true}],
    ["a variable first", "#Ansible: a\n* * * * * root a\n", {"name": "MAILTO", "state": "present", "env": true, "job": "ops@example.com", "spec": {"minute": "*", "hour": "*", "day": "*", "month": "*", "weekday": "*", "disabled": false, "user": "root", "inFile": true}}, {"removed": false, "content": "MAILTO=\"ops@example.com\"\n#Ansible: a\n* * * * * root a\n", "jobs": ["a"], "envs": ["MAILTO"], "changed": true}],
    ["a variable changed", "MAILTO=\"x\"\n#Ansible: a\n* * * * * root a\n", {"name": "MAILTO", "state": "present", "env": true, "job": "ops@example.com", "spec": {"minute": "*", "hour": "*", "day": "*", "month": "*", "weekday": "*", "disabled": false, "user": "root", "inFile": true}}, {"removed": false, "content": "MAILTO=\"ops@example.com\"\n#Ansible: a\n* * * * * root a\n", "jobs": ["a"], "envs": ["MAILTO"], "changed": true}],
    ["a variable after another", "A=\"1\"\nB=\"2\"\n", {"name": "C", "state": "present", "env": true, "job": "3", "insertafter": "A", "spec": {"minute": "*", "hour": "*", "day": "*", "month": "*", "weekday": "*", "disabled": false, "user": "root", "inFile": true}}, {"removed": false, "content": "A=\"1\"\nC=\"3\"\nB=\"2\"\n", "jobs": [], "envs": ["A", "C", "B"], "changed": true}],
    ["a variable before another", "A=\"1\"\nB=\"2\"\n", {"name": "C", "state": "present", "env": true, "job": "3", "insertbefore": "B", "spec": {"minute": "*", "hour": "*", "day": "*", "month": "*", "weekday": "*", "disabled": false, "user": "root", "inFile": true}}, {"removed": false, "content": "A=\"1\"\nC=\"3\"\nB=\"2\"\n", "jobs": [], "envs": ["A", "C", "B"], "changed": true}],
    ["a variable removed", "A=\"1\"\nB=\"2\"\n", {"name": "A", "state": "absent", "env": true, "spec": {"minute": "*", "hour": "*", "day": "*", "month": "*", "weekday": "*", "disabled": false, "inFile": true}}, {"removed": false, "content": "B=\"2\"\n", "jobs": [], "envs": ["B"], "changed": true}],
    ["weekday and day aliases", "", {"name": "w", "state": "present", "env": false, "job": "w", "spec": {"minute": "*", "hour": "*", "day": "1", "month": "*/2", "weekday": "1-5", "disabled": false, "user": "root", "inFile": true}}, {"removed": false, "content": "#Ansible: w\n* * 1 */2 1-5 root w\n", "jobs": ["w"], "envs": [], "changed": true}],
  ])('%s', (_why, content, args, expected) => {
    const edit = planCron(fileCrontab(content), args);
    expect(edit.changed).toBe(expected.changed);
    expect(edit.removeFile).toBe(expected.removed);
    if (!expected.removed) {
      expect(renderCrontab(edit.lines)).toBe(expected.content);
      expect([cronJobNames(edit.lines), cronEnvNames(edit.lines)]).toEqual([expected.jobs, expected.envs]);
    }
  });

  it("drops crontab's own header from a user's crontab", () => {
    const out = '# DO NOT EDIT THIS FILE - edit the master and reinstall.\n# (/tmp/crontab.X installed on Sat Dec  5 18:00:00 2026)\n# (Cron version -- $Id: crontab.c,v 2.13 1994/01/17 03:20:37 vixie Exp $)\n#Ansible: a\n* * * * * a\n';
    expect(userCrontab(out)).toEqual({ existing: '#Ansible: a\n* * * * * a\n', lines: ['#Ansible: a', '* * * * * a'] });
    expect(userCrontab('')).toEqual({ existing: '', lines: [] });
  });

  it('refuses a variable it cannot place, in Ansible words', () => {
    const args: CronArgs = { name: 'C', state: 'present', env: true, job: '3', insertafter: 'Z', spec: { minute: '*', hour: '*', day: '*', month: '*', weekday: '*', disabled: false, inFile: false } };
    expect(() => planCron(fileCrontab('A="1"\n'), args)).toThrow("Variable named 'Z' not found.");
  });
});

describe("known_hosts (Ansible's search_for_host_key and compute_diff)", () => {
  const ED = 'git.lan ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA1\n';
  const ED2 = 'git.lan ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA2\n';
  const RSA = 'git.lan ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ1\n';
  it.each<[string, { rc: number; stdout: string; stderr: string } | undefined, string | undefined, ReturnType<typeof searchHostKey>]>([
    ['no file', undefined, ED, { found: false, replaceOrAdd: false }],
    ['not in the file', { rc: 1, stdout: '', stderr: '' }, ED, { found: false, replaceOrAdd: false }],
    ['the same key', { rc: 0, stdout: `# Host git.lan found: line 2 \n${ED}`, stderr: '' }, ED, { found: true, replaceOrAdd: false, foundLine: 2 }],
    ['another key of the same type', { rc: 0, stdout: `# Host git.lan found: line 3 \n${ED2}`, stderr: '' }, ED, { found: true, replaceOrAdd: true, foundLine: 3 }],
    ['only a key of another type', { rc: 0, stdout: `# Host git.lan found: line 1 \n${RSA}`, stderr: '' }, ED, { found: true, replaceOrAdd: true }],
    ['found, no key given (absent)', { rc: 0, stdout: `# Host git.lan found: line 1 \n${RSA}`, stderr: '' }, undefined, { found: true, replaceOrAdd: false }],
  ])('%s', (_why, search, key, expected) => expect(searchHostKey(search, key)).toEqual(expected));

  it('rewrites the file as Ansible does', () => {
    const before = `other ssh-rsa AAAA\n${ED2}`;
    expect(knownHostsAfter(before, 2, true, 'present', ED)).toBe(`other ssh-rsa AAAA\n${ED}`);
    expect(knownHostsAfter(before, undefined, false, 'present', ED)).toBe(`${before}${ED}`);
    expect(knownHostsAfter(before, 2, false, 'absent', ED2)).toBe('other ssh-rsa AAAA\n');
    expect(knownHostsAfter('', undefined, false, 'present', ED)).toBe(ED);
  });

  it("hashes the host name as ssh-keygen -H does (HMAC-SHA1 of the name, Python's values)", () => {
    const salt = Buffer.from(Array.from({ length: 20 }, (_, i) => i));
    expect(hashHostKey('git.lan', ED, salt)).toBe('|1|AAECAwQFBgcICQoLDA0ODxAREhM=|oMXVLUPqJL60uMUQmaUhHxl/O4U= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA1');
  });
});

describe("debconf (Ansible's get_selections and set_selection)", () => {
  it('reads debconf-show, asked questions marked with *', () => {
    const out = '* tzdata/Areas: Europe\n  tzdata/Zones/Etc: UTC\n  tzdata/Zones/Europe: \n* locales/default_environment_locale: None\n';
    expect(parseDebconfShow(out)).toEqual({ 'tzdata/Areas': 'Europe', 'tzdata/Zones/Etc': 'UTC', 'tzdata/Zones/Europe': '', 'locales/default_environment_locale': 'None' });
  });
  it.each<[Record<string, string>, string, string, string, boolean]>([
    [{}, 'q', 'string', 'a', true],
    [{ q: 'a' }, 'q', 'string', 'a', false],
    [{ q: 'a' }, 'q', 'string', 'A', true],
    [{ q: 'true' }, 'q', 'boolean', 'True', false],
    [{ q: 'false' }, 'q', 'boolean', 'True', true],
  ])('%j %s %s %s -> changes %s', (prev, q, t, v, out) => expect(debconfChanges(prev, q, t, v)).toBe(out));
  it('writes booleans as debconf reads them', () => {
    expect(debconfSelection('tzdata', 'q', 'boolean', 'True')).toBe('tzdata q boolean true');
    expect(debconfSelection('tzdata', 'q', 'string', 'Europe/Paris')).toBe('tzdata q string Europe/Paris');
  });
});
