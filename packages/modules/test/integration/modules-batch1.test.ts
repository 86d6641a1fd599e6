/**
 * The first batch of issue 15's new modules, run by ansible-playbook on one lab host and by provision
 * on the other (fixtures/<module>.yml): the registered results (what a `register` user reads) and the
 * host states must be equal. Files are served by a python3 http.server the test starts in the lab's
 * client namespace (on the lab LAN, nothing beyond it).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../../..');
const CLI = join(ROOT, 'packages/cli/dist/provision.js');
const LAB_CLI = join(ROOT, 'packages/lab/dist/cli.js');
const FIXTURES = join(import.meta.dirname, 'fixtures');

interface LabJson {
  kind: { init: string };
  hosts: { name: string; address: string }[];
  client: { netns: string; address: string };
}

let labName: string;
let lab: LabJson;
let inventory: string;
let www: string;
let server: ChildProcess | undefined;

function onHost(host: string, script: string): string {
  return execFileSync(process.execPath, [LAB_CLI, 'exec', '--name', labName, host, '--', 'sh', '-c', script], { encoding: 'utf8' });
}

function runAnsible(playbook: string, host: string, extraVars: Record<string, string>): { code: number | null; out: string } {
  const r = spawnSync('ansible-playbook', ['-i', inventory, '-l', host, join(FIXTURES, playbook), '-e', JSON.stringify(extraVars)], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3' },
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

function runProvision(playbook: string, host: string, extraVars: Record<string, string>): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [CLI, 'run', join(FIXTURES, playbook), '-i', inventory, '--limit', host, '-e', JSON.stringify(extraVars)], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** Keys whose values differ between any two runs (temporary names, times) or that only Ansible's plumbing adds. */
const VOLATILE = new Set(['src', 'elapsed', 'invocation', 'warnings', 'deprecations', 'diff', 'start', 'stop']);

/** Backup names carry a time (and, in Ansible's, a PID): `h.txt.695.2026-12-05@15:04:01~`. */
function maskBackupStamp(text: string): string {
  return text.replace(/(\.\d+)?\.\d{4}-\d\d-\d\d@[\d:]+~/g, '.<stamp>~');
}

/** Of systemd's `status` (all of `systemctl show`: PIDs, times), the properties a playbook reads. */
const STATUS_KEYS = ['ActiveState', 'SubState', 'LoadState', 'UnitFileState', 'Description', 'Id'];

/** A registered result as compared: volatile keys replaced by their presence, backup names by their pattern. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
  return Object.fromEntries(
    entries.map(([k, v]) => {
      if (VOLATILE.has(k)) return [k, '<present>'];
      if (k === 'backup_file') return [k, maskBackupStamp(String(v))];
      if (k === 'status' && v !== null && typeof v === 'object') {
        const status = v as Record<string, unknown>;
        return [k, { keys: Object.keys(status).length > 100 ? 'all of systemctl show' : Object.keys(status).length, ...Object.fromEntries(STATUS_KEYS.filter((s) => s in status).map((s) => [s, status[s]])) }];
      }
      return [k, normalise(v)];
    }),
  );
}

function registered(host: string, dir: string): Record<string, unknown> {
  return normalise(JSON.parse(onHost(host, `cat ${dir}/registered.json`))) as Record<string, unknown>;
}

/** The files a module left: name (backup stamps masked), type, mode, owner, group, size, content digest. */
function hostFiles(host: string, dir: string): string {
  const listing = onHost(host, `cd ${dir} && find . ! -name registered.json -printf '%p %y %m %u %g %s\\n' | sort && find . -type f ! -name registered.json | sort | xargs -r sha256sum`);
  return maskBackupStamp(listing);
}

