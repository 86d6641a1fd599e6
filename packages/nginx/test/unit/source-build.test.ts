import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BuildProgress,
  installedBuildFact,
  installedPackagesFact,
  markerPath,
  packageInstallScript,
  planBuildSteps,
  planSourceBuild,
  sha256File,
  type InstalledState,
} from '@haweb/hostkit';
import { nginxProduct, nginxSource } from '../../src/index.js';
import { DEBIAN_FACTS, FakeHost, RHEL_FACTS, fakeContext } from '@haweb/hostkit/testing';

const ARGS = ['--prefix=/usr/local/nginx'];
const SHA = 'a'.repeat(64);
const marker = { product: 'nginx', version: '1.22.1', configure_args: ARGS, tarball_sha256: SHA };

describe('planSourceBuild', () => {
  const declared = { version: '1.22.1', configureArgs: ARGS, tarballSha256: SHA };
  it.each<[string, InstalledState, string[]]>([
    ['not installed', {}, ['not installed']],
    ['same build, marker present', { binary: { version: '1.22.1', configureArgs: ARGS }, marker }, []],
    ['other version', { binary: { version: '1.20.0', configureArgs: ARGS }, marker }, ['installed version 1.20.0, declared 1.22.1']],
    [
      'other configure arguments',
      { binary: { version: '1.22.1', configureArgs: [...ARGS, '--with-http_ssl_module'] }, marker },
      ['configure arguments differ: installed "--prefix=/usr/local/nginx --with-http_ssl_module", declared "--prefix=/usr/local/nginx"'],
    ],
    ['binary matches but the build did not finish', { binary: { version: '1.22.1', configureArgs: ARGS } }, ['no marker of a finished build: the last build did not complete']],
    ['tarball replaced', { binary: { version: '1.22.1', configureArgs: ARGS }, marker: { ...marker, tarball_sha256: 'b'.repeat(64) } }, ['the tarball changed since the last build']],
    ['unreadable binary', { unparsed: 'Exec format error' }, ["installed binary's version report is not understood: Exec format error"]],
  ])('%s', (_name, installed, reasons) => {
    expect(planSourceBuild(declared, installed)).toEqual({ build: reasons.length > 0, reasons });
  });
});

describe('installedBuildFact', () => {
  it('reads -V output and the marker in one command', () => {
    const cmd = installedBuildFact.command({ product: nginxProduct, prefix: '/usr/local/nginx' });
    expect(cmd).toBe(
      'if [ -x /usr/local/nginx/sbin/nginx ]; then /usr/local/nginx/sbin/nginx -V 2>&1; fi; echo @@haweb-marker; cat /usr/local/nginx/.haweb-build.json 2>/dev/null; true',
    );
    const state = installedBuildFact.parse(
      `nginx version: nginx/1.22.1\nconfigure arguments: --prefix=/usr/local/nginx\n@@haweb-marker\n${JSON.stringify(marker)}\n`,
      0,
      { product: nginxProduct, prefix: '/usr/local/nginx' },
    );
    expect(state).toEqual({ binary: { version: '1.22.1', configureArgs: ARGS }, marker });
  });
  it('a corrupt marker counts as none', () => {
    const state = installedBuildFact.parse('@@haweb-marker\n{"version":', 0, { product: nginxProduct, prefix: '/p' });
    expect(state).toEqual({});
  });
});

describe('build steps (the same on both families)', () => {
  it('extract (dropping the marker first), configure, make -jN, make install', () => {
    const steps = planBuildSteps(
      { product: nginxProduct, src: '/ctl/nginx_1.22.1.orig.tar.gz', version: '1.22.1', prefix: '/usr/local/nginx', configureArgs: [], makeJobs: 4, srcDir: '/usr/local/src', buildDeps: [], family: 'RedHat' },
      ['--prefix=/usr/local/nginx', '--with-cc-opt=-O2 -g'],
    );
    expect(steps.map((s) => [s.name, s.script])).toEqual([
      ['extract', 'rm -f /usr/local/nginx/.haweb-build.json && rm -rf /usr/local/src/nginx-1.22.1 && mkdir -p /usr/local/src/nginx-1.22.1 && tar -xf /usr/local/src/nginx_1.22.1.orig.tar.gz -C /usr/local/src/nginx-1.22.1 --strip-components=1 --no-same-owner'],
      ['configure', "cd /usr/local/src/nginx-1.22.1 && ./configure --prefix=/usr/local/nginx '--with-cc-opt=-O2 -g'"],
      ['compile', 'cd /usr/local/src/nginx-1.22.1 && make -j4'],
      ['install', 'cd /usr/local/src/nginx-1.22.1 && make install'],
    ]);
  });
});

