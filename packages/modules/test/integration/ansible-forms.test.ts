/**
 * The same playbook (fixtures/ansible-forms.yml: one-line key=value arguments, Ansible's aliases and
 * the options of issue 15) run by ansible-playbook on one lab host and by provision on the other:
 * the host states (paths, types, modes, owners, sizes, contents, attributes) are equal, and a second
 * run of each tool changes nothing. Needs ansible-playbook (installed by scripts/setup.sh).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../../..');
const CLI = join(ROOT, 'packages/cli/dist/provision.js');
const LAB_CLI = join(ROOT, 'packages/lab/dist/cli.js');
const PLAYBOOK = join(import.meta.dirname, 'fixtures/ansible-forms.yml');
const DIR = '/srv/haweb-forms';
const EVIL = "evil=q'1 2'";

let labName: string;
let inventory: string;
let hosts: { name: string }[];

function onHost(host: string, script: string): string {
  return execFileSync(process.execPath, [LAB_CLI, 'exec', '--name', labName, host, '--', 'sh', '-c', script], { encoding: 'utf8' });
}

/**
 * Everything under DIR that a user would see: kind, mode, owner, size, content digest, attributes.
 * The tarball the play builds is left out: gzip and tar record the time each host made it.
 */
function hostState(host: string): string {
  const files = `find . -type f ! -path ./app.tgz | sort`;
  return onHost(host, `cd ${DIR} && find . ! -path ./app.tgz -printf '%p %y %m %u %g %s %l\\n' | sort && ${files} | xargs sha256sum && ${files} | xargs lsattr -d`);
}

function ansible(host: string): { code: number | null; changed: number; out: string } {
  const r = spawnSync('ansible-playbook', ['-i', inventory, '-l', host, PLAYBOOK, '-e', EVIL], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3' },
  });
  const changed = Number(new RegExp(`${host}\\s*:.*changed=(\\d+)`).exec(r.stdout)?.[1] ?? NaN);
  return { code: r.status, changed, out: r.stdout + r.stderr };
}

function provision(host: string): { code: number | null; changed: number; out: string } {
  const r = spawnSync(process.execPath, [CLI, 'run', PLAYBOOK, '-i', inventory, '--limit', host, '-e', EVIL, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let changed = NaN;
  try {
    changed = (JSON.parse(r.stdout) as { stats: Record<string, { changed: number }> }).stats[host].changed;
  } catch {
    // reported through `out` by the assertion below
  }
  return { code: r.status, changed, out: r.stdout + r.stderr };
}

beforeAll(() => {
  labName = inject('labName');
  const labDir = `/var/lib/haweb/lab/${labName}`;
  inventory = join(labDir, 'inventory.yml');
  hosts = (JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8')) as { hosts: { name: string }[] }).hosts;
  for (const h of hosts) onHost(h.name, `rm -rf ${DIR}`);
});

afterAll(() => {
  for (const h of hosts ?? []) onHost(h.name, `rm -rf ${DIR}`);
});

describe('ansible-playbook and provision on two identical lab hosts', () => {
  it('reach the same host state, and a second run changes nothing for either', () => {
    const [theirs, ours] = [hosts[0].name, hosts[1].name];
    const a1 = ansible(theirs);
    expect(a1.code, a1.out).toBe(0);
    const p1 = provision(ours);
    expect(p1.code, p1.out).toBe(0);
    expect(p1.changed, p1.out).toBe(a1.changed);
    expect(hostState(ours)).toBe(hostState(theirs));
    expect(onHost(ours, `cat ${DIR}/evil.txt`)).toBe("q'1 2'\n");

    const a2 = ansible(theirs);
    const p2 = provision(ours);
    expect(a2.changed, a2.out).toBe(0);
    expect(p2.changed, p2.out).toBe(0);
    expect(hostState(ours)).toBe(hostState(theirs));
  });
});
