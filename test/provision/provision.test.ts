/**
 * `provision` end to end against the lab's real hosts: the CLI binary, real SSH, real modules.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/cli/dist/provision.js');
const LAB_CLI = join(ROOT, 'packages/lab/dist/cli.js');
const PLAYBOOK = join(ROOT, 'test/provision/fixtures/site/site.yml');
const APP_DIR = '/srv/haweb-provision-test';

interface LabState {
  name: string;
  hosts: { name: string; address: string; hostKey: string }[];
  paths?: Record<string, string>;
}

let lab: LabState;
let labDir: string;
let inventory: string;
let knownHosts: string;

function provision(args: string[], timeout = 120_000) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[]) {
  const r = provision([...args, '--json']);
  let doc: {
    stats: Record<string, { ok: number; changed: number; failed: number; unreachable: number }>;
    plays: { tasks: { name: string; hosts: Record<string, { status: string; msg?: string }> }[] }[];
    exitCode: number;
  };
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new Error(`provision --json printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { ...r, doc };
}

/** Run a command inside a lab host (through the lab, not through our SSH). */
function onHost(host: string, script: string): string {
  return execFileSync(process.execPath, [LAB_CLI, 'exec', '--name', lab.name, host, '--', 'sh', '-c', script], { encoding: 'utf8' });
}

function totalChanged(doc: { stats: Record<string, { changed: number }> }): number {
  return Object.values(doc.stats).reduce((n, s) => n + s.changed, 0);
}

beforeAll(() => {
  const name = inject('labName');
  labDir = `/var/lib/haweb/lab/${name}`;
  lab = JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8'));
  inventory = join(labDir, 'inventory.yml');
  knownHosts = join(labDir, 'known_hosts');
  for (const h of lab.hosts) onHost(h.name, `rm -rf ${APP_DIR}`);
});

describe('provision run on lab hosts', () => {
  it('first run changes every host, runs the handler once per host', () => {
    const r = json(['run', PLAYBOOK, '-i', inventory]);
    expect(r.code, r.stderr).toBe(0);
    for (const h of lab.hosts) {
      expect(r.doc.stats[h.name]).toMatchObject({ failed: 0, unreachable: 0 });
      expect(r.doc.stats[h.name].changed).toBeGreaterThanOrEqual(5);
      expect(onHost(h.name, `wc -l < ${APP_DIR}/handler-runs`).trim()).toBe('1');
      const conf = onHost(h.name, `cat ${APP_DIR}/app.conf`);
      expect(conf).toContain(`# edu on ${h.name} (Debian)`);
      expect(conf).toContain(`listen ${h.address}:8080`);
      for (const peer of lab.hosts) expect(conf).toContain(`peer ${peer.name} ${peer.address}`);
      expect(onHost(h.name, `stat -c %a ${APP_DIR}/app.conf`).trim()).toBe('640');
      expect(onHost(h.name, `cat ${APP_DIR}/settings`)).toBe('port=8080\n');
    }
  });

  it('second run changes nothing and does not run the handler', () => {
    const r = json(['run', PLAYBOOK, '-i', inventory]);
    expect(r.code, r.stderr).toBe(0);
    expect(totalChanged(r.doc)).toBe(0);
    for (const h of lab.hosts) expect(onHost(h.name, `wc -l < ${APP_DIR}/handler-runs`).trim()).toBe('1');
  });

  it('check mode reports a drift, shows the diff, and changes nothing on the host', () => {
    const host = lab.hosts[0].name;
    onHost(host, `echo 'listen 0.0.0.0:1' > ${APP_DIR}/app.conf; rm -f ${APP_DIR}/settings`);
    const r = provision(['run', PLAYBOOK, '-i', inventory, '--check', '--diff']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`changed: \\[${host}\\]`));
    expect(r.stdout).toContain('-listen 0.0.0.0:1');
    expect(r.stdout).toContain(`+listen ${lab.hosts[0].address}:8080`);
    expect(r.stdout).toContain('PLAY RECAP (check mode');
    expect(onHost(host, `cat ${APP_DIR}/app.conf`)).toBe('listen 0.0.0.0:1\n');
    expect(onHost(host, `test -e ${APP_DIR}/settings && echo yes || echo no`).trim()).toBe('no');
    expect(onHost(host, `wc -l < ${APP_DIR}/handler-runs`).trim()).toBe('1');
    // A real run repairs the drift and runs the handler on that host only.
    const fix = json(['run', PLAYBOOK, '-i', inventory]);
    expect(fix.code, fix.stderr).toBe(0);
    expect(fix.doc.stats[host].changed).toBe(3);
    expect(fix.doc.stats[lab.hosts[1].name].changed).toBe(0);
    expect(onHost(host, `wc -l < ${APP_DIR}/handler-runs`).trim()).toBe('2');
  });

  it('--limit and --tags restrict the run', () => {
    const r = json(['run', PLAYBOOK, '-i', inventory, '--limit', lab.hosts[1].name]);
    expect(r.code).toBe(0);
    expect(Object.keys(r.doc.stats)).toEqual([lab.hosts[1].name]);
    const tagged = json(['run', PLAYBOOK, '-i', inventory, '--tags', 'settings']);
    expect(tagged.code, tagged.stderr).toBe(0);
    expect(tagged.doc.plays[0].tasks.map((t) => t.name)).toEqual(['Gathering Facts', 'port line']);
    const skipped = json(['run', PLAYBOOK, '-i', inventory, '--skip-tags', 'settings']);
    expect(skipped.doc.plays[0].tasks.map((t) => t.name)).not.toContain('port line');
  });
});