describe('build dependencies per family', () => {
  it.each([
    ['Debian', "dpkg-query -W -f='${Package}\\t${Status}\\t${Version}\\n' -- build-essential libssl-dev 2>/dev/null; exit 0", 'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends build-essential libssl-dev'],
    ['RedHat', "rpm -q --qf '%{NAME}\\t%{VERSION}-%{RELEASE}\\n' -- build-essential libssl-dev 2>/dev/null; exit 0", 'yum install -y build-essential libssl-dev'],
  ] as const)('%s', (family, query, install) => {
    const names = ['build-essential', 'libssl-dev'];
    expect(installedPackagesFact.command({ family, names })).toBe(query);
    expect(packageInstallScript(family, names)).toBe(install);
  });
  it('parses dpkg status (with arch suffixes) and ignores deinstalled packages', () => {
    const out = 'build-essential\tinstall ok installed\t12.9\nlibssl-dev:amd64\tinstall ok installed\t3.0.15-1\nzlib1g-dev\tdeinstall ok config-files\t1:1.2.13\n';
    expect([...installedPackagesFact.parse(out, 0, { family: 'Debian', names: ['build-essential', 'libssl-dev', 'zlib1g-dev'] })]).toEqual(['build-essential', 'libssl-dev']);
  });
});

describe('BuildProgress', () => {
  it('counts configure checks and compiled objects out of the total', () => {
    const seen: string[] = [];
    const p = new BuildProgress('nginx 1.22.1', nginxProduct, (m) => seen.push(m));
    p.step('configure');
    p.feed('configure', 'checking for OS\nchecking for C compiler ... found\n');
    p.total = 3;
    p.step('compile');
    p.feed('compile', 'cc -c -pipe -O -I src/core \\\n\t-o objs/src/core/nginx.o \\\n\tsrc/core/nginx.c\ncc -c ');
    p.feed('compile', '-o objs/src/core/ngx_log.o src/core/ngx_log.c\nmake[1]: Leaving directory\n');
    expect(seen).toEqual([
      'nginx 1.22.1: configure',
      'nginx 1.22.1: configure (2 checks)',
      'nginx 1.22.1: compile 0/3 objects',
      'nginx 1.22.1: compile 1/3 objects',
      'nginx 1.22.1: compile 2/3 objects',
    ]);
    expect(p.compiledObjects).toBe(2);
  });
});

function tarball(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-src-'));
  const file = join(dir, 'nginx-1.22.1.tar.gz');
  writeFileSync(file, 'not really a tarball');
  return file;
}

const V_OUTPUT = 'nginx version: nginx/1.22.1\nconfigure arguments: --prefix=/usr/local/nginx\n';