beforeAll(async () => {
  labName = inject('labName');
  const labDir = `/var/lib/haweb/lab/${labName}`;
  inventory = join(labDir, 'inventory.yml');
  lab = JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8')) as LabJson;
  www = mkdtempSync(join(tmpdir(), 'haweb-batch1-www-'));
  writeFileSync(join(www, 'a.txt'), 'hello from the lab\n');
  writeFileSync(join(www, 'b.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256)));
  const sha = (f: string) => createHash('sha256').update(readFileSync(join(www, f))).digest('hex');
  writeFileSync(join(www, 'SHA256SUMS'), `${sha('a.txt')}  a.txt\n${sha('b.bin')} *b.bin\n`);
  server = spawn('ip', ['netns', 'exec', lab.client.netns, '/usr/bin/python3', '-m', 'http.server', '8123', '--bind', lab.client.address, '--directory', www], { stdio: 'ignore' });
  // Wait (bounded) until a lab host can reach it.
  for (let i = 0; i < 50; i++) {
    const r = spawnSync(process.execPath, [LAB_CLI, 'exec', '--name', labName, lab.hosts[0].name, '--', 'curl', '-sf', '-o', '/dev/null', `http://${lab.client.address}:8123/a.txt`]);
    if (r.status === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the lab client\'s http.server did not answer');
});

afterAll(() => {
  if (server?.pid) process.kill(server.pid);
  if (www) rmSync(www, { recursive: true, force: true });
});

/** The playbook by ansible-playbook on the first host and by provision on the second; what each registered and left in `dir`. */
function both(playbook: string, dir: string, vars: Record<string, string>) {
  const [theirs, ours] = [lab.hosts[0].name, lab.hosts[1].name];
  const a = runAnsible(playbook, theirs, vars);
  expect(a.code, a.out).toBe(0);
  const p = runProvision(playbook, ours, vars);
  expect(p.code, p.out).toBe(0);
  return { want: registered(theirs, dir), got: registered(ours, dir), theirFiles: hostFiles(theirs, dir), ourFiles: hostFiles(ours, dir) };
}

describe('get_url', () => {
  it('registers the same results and leaves the same files as ansible-playbook', () => {
    const vars = { server: lab.client.address, a_sha256: createHash('sha256').update(readFileSync(join(www, 'a.txt'))).digest('hex') };
    const { want, got, theirFiles, ourFiles } = both('get_url.yml', '/srv/haweb-gu', vars);
    for (const key of Object.keys(want)) expect({ [key]: got[key] }).toEqual({ [key]: want[key] });
    expect(ourFiles).toBe(theirFiles);
    // What the playbook is about, beyond agreeing with Ansible.
    expect(want.file1).toMatchObject({ changed: true });
    expect(want.http2).toMatchObject({ changed: false, status_code: 304 });
    expect(want.attrs).toMatchObject({ changed: true, mode: '0600', owner: 'nobody' });
    expect(want.e404).toMatchObject({ failed: true, status_code: 404 });
  });
});

describe('user and group', () => {
  it('register the same results and leave the same accounts and homes as ansible-playbook', () => {
    const { want, got, theirFiles, ourFiles } = both('user_group.yml', '/srv/haweb-ug', {});
    for (const key of Object.keys(want)) expect({ [key]: got[key] }).toEqual({ [key]: want[key] });
    expect(ourFiles).toBe(theirFiles);
    expect(want.g_mod).toMatchObject({ changed: true, gid: 2346 });
    expect(want.u_again).toMatchObject({ changed: false });
    expect(want.u_nogroup).toMatchObject({ failed: true, msg: 'Group haweb_nosuch does not exist' });
  });
});

describe('replace', () => {
  it('registers the same results and leaves the same file as ansible-playbook', () => {
    const { want, got, theirFiles, ourFiles } = both('replace.yml', '/srv/haweb-rp', {});
    for (const key of Object.keys(want)) expect({ [key]: got[key] }).toEqual({ [key]: want[key] });
    expect(ourFiles).toBe(theirFiles);
    expect(want.one).toMatchObject({ changed: true, msg: '1 replacements made' });
    expect(want.again).toMatchObject({ changed: false });
    expect(want.missing).toMatchObject({ failed: true });
  });
});

describe('wait_for', () => {
  it('registers the same results as ansible-playbook', () => {
    const { want, got } = both('wait_for.yml', '/srv/haweb-wf', {});
    // A task skipped in check mode is the executor's result, worded differently from Ansible's (not this module's).
    for (const key of Object.keys(want).filter((k) => k !== 'check')) expect({ [key]: got[key] }).toEqual({ [key]: want[key] });
    expect(got.check).toMatchObject({ skipped: true, changed: false });
    expect(want.regex).toMatchObject({ match_groups: ['8124', 'web'], match_groupdict: { port: '8124' } });
    expect(want.timeout).toMatchObject({ failed: true, msg: 'the file never came' });
    expect(want.check).toMatchObject({ skipped: true });
  });
});

describe('pause', () => {
  it('registers the same results as ansible-playbook', () => {
    const { want, got } = both('pause.yml', '/srv/haweb-pa', {});
    // stdout holds the measured duration to the hundredth of a second: its form is compared, not its digits.
    const form = (r: unknown) => ({ ...(r as object), stdout: String((r as { stdout: string }).stdout).replace(/\d+\.\d+/, '<n>') });
    for (const key of Object.keys(want)) expect({ [key]: form(got[key]) }).toEqual({ [key]: form(want[key]) });
    expect(want.zero).toMatchObject({ delta: 1, stdout: expect.stringMatching(/^Paused for 1\.\d+ seconds$/) });
  });
});

describe('systemd', () => {
  // The comparison needs systemd as PID 1: a lab of that kind of its own (the default lab, as in CI, is
  // the sysvinit kind, where the module must refuse clearly: the second test).
  const SD_LAB = 'msd';
  const SD_SUBNET = '198.18.43.0/24';
  let saved: { labName: string; lab: LabJson; inventory: string } | undefined;

  beforeAll(async () => {
    const { labDown, labUp } = await import('@haweb/lab');
    await labDown(SD_LAB);
    await labUp({ name: SD_LAB, subnet: SD_SUBNET, hosts: 2, kind: { init: 'systemd', firewall: 'open', image: 'full' } });
  }, 900_000);

  afterAll(async () => {
    const { labDown } = await import('@haweb/lab');
    await labDown(SD_LAB);
  }, 300_000);

  /** Runs `fn` with the systemd lab as the one `both()` and `onHost()` use. */
  function onSystemdLab<T>(fn: () => T): T {
    saved = { labName, lab, inventory };
    labName = SD_LAB;
    inventory = join(`/var/lib/haweb/lab/${SD_LAB}`, 'inventory.yml');
    lab = JSON.parse(readFileSync(join(`/var/lib/haweb/lab/${SD_LAB}`, 'lab.json'), 'utf8')) as LabJson;
    try {
      return fn();
    } finally {
      ({ labName, lab, inventory } = saved);
    }
  }

  it('registers the same results and leaves the unit as ansible-playbook (a lab booted with systemd)', () => {
    onSystemdLab(() => {
      expect(lab.kind.init).toBe('systemd');
      const { want, got, theirFiles, ourFiles } = both('systemd.yml', '/srv/haweb-sd', {});
      for (const key of Object.keys(want)) expect({ [key]: got[key] }).toEqual({ [key]: want[key] });
      expect(ourFiles).toBe(theirFiles);
      expect(want.s_start).toMatchObject({ changed: true, enabled: true, state: 'started' });
      expect(want.s_again).toMatchObject({ changed: false });
      expect(want.s_missing).toMatchObject({ failed: true });
    });
  });

  it('fails clearly on a host whose init is not systemd (the default lab: sysvinit)', () => {
    expect(lab.kind.init, 'the default lab is expected to be the sysvinit kind').not.toBe('systemd');
    const host = lab.hosts[1].name;
    const r = spawnSync(process.execPath, [CLI, 'run', join(FIXTURES, 'systemd.yml'), '-i', inventory, '--limit', host, '--json'], {
      cwd: ROOT, encoding: 'utf8', timeout: 300_000, env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.status, r.stdout + r.stderr).not.toBe(0);
    expect(r.stdout).toContain("systemd is not this host's init (PID 1 is init)");
  });
});
