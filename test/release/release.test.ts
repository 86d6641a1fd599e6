/**
 * The packed release, as a machine without this repository gets it: `npm run release`'s tarball,
 * installed with `npm install -g --prefix <empty folder> <tarball>` offline (the registry points at a
 * closed loopback port, so any fetch would fail), then `provision --version` and a playbook against
 * the lab's hosts, from a folder outside the repository.
 * Runs from the repo root (after `npm run build`): npx vitest run --config vitest.integration.config.ts test/release
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const LAB_CLI = join(ROOT, 'packages/lab/dist/cli.js');
const DEST = '/srv/haweb-release-test';

let scratch: string;
let prefix: string;
let tarball: string;
let labName: string;
let hosts: string[];

function onHost(host: string, script: string): string {
  return execFileSync(process.execPath, [LAB_CLI, 'exec', '--name', labName, host, '--', 'sh', '-c', script], { encoding: 'utf8' });
}

/** The installed command, run from a folder outside the repository with no npm or Node path hints. */
function provision(args: string[]) {
  const env: Record<string, string> = { PATH: `${join(prefix, 'bin')}:/usr/local/bin:/usr/bin:/bin`, HOME: scratch, NO_COLOR: '1' };
  const r = spawnSync(join(prefix, 'bin/provision'), args, { cwd: join(scratch, 'site'), encoding: 'utf8', env, timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  labName = inject('labName');
  hosts = (JSON.parse(readFileSync(`/var/lib/haweb/lab/${labName}/lab.json`, 'utf8')) as { hosts: { name: string }[] }).hosts.map((h) => h.name);
  scratch = mkdtempSync(join(tmpdir(), 'haweb-release-it-'));
  prefix = join(scratch, 'prefix');
  mkdirSync(prefix);
  mkdirSync(join(scratch, 'site'));
  const out = execFileSync(process.execPath, [join(ROOT, 'packages/cli/release.mjs'), '--out', join(scratch, 'out')], { cwd: ROOT, encoding: 'utf8' });
  tarball = out.split(' ')[0];
  for (const h of hosts) onHost(h, `rm -rf ${DEST}`);
}, 600_000);

afterAll(() => {
  for (const h of hosts ?? []) onHost(h, `rm -rf ${DEST}`);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the packed release', () => {
  it('is one tarball whose every dependency travels inside it (nothing from the registry, no @haweb/* fetched)', () => {
    expect(existsSync(tarball)).toBe(true);
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(listing).toContain('package/bin/provision.js');
    expect(listing).toContain('package/dist/provision.js');
    const pkg = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as {
      dependencies: Record<string, string>;
      bundleDependencies: string[];
    };
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...pkg.bundleDependencies].sort());
    for (const name of pkg.bundleDependencies) expect(listing, name).toContain(`package/node_modules/${name}/package.json`);
    expect(listing.some((f) => f.includes('/cpu-features/'))).toBe(false);
  });

  it('installs offline into an empty folder with npm install -g --prefix', () => {
    const r = spawnSync('npm', ['install', '-g', '--prefix', prefix, tarball, '--offline', '--registry', 'http://127.0.0.1:9/', '--no-audit', '--no-fund'], {
      cwd: scratch,
      encoding: 'utf8',
      env: { ...process.env, npm_config_cache: join(scratch, 'npm-cache') },
      timeout: 300_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(readdirSync(join(prefix, 'bin'))).toEqual(['provision']);
  });

  it('provision --version prints the release version and commit', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim();
    const r = provision(['--version']);
    expect([r.code, r.stdout]).toEqual([0, `${version} (${commit})\n`]);
  });

  it('finds the VRRP runtime it ships to hosts inside its own install', () => {
    const installed = join(prefix, 'lib/node_modules/haweb-provision');
    const req = createRequire(join(installed, 'dist/provision.js'));
    expect(req.resolve('@haweb/vrrp/package.json')).toBe(join(installed, 'node_modules/@haweb/vrrp/package.json'));
    expect(existsSync(join(installed, 'node_modules/@haweb/vrrp/dist/bin/vrrpd.js'))).toBe(true);
    expect(req.resolve('koffi').startsWith(join(installed, 'node_modules/koffi/'))).toBe(true);
  });

  it('runs a playbook against the lab, then a re-run changes nothing', () => {
    const site = join(scratch, 'site');
    mkdirSync(join(site, 'templates'));
    writeFileSync(join(site, 'templates/motd.j2'), 'hello from {{ inventory_hostname }} via the release\n');
    writeFileSync(
      join(site, 'site.yml'),
      [
        '- hosts: proxies',
        '  gather_facts: true',
        '  tasks:',
        `    - file: { path: ${DEST}, state: directory, mode: "0755" }`,
        `    - template: { src: motd.j2, dest: ${DEST}/motd, mode: "0644" }`,
        `    - copy: { content: "{{ ansible_facts.distribution }}\\n", dest: ${DEST}/distribution }`,
        '',
      ].join('\n'),
    );
    const inventory = `/var/lib/haweb/lab/${labName}/inventory.yml`;
    const first = provision(['run', 'site.yml', '-i', inventory, '--json']);
    expect(first.code, first.stderr).toBe(0);
    for (const h of hosts) {
      expect(onHost(h, `cat ${DEST}/motd`)).toBe(`hello from ${h} via the release\n`);
      expect(onHost(h, `cat ${DEST}/distribution`)).toBe('Debian\n');
    }
    const again = provision(['run', 'site.yml', '-i', inventory, '--json']);
    expect(again.code, again.stderr).toBe(0);
    const stats = JSON.parse(again.stdout).stats as Record<string, { changed: number; ok: number }>;
    for (const h of hosts) expect(stats[h]).toMatchObject({ changed: 0, ok: 4 });
  });
});