describe('nginx_source module', () => {
  it('builds a fresh RHEL host: yum for missing deps, upload, the four steps, then the marker', async () => {
    const src = tarball();
    let built = false;
    const host = new FakeHost()
      .on(/@@haweb-marker/, () => (built ? { stdout: `${V_OUTPUT}@@haweb-marker\n${host.text(markerPath('/usr/local/nginx'))}` } : { stdout: '@@haweb-marker\n' }))
      .on(/^rpm -q .* -- gcc /, { stdout: 'gcc\t11.4.1-3.el9\nmake\t4.3-7.el9\n' })
      .on(/^grep -c|&& grep -c/, { stdout: '2\n' })
      .on(/make -j4/, { stdout: '\t-o objs/src/core/nginx.o \\\n\t-o objs/src/core/ngx_log.o \\\n' })
      .on(/make install/, () => {
        built = true;
        return {};
      });
    const ctx = fakeContext(host, { facts: RHEL_FACTS });
    const result = await nginxSource.run(nginxSource.args.parse({ src }), ctx);
    expect(result.failed).toBeUndefined();
    expect(result.changed).toBe(true);
    const sha = await sha256File(src);
    const cmds = host.log.filter((l) => !l.includes('@@haweb-marker'));
    expect(cmds).toEqual([
      expect.stringMatching(/^rpm -q .* -- gcc gcc-c\+\+ make automake autoconf libtool pcre pcre-devel zlib zlib-devel openssl openssl-devel /),
      'yum install -y gcc-c++ automake autoconf libtool pcre pcre-devel zlib zlib-devel openssl openssl-devel tar',
      "sha256sum /usr/local/src/nginx-1.22.1.tar.gz 2>/dev/null | cut -d' ' -f1",
      'mkdir -p /usr/local/src',
      `putFile ${src} /usr/local/src/nginx-1.22.1.tar.gz`,
      expect.stringMatching(/^rm -f \/usr\/local\/nginx\/\.haweb-build\.json && .*tar -xf .* 2>&1$/),
      'cd /usr/local/src/nginx-1.22.1 && ./configure --prefix=/usr/local/nginx 2>&1',
      "cd /usr/local/src/nginx-1.22.1 && grep -c '^objs/.*\\.o:' objs/Makefile",
      'cd /usr/local/src/nginx-1.22.1 && make -j4 2>&1',
      'cd /usr/local/src/nginx-1.22.1 && make install 2>&1',
      'writeFile /usr/local/nginx/.haweb-build.json 0644',
    ]);
    expect(JSON.parse(host.text('/usr/local/nginx/.haweb-build.json')!)).toEqual({
      product: 'nginx', version: '1.22.1', configure_args: ['--prefix=/usr/local/nginx'], tarball_sha256: sha,
    });
    expect(ctx.progressLog).toContain('nginx 1.22.1: compile 2/2 objects');
  });

  it('does nothing (one command) when -V and the marker match', async () => {
    const src = tarball();
    const sha = await sha256File(src);
    const host = new FakeHost().on(/@@haweb-marker/, { stdout: `${V_OUTPUT}@@haweb-marker\n${JSON.stringify({ ...marker, tarball_sha256: sha })}` });
    const result = await nginxSource.run(nginxSource.args.parse({ src }), fakeContext(host, { facts: DEBIAN_FACTS }));
    expect(result).toMatchObject({ changed: false });
    expect(host.log).toHaveLength(1);
  });

  it('a failed make leaves no marker and says which step failed', async () => {
    const src = tarball();
    const host = new FakeHost()
      .on(/@@haweb-marker/, { stdout: '@@haweb-marker\n' })
      .on(/^dpkg-query/, { stdout: 'build-essential\tinstall ok installed\t12.9\nlibpcre3-dev\tinstall ok installed\t2:8.39\nzlib1g-dev\tinstall ok installed\t1:1.2.13\nlibssl-dev\tinstall ok installed\t3.0.15\ntar\tinstall ok installed\t1.34\n' })
      .on(/make -j2/, { code: 2, stdout: 'src/core/nginx.c:1:1: error: expected identifier\nmake: *** [objs/Makefile:1] Error 1\n' });
    const result = await nginxSource.run(nginxSource.args.parse({ src }), fakeContext(host, { facts: DEBIAN_FACTS }));
    expect(result.failed).toBe(true);
    expect(result.msg).toMatch(/^nginx 1\.22\.1: compile failed \(exit 2\); the next run redoes the build:\n.*error: expected identifier/s);
    expect(host.files.has('/usr/local/nginx/.haweb-build.json')).toBe(false);
    expect(host.commands.some((c) => c.includes('apt-get'))).toBe(false);
    expect(host.commands.some((c) => c.includes('make install'))).toBe(false);
  });

  it('the same tarball already on the host is not sent again; the build still runs', async () => {
    const src = tarball();
    const sha = await sha256File(src);
    const host = new FakeHost()
      .on(/@@haweb-marker/, { stdout: '@@haweb-marker\n' })
      .on(/^dpkg-query/, { stdout: 'build-essential\tinstall ok installed\t12.9\nlibpcre3-dev\tinstall ok installed\t2:8.39\nzlib1g-dev\tinstall ok installed\t1:1.2.13\nlibssl-dev\tinstall ok installed\t3.0.15\ntar\tinstall ok installed\t1.34\n' })
      .on(/^sha256sum /, { stdout: `${sha}\n` });
    const ctx = fakeContext(host, { facts: DEBIAN_FACTS });
    await nginxSource.run(nginxSource.args.parse({ src }), ctx);
    expect(host.log.some((l) => l.startsWith('putFile') || l === 'mkdir -p /usr/local/src')).toBe(false);
    expect(host.log.some((l) => l.includes('make install'))).toBe(true);
    expect(ctx.progressLog).not.toContain('uploading nginx-1.22.1.tar.gz');
    expect(ctx.progressLog.slice(0, 2)).toEqual(['nginx 1.22.1: extract', 'nginx 1.22.1: configure']);
  });

  it('check mode with diff shows no diff (the marker is the kit\'s own record)', async () => {
    const src = tarball();
    const host = new FakeHost().on(/@@haweb-marker/, { stdout: '@@haweb-marker\n' }).on(/^dpkg-query/, { stdout: '' });
    const result = await nginxSource.run(nginxSource.args.parse({ src }), fakeContext(host, { facts: DEBIAN_FACTS, check: true, diff: true }));
    expect(result).toMatchObject({ changed: true, reasons: ['not installed'], missing_build_deps: ['build-essential', 'libpcre3-dev', 'zlib1g-dev', 'libssl-dev', 'tar'] });
    expect(result.diff).toBeUndefined();
    expect(host.log).toHaveLength(2);
  });

  it('check mode says what it would do and runs nothing but reads', async () => {
    const src = tarball();
    const host = new FakeHost()
      .on(/@@haweb-marker/, { stdout: 'nginx version: nginx/1.20.0\nconfigure arguments: --prefix=/usr/local/nginx\n@@haweb-marker\n' })
      .on(/^dpkg-query/, { stdout: '' });
    const result = await nginxSource.run(nginxSource.args.parse({ src, configure_args: ['--with-http_ssl_module'] }), fakeContext(host, { facts: DEBIAN_FACTS, check: true }));
    expect(result.changed).toBe(true);
    expect(result.msg).toMatch(/^would build nginx 1\.22\.1 \(installed version 1\.20\.0, declared 1\.22\.1; configure arguments differ.*\); would install build-essential libpcre3-dev zlib1g-dev libssl-dev tar$/);
    expect(host.log).toHaveLength(2);
  });
});
