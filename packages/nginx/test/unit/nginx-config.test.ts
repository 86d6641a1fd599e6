import { describe, expect, it } from 'vitest';
import { nginxConfig, nginxIndex, renderNginxConf, planNginxControl, nginxRunningFact } from '../../src/index.js';
import { DEBIAN_FACTS, FakeHost, fakeContext } from '@haweb/hostkit/testing';

const SEED = {
  user: 'root', worker_processes: 1 as const, worker_connections: 1024, listen: 88, server_name: 'localhost',
  root: 'html', keepalive_timeout: 65, upstreams: [],
};

describe('renderNginxConf', () => {
  it("has the seed's settings", () => {
    const conf = renderNginxConf(SEED);
    for (const line of ['user root;', 'worker_processes 1;', 'worker_connections 1024;', 'include mime.types;', 'sendfile on;', 'keepalive_timeout 65;', 'listen 88;', 'server_name localhost;', 'root html;', 'index index.html index.htm;', 'error_page 500 502 503 504 /50x.html;']) {
      expect(conf).toContain(line);
    }
    expect(conf).not.toContain('upstream');
    expect(conf.split('{').length).toBe(conf.split('}').length);
  });
  it('renders upstreams and proxies / to one', () => {
    const conf = renderNginxConf({ ...SEED, upstreams: [{ name: 'web', servers: ['198.51.100.61:80', '198.51.100.62:80 weight=2'], balance: 'least_conn' }], proxy_pass: 'web' });
    expect(conf).toContain('    upstream web {\n        least_conn;\n        server 198.51.100.61:80;\n        server 198.51.100.62:80 weight=2;\n    }');
    expect(conf).toContain('proxy_pass http://web;');
  });
  it.each([
    [{ proxy_pass: 'nope' }, /proxy_pass names upstream nope, which is not declared/],
    [{ upstreams: [{ name: 'a b', servers: ['x:1'] }] }, /upstream name "a b" is not valid/],
    [{ upstreams: [{ name: 'a', servers: [] }] }, /upstream a has no servers/],
    [{ server_name: 'x; include /etc/passwd' }, /server_name .* is not valid/],
  ])('refuses %j', (override, error) => {
    expect(() => renderNginxConf({ ...SEED, ...override })).toThrow(error);
  });
});

describe('nginx_config: validate before replace', () => {
  const dest = '/usr/local/nginx/conf/nginx.conf';
  const candidate = '/usr/local/nginx/conf/.nginx.conf.haweb-new';
  const validate = `/usr/local/nginx/sbin/nginx -t -q -p /usr/local/nginx/ -c ${candidate} 2>&1`;

  it('a valid new config: candidate written, nginx -t on it, then renamed over the old', async () => {
    const host = new FakeHost().file(dest, 'old\n');
    const result = await nginxConfig.run(nginxConfig.args.parse({ listen: 8088 }), fakeContext(host, { facts: DEBIAN_FACTS, diff: true }));
    expect(result).toMatchObject({ changed: true, msg: `validated and wrote ${dest}` });
    expect(host.log).toEqual([
      `stat -c %a ${dest}`,
      'mkdir -p /usr/local/nginx/conf',
      `writeFile ${candidate} 0644`,
      validate,
      `mv -f ${candidate} ${dest}`,
    ]);
    expect(host.text(dest)).toContain('listen 8088;');
    expect(result.diff?.[0].before).toBe('old\n');
  });

  it('a refused config keeps the old file and reports nginx -t', async () => {
    const host = new FakeHost()
      .file(dest, 'old\n')
      .on(/nginx -t/, { code: 1, stdout: 'nginx: [emerg] unknown directive "bogus" in /usr/local/nginx/conf/.nginx.conf.haweb-new:1\n' });
    const result = await nginxConfig.run(nginxConfig.args.parse({ content: 'bogus;\n' }), fakeContext(host, { facts: DEBIAN_FACTS }));
    expect(result.failed).toBe(true);
    expect(result.msg).toMatch(/refused by validation \(the old file is kept\): nginx: \[emerg\] unknown directive "bogus"/);
    expect(host.text(dest)).toBe('old\n');
    expect(host.files.has(candidate)).toBe(false);
  });

  it('unchanged content: no write, no validation', async () => {
    const content = renderNginxConf(SEED);
    const host = new FakeHost().file(dest, content, '0644');
    const result = await nginxConfig.run(nginxConfig.args.parse({}), fakeContext(host, { facts: DEBIAN_FACTS }));
    expect(result.changed).toBe(false);
    expect(host.commands).toEqual([`stat -c %a ${dest}`]);
  });

  it('check mode reports without writing', async () => {
    const host = new FakeHost().file(dest, 'old\n');
    const result = await nginxConfig.run(nginxConfig.args.parse({}), fakeContext(host, { facts: DEBIAN_FACTS, check: true }));
    expect(result).toMatchObject({ changed: true, msg: `would write ${dest}` });
    expect(host.text(dest)).toBe('old\n');
  });

  it('the index page carries the per-host heading', async () => {
    const host = new FakeHost();
    await nginxIndex.run(nginxIndex.args.parse({ heading: 'Welcome to nginx! 1' }), fakeContext(host));
    expect(host.text('/usr/local/nginx/html/index.html')).toContain('<h1>Welcome to nginx! 1</h1>');
  });
});

describe('nginx control', () => {
  const N = '/usr/local/nginx/sbin/nginx';
  const C = '/usr/local/nginx/conf/nginx.conf';
  const P = '/usr/local/nginx/logs/nginx.pid';
  it.each([
    ['started', true, undefined],
    ['stopped', false, undefined],
    ['started', false, /^\/usr\/local\/nginx\/sbin\/nginx -c \/usr\/local\/nginx\/conf\/nginx.conf && i=0/],
    ['reloaded', true, /^\/usr\/local\/nginx\/sbin\/nginx -c \S+ -s reload$/],
    ['reloaded', false, /^\S+ -c \S+ && i=0/],
    ['stopped', true, /^\S+ -c \S+ -s quit && /],
    ['restarted', true, /-s quit; .*; \S+ -c \S+ && /],
  ] as const)('%s when running=%s', (state, running, expected) => {
    const script = planNginxControl(state, running, N, C, P);
    if (expected === undefined) expect(script).toBeUndefined();
    else expect(script).toMatch(expected);
  });
  it('parses the running fact', () => {
    expect(nginxRunningFact.parse('running 42\n', 0, { pidFile: P })).toEqual({ running: true, pid: 42 });
    expect(nginxRunningFact.parse('stopped\n', 0, { pidFile: P })).toEqual({ running: false });
  });
});
