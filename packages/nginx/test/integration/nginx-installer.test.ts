/**
 * nginx from source on a real lab host (Debian bookworm, sysvinit, no network), the seed's section 4
 * as modules: build, config validated before it replaces the old one, index page, start, rc.local,
 * idempotence, rebuild on a configure change, and a reboot that brings nginx back from rc.local.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginxConfig, nginxHealthCheck, nginxIndex, nginxService, nginxSource, rcLocal } from '../../src/index.js';
import { httpGet, openLabHost, type LabHost } from '../support/lab-host.js';
import { INSTALLER_LAB, installerLab, releaseInstallerLab, type LabApi } from './private-lab.js';

const HOST = 'edu-proxy-01';
let lab: LabApi;
let host: LabHost;
let tarball: string;

const NGINX = '/usr/local/nginx/sbin/nginx';

beforeAll(async () => {
  const env = await installerLab();
  lab = env.lab;
  tarball = env.sources.nginx;
  host = await openLabHost(env.state, HOST);
  // A fresh host for this file: nothing of an earlier run (the lab is reused between runs).
  await host.sh(`if [ -s /usr/local/nginx/logs/nginx.pid ]; then ${NGINX} -s stop || true; fi; rm -rf /usr/local/nginx /usr/local/src/nginx-* /etc/rc.local /etc/keepalived/nginx_check.sh`);
}, 900_000);

afterAll(async () => {
  await host?.close();
  await releaseInstallerLab(lab);
}, 120_000);

async function nginxV(): Promise<string> {
  const r = await host.try(`${NGINX} -V`);
  return r.out;
}

describe(`nginx_source on ${INSTALLER_LAB}/${HOST}`, () => {
  it('a fresh host: builds and installs, with progress; nginx -V reports what was declared', async () => {
    const result = await host.run(nginxSource, { src: tarball });
    expect(result.failed, String(result.msg)).toBeFalsy();
    expect(result.changed).toBe(true);
    expect(result.msg).toMatch(/^built nginx 1\.22\.1 into \/usr\/local\/nginx in \d+ s \(not installed\)$/);
    const v = await nginxV();
    expect(v).toMatch(/nginx version: nginx\/1\.22\.1/);
    expect(v).toMatch(/configure arguments: --prefix=\/usr\/local\/nginx\s*$/m);
    expect(host.progress.some((p) => /^nginx 1\.22\.1: compile \d+\/\d+ objects$/.test(p))).toBe(true);
    expect(Number(result.compiled_objects)).toBeGreaterThan(50);
  });

  it('the second run changes nothing, quickly', async () => {
    const t0 = Date.now();
    const result = await host.run(nginxSource, { src: tarball });
    const ms = Date.now() - t0;
    expect(result).toMatchObject({ changed: false });
    expect(ms).toBeLessThan(2_000);
  });

  it('an unfinished earlier build (no marker) is detected and would be redone', async () => {
    await host.sh('mv /usr/local/nginx/.haweb-build.json /root/marker.keep');
    const check = await host.run(nginxSource, { src: tarball }, { check: true });
    expect(check).toMatchObject({ changed: true, msg: 'would build nginx 1.22.1 (no marker of a finished build: the last build did not complete)' });
    await host.sh('mv /root/marker.keep /usr/local/nginx/.haweb-build.json');
  });
});

describe('nginx config, page, service and boot', () => {
  it('config with the seed settings on port 88, the index page, started, rc.local', async () => {
    const conf = await host.run(nginxConfig, { listen: 88 });
    expect(conf).toMatchObject({ changed: true, msg: 'validated and wrote /usr/local/nginx/conf/nginx.conf' });
    expect(await host.run(nginxIndex, { heading: 'Welcome to nginx! 1' })).toMatchObject({ changed: true });
    expect(await host.run(nginxService, { state: 'started' })).toMatchObject({ changed: true });
    expect(await host.run(rcLocal, { line: NGINX })).toMatchObject({ changed: true });
    expect(await host.run(nginxHealthCheck, {})).toMatchObject({ changed: true });
    const page = await httpGet(host.address, 88);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Welcome to nginx! 1</h1>');
    expect(await host.sh('head -1 /etc/rc.local; tail -2 /etc/rc.local; stat -c %a /etc/rc.local')).toBe(`#!/bin/sh -e\n${NGINX}\nexit 0\n755\n`);
  });

  it('everything again: changed=0', async () => {
    for (const [module, args] of [
      [nginxConfig, { listen: 88 }],
      [nginxIndex, { heading: 'Welcome to nginx! 1' }],
      [nginxService, { state: 'started' }],
      [rcLocal, { line: NGINX }],
      [nginxHealthCheck, {}],
    ] as const) {
      const result = await host.run(module, args);
      expect(result, module.name).toMatchObject({ changed: false });
    }
  });

  it('a bad config is refused by nginx -t; the old file stays and the running nginx keeps serving', async () => {
    const before = await host.sh('cat /usr/local/nginx/conf/nginx.conf; cat /usr/local/nginx/logs/nginx.pid');
    const bad = await host.run(nginxConfig, { content: 'events {}\nhttp { server { listen 88; bogus_directive on; } }\n' });
    expect(bad.failed).toBe(true);
    expect(bad.msg).toMatch(/refused by validation \(the old file is kept\): .*unknown directive "bogus_directive"/s);
    expect(await host.sh('cat /usr/local/nginx/conf/nginx.conf; cat /usr/local/nginx/logs/nginx.pid')).toBe(before);
    expect(await host.try('ls /usr/local/nginx/conf/.nginx.conf.haweb-new')).toMatchObject({ code: 2 });
    expect((await httpGet(host.address, 88)).body).toContain('Welcome to nginx! 1');
  });

  it('a config change is validated, written, and applied by a reload', async () => {
    const conf = await host.run(nginxConfig, { listen: 88, server_name: HOST });
    expect(conf.changed).toBe(true);
    const pid = (await host.sh('cat /usr/local/nginx/logs/nginx.pid')).trim();
    expect(await host.run(nginxService, { state: 'reloaded' })).toMatchObject({ changed: true, msg: 'nginx reloaded' });
    expect((await host.sh('cat /usr/local/nginx/logs/nginx.pid')).trim()).toBe(pid);
    expect((await httpGet(host.address, 88)).status).toBe(200);
  });

  it('the health check restarts a stopped nginx and fails when nginx cannot start', async () => {
    await host.sh(`${NGINX} -s stop; sleep 0.5`);
    expect(await host.try('/etc/keepalived/nginx_check.sh')).toMatchObject({ code: 0 });
    expect((await httpGet(host.address, 88)).status).toBe(200);
    // Unable to start: a config that nginx refuses at start, then stop it.
    await host.sh(`cp /usr/local/nginx/conf/nginx.conf /root/nginx.conf.keep && ${NGINX} -s stop; sleep 0.5; echo 'bogus;' >> /usr/local/nginx/conf/nginx.conf`);
    expect(await host.try('/etc/keepalived/nginx_check.sh')).toMatchObject({ code: 1 });
    await host.sh(`cp /root/nginx.conf.keep /usr/local/nginx/conf/nginx.conf && ${NGINX}`);
  });

  it('lab reboot: nginx comes back from rc.local', async () => {
    await host.close();
    await lab.rebootHost(INSTALLER_LAB, HOST, (m) => process.stderr.write(`reboot: ${m}\n`));
    const env = await installerLab();
    host = await openLabHost(env.state, HOST);
    let page = { status: 0, body: '' };
    for (let i = 0; i < 20 && page.status !== 200; i += 1) {
      page = await httpGet(host.address, 88).catch(() => ({ status: 0, body: '' }));
      if (page.status !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    expect(page.body).toContain('Welcome to nginx! 1');
  }, 300_000);
});

describe('a configure argument change rebuilds', () => {
  it('adding --with-http_stub_status_module rebuilds; nginx -V shows it; then changed=0', async () => {
    const args = { src: tarball, configure_args: ['--with-http_stub_status_module'] };
    const result = await host.run(nginxSource, args);
    expect(result.failed, String(result.msg)).toBeFalsy();
    expect(result.msg).toMatch(/configure arguments differ: installed "--prefix=\/usr\/local\/nginx", declared "--prefix=\/usr\/local\/nginx --with-http_stub_status_module"/);
    expect(await nginxV()).toMatch(/configure arguments: --prefix=\/usr\/local\/nginx --with-http_stub_status_module/);
    expect(await host.run(nginxSource, args)).toMatchObject({ changed: false });
    // make install replaced the binary; the old master still serves until restarted.
    expect(await host.run(nginxService, { state: 'restarted' })).toMatchObject({ changed: true });
    expect((await httpGet(host.address, 88)).status).toBe(200);
  }, 600_000);
});
