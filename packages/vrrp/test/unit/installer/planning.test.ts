import { describe, expect, it } from 'vitest';
import {
  chooseNodeRuntime,
  compareVersions,
  parseLibc,
  planVrrpService,
  requiredGlibc,
  vrrpHostStateFact,
  type DesiredFile,
  type VrrpHostState,
} from '../../../src/installer/index.js';
import { sha256 } from '@haweb/hostkit';

const CONFIG: DesiredFile = { path: '/etc/vrrpd/vrrpd.conf', content: 'vrrp_instance VI_1 {}\n', mode: '0600', validate: true, onChange: 'reload' };
const INIT: DesiredFile = { path: '/etc/init.d/vrrpd', content: '#!/bin/sh\n', mode: '0755', validate: false, onChange: 'none' };
const MANIFEST = { runtime_digest: 'd'.repeat(64), node: 'controller node v20.20.2 linux-x64' };

function hostWith(over: Partial<VrrpHostState>): VrrpHostState {
  return {
    manifest: MANIFEST,
    arch: 'x86_64',
    libc: 'glibc 2.36',
    files: {
      [CONFIG.path]: { sha256: sha256(CONFIG.content), mode: '0600' },
      [INIT.path]: { sha256: sha256(INIT.content), mode: '0755' },
    },
    runtimePresent: true,
    serviceInstalled: true,
    running: true,
    enabled: true,
    ...over,
  };
}

describe('planVrrpService (checksums in, actions out)', () => {
  const desired = { manifest: MANIFEST, files: [INIT, CONFIG], state: 'started' as const, enabled: true };
  it.each([
    ['everything equal: nothing', hostWith({}), { installRuntime: false, installNode: false, files: [], enable: false, action: undefined }],
    ['fresh host: install all, enable, start', hostWith({ manifest: undefined, files: {}, runtimePresent: false, serviceInstalled: false, running: false, enabled: false }),
      { installRuntime: true, installNode: true, files: [INIT.path, CONFIG.path], enable: true, action: 'start' }],
    ['config changed: write it, reload', hostWith({ files: { [INIT.path]: { sha256: sha256(INIT.content), mode: '0755' }, [CONFIG.path]: { sha256: 'x', mode: '0600' } } }),
      { installRuntime: false, installNode: false, files: [CONFIG.path], enable: false, action: 'reload' }],
    ['config mode drifted (0644): rewrite 0600, reload', hostWith({ files: { [INIT.path]: { sha256: sha256(INIT.content), mode: '0755' }, [CONFIG.path]: { sha256: sha256(CONFIG.content), mode: '0644' } } }),
      { installRuntime: false, installNode: false, files: [CONFIG.path], enable: false, action: 'reload' }],
    ['runtime upgraded: restart (not reload), even with a config change', hostWith({ manifest: { ...MANIFEST, runtime_digest: 'e'.repeat(64) }, files: {} }),
      { installRuntime: true, installNode: false, files: [INIT.path, CONFIG.path], enable: false, action: 'restart' }],
    ['node changed: restart', hostWith({ manifest: { ...MANIFEST, node: 'tarball sha256:abc' } }),
      { installRuntime: false, installNode: true, files: [], enable: false, action: 'restart' }],
    ['init script changed while running: rewrite only', hostWith({ files: { [CONFIG.path]: { sha256: sha256(CONFIG.content), mode: '0600' } } }),
      { installRuntime: false, installNode: false, files: [INIT.path], enable: false, action: undefined }],
    ['stopped daemon: start', hostWith({ running: false }), { installRuntime: false, installNode: false, files: [], enable: false, action: 'start' }],
    ['not enabled: enable', hostWith({ enabled: false }), { installRuntime: false, installNode: false, files: [], enable: true, action: undefined }],
    ['files gone but manifest there: runtime redone', hostWith({ runtimePresent: false }), { installRuntime: true, installNode: true, files: [], enable: false, action: 'restart' }],
  ])('%s', (_name, host, expected) => {
    const plan = planVrrpService(desired, host);
    expect({ installRuntime: plan.installRuntime, installNode: plan.installNode, files: plan.writeFiles.map((f) => f.path), enable: plan.enable, action: plan.action }).toEqual(expected);
  });
  it('enabled: false disables a host enabled at boot, and nothing more', () => {
    const plan = planVrrpService({ ...desired, enabled: false }, hostWith({}));
    expect({ enable: plan.enable, disable: plan.disable, action: plan.action, reasons: plan.reasons }).toEqual({
      enable: false, disable: true, action: undefined, reasons: ['enabled at boot, declared disabled'],
    });
    expect(planVrrpService({ ...desired, enabled: false }, hostWith({ enabled: false })).disable).toBe(false);
  });
  it('state stopped stops a running daemon and never starts it', () => {
    expect(planVrrpService({ ...desired, state: 'stopped' }, hostWith({})).action).toBe('stop');
    expect(planVrrpService({ ...desired, state: 'stopped' }, hostWith({ running: false })).action).toBeUndefined();
  });
});