describe('provision failures on lab hosts', () => {
  const work = mkdtempSync(join(tmpdir(), 'provision-it-'));
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    for (const h of lab.hosts) onHost(h.name, `rm -rf ${APP_DIR}`);
  });

  it('an unreachable host is reported and the run exits 4 while the others converge', () => {
    const inv = join(work, 'unreachable.yml');
    const good = lab.hosts[0];
    writeFileSync(
      inv,
      [
        'all:',
        '  vars:',
        `    ansible_ssh_known_hosts_file: ${knownHosts}`,
        `    ansible_ssh_private_key_file: ${join(labDir, 'id_ed25519')}`,
        '    ansible_user: root',
        '  children:',
        '    proxies:',
        '      hosts:',
        `        ${good.name}: { ansible_host: ${good.address} }`,
        // Loopback port 1: nothing listens there, the connection is refused at once.
        '        ghost: { ansible_host: 127.0.0.1, ansible_port: 1 }',
        '',
      ].join('\n'),
    );
    const r = json(['run', PLAYBOOK, '-i', inv]);
    expect(r.code).toBe(4);
    expect(r.doc.stats.ghost.unreachable).toBe(1);
    expect(r.doc.stats[good.name]).toMatchObject({ failed: 0, unreachable: 0 });
    const text = provision(['run', PLAYBOOK, '-i', inv]);
    expect(text.code).toBe(4);
    expect(text.stdout).toMatch(/unreachable: \[ghost\]: .*(refused|ECONNREFUSED)/i);
  });

  it('a changed host key aborts that host with a clear message', () => {
    const victim = lab.hosts[0];
    const keyFile = join(work, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
    const otherKey = readFileSync(`${keyFile}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const kh = join(work, 'known_hosts_changed');
    const lines = readFileSync(knownHosts, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => (l.split(' ')[0].split(',').includes(victim.address) ? `${victim.address} ${otherKey}` : l));
    writeFileSync(kh, `${lines.join('\n')}\n`);
    const r = provision(['run', PLAYBOOK, '-i', inventory, '--known-hosts', kh]);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(new RegExp(`unreachable: \\[${victim.name}\\]: .*host key.*(changed|mismatch|does not match)`, 'i'));
    // The other host is unaffected.
    expect(r.stdout).toMatch(new RegExp(`${lab.hosts[1].name} +: ok=\\d+ +changed=0 +unreachable=0 +failed=0`));
    // --accept-new-host-keys does not accept a changed key either.
    const again = provision(['run', PLAYBOOK, '-i', inventory, '--known-hosts', kh, '--accept-new-host-keys']);
    expect(again.code).toBe(4);
  });

  it('an unknown host key is refused by default and learned with --accept-new-host-keys', () => {
    const kh = join(work, 'known_hosts_empty');
    writeFileSync(kh, '');
    const strict = provision(['run', PLAYBOOK, '-i', inventory, '--known-hosts', kh]);
    expect(strict.code).toBe(4);
    const learn = provision(['run', PLAYBOOK, '-i', inventory, '--known-hosts', kh, '--accept-new-host-keys']);
    expect(learn.code, learn.stdout + learn.stderr).toBe(0);
    const learned = readFileSync(kh, 'utf8');
    expect(learned.split('\n').filter((l) => l.trim()).length).toBeGreaterThanOrEqual(lab.hosts.length);
    const strictAgain = provision(['run', PLAYBOOK, '-i', inventory, '--known-hosts', kh]);
    expect(strictAgain.code).toBe(0);
  });

  it('validation errors exit 2 and touch nothing', () => {
    const bad = join(work, 'bad.yml');
    writeFileSync(
      bad,
      [
        '- hosts: proxies',
        '  tasks:',
        '    - name: typo module',
        '      copyy: { dest: /tmp/x, content: y }',
        '    - name: bad arg',
        `      file: { path: ${APP_DIR}/should-not-exist, state: touch, colour: red }`,
        '',
      ].join('\n'),
    );
    const r = provision(['run', bad, '-i', inventory]);
    expect(r.code).toBe(2);
    // Every error, each at its task's file:line:col.
    const at = (line: string) => new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+: error: `);
    expect(r.stderr).toMatch(new RegExp(at('[34]').source + "unknown module 'copyy'"));
    expect(r.stderr).toMatch(new RegExp(at('[56]').source + "unknown argument 'colour' for module 'file'"));
    expect(r.stdout).not.toContain('TASK');
    expect(onHost(lab.hosts[0].name, `test -e ${APP_DIR}/should-not-exist && echo yes || echo no`).trim()).toBe('no');
  });
});
