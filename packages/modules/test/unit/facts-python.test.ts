/** The `python` facts of setup (ansible_python, ansible_python_version), as Ansible gathers them. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parsePython, parseSetup, selinuxSection, SETUP_SCRIPT, splitSections } from '../../src/facts/server.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('python facts', () => {
  it.each([
    [['/usr/bin/python3', '3 11 2 final 0', 'True'], { executable: '/usr/bin/python3', has_sslcontext: true, type: 'cpython', version: { major: 3, minor: 11, micro: 2, releaselevel: 'final', serial: 0 }, version_info: [3, 11, 2, 'final', 0] }],
    [['/usr/bin/python', '2 7 18 final 0', 'False'], { executable: '/usr/bin/python', has_sslcontext: false, type: 'cpython', version: { major: 2, minor: 7, micro: 18, releaselevel: 'final', serial: 0 }, version_info: [2, 7, 18, 'final', 0] }],
    [[], undefined],
    [['/usr/bin/python3', 'garbage'], undefined],
  ])('parsePython %j', (lines, expected) => expect(parsePython(lines)).toEqual(expected));

  it('the setup script, run by sh, reads this machine\'s python3 and still reaches its end', () => {
    const r = spawnSync('sh', ['-c', SETUP_SCRIPT], { encoding: 'utf8' });
    expect(splitSections(r.stdout).has('end')).toBe(true);
    const facts = parseSetup(r.stdout);
    const python = facts.ansible_python as { executable: string; version: { major: number } };
    expect(python.executable).toMatch(/python/);
    expect(python.version.major).toBe(3);
    expect(facts.ansible_python_version).toMatch(/^3\.\d+\.\d+$/);
  });
});

describe('selinux fact', () => {
  const run = (dir: string) => parseSetup(`@@selinux\n${spawnSync('sh', ['-c', selinuxSection(dir)], { encoding: 'utf8' }).stdout}@@end\n`).ansible_selinux;
  it('an empty /sys/fs/selinux (systemd-nspawn makes one) is not SELinux enabled; selinuxfs (its enforce file) is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'selinux-'));
    try {
      expect(run(dir)).toEqual({ status: 'disabled' });
      writeFileSync(join(dir, 'enforce'), '1\n');
      expect(run(dir)).toEqual({ status: 'enabled', mode: 'enforcing' });
      writeFileSync(join(dir, 'enforce'), '0\n');
      expect(run(dir)).toEqual({ status: 'enabled', mode: 'permissive' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