describe('vrrpHostStateFact.parse', () => {
  it('reads every section', () => {
    const sum = 'f'.repeat(64);
    const out = [
      '@@manifest', JSON.stringify(MANIFEST), '', '@@arch', 'x86_64', '@@libc', 'glibc 2.36',
      '@@sums', `${sum}  /etc/vrrpd/vrrpd.conf`, '@@modes', '600 /etc/vrrpd/vrrpd.conf', '755 /etc/init.d/vrrpd',
      '@@runtime', 'present', '@@service', 'installed', 'running', 'enabled', '',
    ].join('\n');
    const args = { family: 'Debian' as const, prefix: '/usr/local/vrrpd', name: 'vrrpd', entry: 'dist/bin/vrrpd.js', managedFiles: [] };
    expect(vrrpHostStateFact.parse(out, 0, args)).toEqual({
      manifest: MANIFEST, arch: 'x86_64', libc: 'glibc 2.36',
      files: { '/etc/vrrpd/vrrpd.conf': { sha256: sum, mode: '0600' }, '/etc/init.d/vrrpd': { mode: '0755' } },
      runtimePresent: true, serviceInstalled: true, running: true, enabled: true,
    });
    const fresh = vrrpHostStateFact.parse('@@manifest\n\n@@arch\naarch64\n@@libc\n@@sums\n@@modes\n@@runtime\n@@service\n', 0, args);
    expect(fresh).toMatchObject({ manifest: undefined, arch: 'aarch64', runtimePresent: false, serviceInstalled: false, running: false, enabled: false });
  });
});

describe('Node runtime choice', () => {
  it.each([
    ['glibc 2.36', { name: 'glibc', version: '2.36' }],
    ['ldd (Debian GLIBC 2.36-9+deb12u14) 2.36', { name: 'glibc', version: '2.36' }],
    ['musl libc (x86_64)', { name: 'musl', version: undefined }],
    [{ name: 'glibc', version: '2.17' }, { name: 'glibc', version: '2.17' }],
    [undefined, undefined],
  ])('parseLibc(%j)', (input, expected) => {
    expect(parseLibc(input)).toEqual(expected);
  });

  it('compareVersions orders numerically', () => {
    expect(compareVersions('2.28', '2.3')).toBeGreaterThan(0);
    expect(compareVersions('2.17', '2.17.0')).toBe(0);
  });

  const base = {
    hostName: 'edu-proxy-01', hostArch: 'x86_64', hostLibc: { name: 'glibc', version: '2.36' }, controllerArch: 'x64',
    controllerNeedsGlibc: '2.28', controllerNode: '/usr/bin/node', controllerNodeVersion: 'v20.20.2',
  };
  it.each([
    ['same arch, newer glibc: the controller node', {}, { kind: 'controller', path: '/usr/bin/node', identity: 'controller node v20.20.2 linux-x64' }],
    ['old glibc with a tarball: the tarball', { hostLibc: { name: 'glibc', version: '2.17' }, nodeTarball: '/ctl/node-v20.1.0-linux-x64.tar.xz' },
      { kind: 'tarball', path: '/ctl/node-v20.1.0-linux-x64.tar.xz', identity: 'tarball node-v20.1.0-linux-x64.tar.xz' }],
  ])('%s', (_n, over, expected) => {
    expect(chooseNodeRuntime({ ...base, ...over })).toEqual(expected);
  });
  it.each([
    [{ hostArch: 'aarch64' }, /edu-proxy-01: cannot run the controller's Node here \(the host is aarch64 and the controller's node is linux-x64\)\. Pass node_tarball: a Node >= 20 linux-arm64 tarball/],
    [{ hostLibc: { name: 'glibc', version: '2.17' } }, /the host has glibc 2\.17 and the controller's node needs glibc 2\.28/],
    [{ hostLibc: { name: 'musl' } }, /the host's C library is musl, the controller's node needs glibc/],
  ])('no fit, no tarball: %j', (over, message) => {
    const choice = chooseNodeRuntime({ ...base, ...over });
    expect(choice.kind).toBe('error');
    expect(choice.kind === 'error' && choice.message).toMatch(message);
  });

  it("finds the glibc the controller's node needs", async () => {
    const needed = await requiredGlibc(process.execPath);
    expect(needed).toMatch(/^2\.\d+$/);
    expect(compareVersions(needed!, '2.17')).toBeGreaterThanOrEqual(0);
  });
});
