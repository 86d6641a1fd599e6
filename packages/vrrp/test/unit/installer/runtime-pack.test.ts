import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectRuntime, isOtherPlatformPackage, packRuntime, runtimeFiles } from '../../../src/installer/index.js';
import { runtimeFixture } from './fixture.js';

const { root, top } = runtimeFixture();
const out = mkdtempSync(join(tmpdir(), 'vrrp-pack-'));
afterAll(() => {
  rmSync(top, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

describe('isOtherPlatformPackage', () => {
  it.each([
    ['@koromix/koffi-linux-x64', 'x64', false],
    ['@koromix/koffi-linux-arm64', 'x64', true],
    ['@koromix/koffi-darwin-x64', 'x64', true],
    ['@koromix/koffi-win32-x64-msvc', 'x64', true],
    ['@koromix/koffi-linux-arm64', 'arm64', false],
    ['commander', 'x64', false],
  ] as const)('%s on %s → %s', (name, arch, other) => {
    expect(isOtherPlatformPackage(name, arch)).toBe(other);
  });
});

describe('collectRuntime', () => {
  it('takes dist (no maps/types), the dependency closure (nested versions kept nested), and only the target platform package', () => {
    const manifest = collectRuntime(root, 'x64');
    expect(manifest.entry).toBe('dist/bin/vrrpd.js');
    expect(manifest.files.map((f) => f.path)).toEqual([
      'dist/bin/vrrpd.js',
      'dist/index.js',
      'dist/installer/index.js',
      'node_modules/@haweb/core/dist/index.js',
      'node_modules/@haweb/core/package.json',
      'package.json',
    ]);
    expect(manifest.packages.map((p) => `${p.at} ${p.name}@${p.version}`)).toEqual([
      'node_modules/@k/ffi-linux-x64 @k/ffi-linux-x64@0.0.0',
      'node_modules/ffi ffi@0.0.0',
      'node_modules/ffi/node_modules/small small@2.0.0',
      'node_modules/small small@0.0.0',
    ]);
    expect(runtimeFiles(manifest).map((f) => f.path)).toEqual([
      'dist/bin/vrrpd.js',
      'dist/index.js',
      'dist/installer/index.js',
      'node_modules/@haweb/core/dist/index.js',
      'node_modules/@haweb/core/package.json',
      'node_modules/@k/ffi-linux-x64/linux_x64/ffi.node',
      'node_modules/@k/ffi-linux-x64/package.json',
      'node_modules/ffi/index.js',
      'node_modules/ffi/node_modules/small/index.js',
      'node_modules/ffi/node_modules/small/package.json',
      'node_modules/ffi/package.json',
      'node_modules/small/index.js',
      'node_modules/small/package.json',
      'package.json',
    ]);
    expect(manifest.files.find((f) => f.path === 'dist/bin/vrrpd.js')?.executable).toBe(true);
  });

  it('with vrrpdRuntime in package.json: only the daemon\'s run-time dependencies, without the excluded dist folders', () => {
    const slim = runtimeFixture({ bin: 'bin/vrrpd.js', runtime: { entry: 'dist/bin/vrrpd.js', dependencies: ['ffi'], excludeDist: ['installer', 'index.js'] } });
    try {
      const manifest = collectRuntime(slim.root, 'x64');
      expect(manifest.entry).toBe('dist/bin/vrrpd.js');
      expect(runtimeFiles(manifest).map((f) => f.path)).toEqual([
        'dist/bin/vrrpd.js',
        'node_modules/@k/ffi-linux-x64/linux_x64/ffi.node',
        'node_modules/@k/ffi-linux-x64/package.json',
        'node_modules/ffi/index.js',
        'node_modules/ffi/node_modules/small/index.js',
        'node_modules/ffi/node_modules/small/package.json',
        'node_modules/ffi/package.json',
        'package.json',
      ]);
    } finally {
      rmSync(slim.top, { recursive: true, force: true });
    }
  });

  it('says so when the target platform binary is not on the controller', () => {
    expect(() => collectRuntime(root, 'arm64')).toThrow(/@k\/ffi-linux-arm64 \(the prebuilt native binary for linux-arm64\) is not installed on the controller/);
  });

  it('says so when the runtime is not built', () => {
    const copy = mkdtempSync(join(tmpdir(), 'vrrp-unbuilt-'));
    writeFileSync(join(copy, 'package.json'), JSON.stringify({ name: 'x', bin: { vrrpd: 'dist/bin/vrrpd.js' } }));
    expect(() => collectRuntime(copy, 'x64')).toThrow(/the VRRP runtime is not built .*dist\/bin\/vrrpd\.js is missing/);
    rmSync(copy, { recursive: true });
  });
});

describe('packRuntime', () => {
  it('is deterministic: same files, same bytes; a change to our code or a dependency version changes digest and checksum', async () => {
    const m1 = collectRuntime(root, 'x64');
    const a = await packRuntime(m1, join(out, 'a.tar.gz'));
    await new Promise((r) => setTimeout(r, 20));
    const b = await packRuntime(collectRuntime(root, 'x64'), join(out, 'b.tar.gz'));
    expect(b).toBe(a);
    expect(readFileSync(join(out, 'a.tar.gz')).equals(readFileSync(join(out, 'b.tar.gz')))).toBe(true);

    writeFileSync(join(root, 'dist/bin/vrrpd.js'), '#!/usr/bin/env node\nconsole.log("vrrpd 2");\n');
    const m2 = collectRuntime(root, 'x64');
    expect(m2.digest).not.toBe(m1.digest);
    expect(await packRuntime(m2, join(out, 'c.tar.gz'))).not.toBe(a);

    writeFileSync(join(top, 'node_modules/small/package.json'), JSON.stringify({ name: 'small', version: '1.0.1' }));
    writeFileSync(join(top, 'node_modules/small/index.js'), 'export default 3;\n');
    const m3 = collectRuntime(root, 'x64');
    expect(m3.digest).not.toBe(m2.digest);
    expect(readFileSync(join(out, 'c.tar.gz')).length).toBeGreaterThan(0);
    const d = join(out, 'd.tar.gz');
    await packRuntime(m3, d);
    expect(execFileSync('tar', ['-xzOf', d, 'node_modules/small/index.js']).toString()).toBe('export default 3;\n');
  });

  it('extracts with GNU tar into a self-contained folder with normalized modes and no owner names', async () => {
    // A path longer than ustar's 100 characters goes through a pax record.
    const long = `dist/${'deeply-nested-folder/'.repeat(6)}module.js`;
    mkdirSync(join(root, dirname(long)), { recursive: true });
    writeFileSync(join(root, long), 'export const deep = true;\n');
    const file = join(out, 'x.tar.gz');
    await packRuntime(collectRuntime(root, 'x64'), file);
    const listing = execFileSync('tar', ['-tvzf', file]).toString();
    expect(listing).not.toMatch(/root/);
    for (const line of listing.trim().split('\n')) expect(line).toMatch(/^-rw[-x]r-[-x]r-[-x] 0\/0 .* 2000-01-01 00:00 /);
    expect(listing).toContain(long);
    const dest = mkdtempSync(join(out, 'x-'));
    execFileSync('tar', ['-xzf', file, '-C', dest]);
    expect(statSync(join(dest, 'dist/bin/vrrpd.js')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dest, 'package.json')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(dest, 'node_modules/@k/ffi-linux-x64/linux_x64/ffi.node'), 'utf8')).toBe('ELF...');
    expect(readFileSync(join(dest, long), 'utf8')).toBe('export const deep = true;\n');
  });
});
