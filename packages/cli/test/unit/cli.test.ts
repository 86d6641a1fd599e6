import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineModule, UnreachableError, type Connection, type ConnectionTarget, type Connector } from '@haweb/core';
import { main, type CliDeps } from '../../src/program.js';
import { composeRegistry } from '../../src/plugins.js';

// Importing every plug-in package cold takes seconds on a loaded machine.
vi.setConfig({ testTimeout: 60_000 });

const FIX = resolve(import.meta.dirname, '../fixtures');
const INV = join(FIX, 'inventory.yml');

class Out {
  text = '';
  isTTY = false;
  write(s: string) {
    this.text += s;
    return true;
  }
}

/** Hosts as maps of files; `unreachable` hosts refuse the connection. */
class FakeConnector implements Connector {
  files = new Map<string, Map<string, string>>();
  unreachable = new Set<string>();
  targets: ConnectionTarget[] = [];
  /** The become each command was given. */
  becomes: unknown[] = [];
  async connect(target: ConnectionTarget): Promise<Connection> {
    this.targets.push(target);
    if (this.unreachable.has(target.hostName)) throw new UnreachableError(target.hostName, `${target.hostName}: connection refused`);
    const files = this.files.get(target.hostName) ?? new Map<string, string>();
    this.files.set(target.hostName, files);
    return {
      hostName: target.hostName,
      run: async (_c, o) => (this.becomes.push(o?.become), { code: 0, stdout: '', stderr: '' }),
      writeFile: async (p, c) => void files.set(p, String(c)),
      putFile: async (_l, r) => void files.set(r, 'x'),
      readFile: async (p) => (files.has(p) ? Buffer.from(files.get(p)!) : undefined),
      close: async () => {},
    };
  }
}

const marker = defineModule({
  name: 'marker',
  description: 'writes a marker file when absent',
  args: z.strictObject({ path: z.string() }),
  checkMode: 'full',
  async run(args, ctx) {
    if (await ctx.remote.readFile(args.path)) return { changed: false };
    if (!ctx.check) await ctx.remote.writeFile(args.path, 'marked');
    return { changed: true, msg: `marked ${args.path}` };
  },
});

/** Renders a controller template found through ctx.resolveLocal (role templates/ first). */
const renderFile = defineModule({
  name: 'render_file',
  description: 'template-like test module',
  args: z.strictObject({ src: z.string(), dest: z.string() }),
  checkMode: 'full',
  async run(args, ctx) {
    const text = ctx.render(readFileSync(ctx.resolveLocal(args.src, 'templates'), 'utf8'));
    const before = (await ctx.remote.readFile(args.dest))?.toString();
    if (before === text) return { changed: false };
    if (!ctx.check) await ctx.remote.writeFile(args.dest, text);
    return { changed: true, diff: [{ before: before ?? '', after: text, beforeHeader: args.dest, afterHeader: args.dest }] };
  },
});

async function cli(argv: string[], connector = new FakeConnector(), prompt?: CliDeps['prompt'], env: NodeJS.ProcessEnv = {}) {
  const stdout = new Out();
  const stderr = new Out();
  const deps: CliDeps = {
    io: { stdout, stderr, cwd: FIX, env },
    connector: () => connector,
    registry: async () => {
      const load = await composeRegistry(['@haweb/modules']);
      load.registry.register(marker);
      load.registry.register(renderFile);
      return load;
    },
    labInventory: join(FIX, 'no-such-lab-inventory.yml'),
    prompt,
  };
  const code = await main(argv, deps);
  return { code, out: stdout.text, err: stderr.text, connector };
}

describe('provision run --ask-become-pass (-K)', () => {
  it('asks once; the typed password is the become password of every host, never shown', async () => {
    const questions: string[] = [];
    const r = await cli(['run', 'become.yml', '-i', INV, '-K', '-v'], new FakeConnector(), async (q) => (questions.push(q), 'typed-b3come-pw'));
    expect(r.code).toBe(0);
    expect(questions).toEqual(['BECOME password: ']);
    expect(r.connector.targets.map((t) => t.user)).toEqual(['deploy', 'deploy']);
    expect(r.connector.becomes).toEqual([
      { user: 'root', method: 'sudo', password: 'typed-b3come-pw' },
      { user: 'root', method: 'sudo', password: 'typed-b3come-pw' },
    ]);
    expect(r.out + r.err).not.toContain('typed-b3come-pw');
  });

  it('without a terminal: exit 2 and what to do instead, before any host is reached', async () => {
    const r = await cli(['run', 'become.yml', '-i', INV, '--ask-become-pass']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--ask-become-pass needs a terminal.*ansible_become_password/);
    expect(r.connector.targets).toEqual([]);
  });
});

describe('provision run', () => {
  it('runs a playbook: exit 0, per-host lines, handler, recap, secrets masked', async () => {
    const r = await cli(['run', 'ok.yml', '-i', INV]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('TASK [write a marker]');
    expect(r.out).toContain('changed: [web1]');
    expect(r.out).toContain('RUNNING HANDLER [marked]');
    expect(r.out).toMatch(/web1 +: ok=5 +changed=1 +unreachable=0 +failed=0/);
    expect(r.connector.files.get('web2')?.get('/etc/marker')).toBe('marked');
    expect(r.out).not.toContain('correct-horse-battery');
  });

  it('-v shows module messages, with the secret masked', async () => {
    const r = await cli(['run', 'ok.yml', '-i', INV, '-v']);
    expect(r.out).toContain('hello web1 pw=********');
    expect(r.out).not.toContain('correct-horse-battery');
  });

  it('a second run changes nothing (the fake hosts keep their files)', async () => {
    const connector = new FakeConnector();
    await cli(['run', 'ok.yml', '-i', INV], connector);
    const again = await cli(['run', 'ok.yml', '-i', INV], connector);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/web1 +: ok=4 +changed=0/);
    expect(again.out).not.toContain('RUNNING HANDLER');
  });

  it('--check changes nothing', async () => {
    const r = await cli(['run', 'ok.yml', '-i', INV, '--check']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('changed: [web1]');
    expect(r.connector.files.get('web1')?.size ?? 0).toBe(0);
  });

  it('exits 2 when a host fails; the other host goes on', async () => {
    const r = await cli(['run', 'fails.yml', '-i', INV]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('failed: [web2]: web2 is broken');
    expect(r.out).toMatch(/TASK \[still running\][^]*ok: \[web1\]/);
    expect(r.out).not.toMatch(/TASK \[still running\][^]*ok: \[web2\]/);
  });

  it('exits 4 when a host is unreachable', async () => {
    const connector = new FakeConnector();
    connector.unreachable.add('web2');
    const r = await cli(['run', 'ok.yml', '-i', INV], connector);
    expect(r.code).toBe(4);
    expect(r.out).toContain('unreachable: [web2]: web2: connection refused');
    expect(r.out).toMatch(/web2 +: ok=2 +changed=0 +unreachable=1/);
  });

  it('--json prints one document', async () => {
    const r = await cli(['run', 'fails.yml', '-i', INV, '--json']);
    const doc = JSON.parse(r.out);
    expect(doc.exitCode).toBe(2);
    expect(doc.failedHosts).toEqual(['web2']);
    expect(doc.plays[0].tasks.map((t: { name: string }) => t.name)).toEqual(['fail on web2', 'still running']);
  });

  it('-e key=value and @file set extra vars; --limit and --forks apply', async () => {
    const r = await cli(['run', 'extra.yml', '-i', INV, '-e', '@vars.yml', '-e', 'n=3', '-v', '--forks', '1']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('who=from-file n=3');
    const limited = await cli(['run', 'ok.yml', '-i', INV, '--limit', 'web2']);
    expect(limited.out).not.toContain('[web1]');
  });

  it('passes --known-hosts and --accept-new-host-keys to the connector', async () => {
    const r = await cli(['run', 'ok.yml', '-i', INV, '--known-hosts', '/tmp/kh', '--accept-new-host-keys']);
    expect(r.connector.targets[0]).toMatchObject({ knownHostsFile: '/tmp/kh', hostKeyPolicy: 'accept-new', address: '198.51.100.51' });
  });
});

describe('roles', () => {
  it('role templates resolve from the role, role defaults lose to play vars, role handlers run', async () => {
    const r = await cli(['run', 'roles.yml', '-i', INV, '--diff', '--limit', 'web1']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.connector.files.get('web1')?.get('/etc/site.conf')).toBe('server default.example listen 8081 on web1\n');
    expect(r.out).toContain('TASK [web : site config]');
    expect(r.out).toContain('+server default.example listen 8081 on web1');
    expect(r.out).toContain('RUNNING HANDLER [web : reload web]');
  });
});

describe('validation', () => {
  it('lists every error with file:line:col, exits 2 and touches nothing (golden)', async () => {
    const connector = new FakeConnector();
    const r = await cli(['run', 'bad.yml', '-i', INV], connector);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(connector.targets).toEqual([]);
    expect(r.err.replaceAll(FIX + '/', '')).toMatchSnapshot();
  });

  it('check: same errors, same exit code', async () => {
    const run = await cli(['run', 'bad.yml', '-i', INV]);
    const check = await cli(['check', 'bad.yml', '-i', INV]);
    expect(check.code).toBe(2);
    expect(check.err).toBe(run.err);
  });

  it('check: a valid playbook', async () => {
    const r = await cli(['check', 'ok.yml', '-i', INV]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${join(FIX, 'ok.yml')}: OK (1 play, 5 tasks, 2 hosts)\n`);
  });

  it('a missing playbook or inventory is an error, exit 2', async () => {
    expect((await cli(['run', 'nope.yml', '-i', INV])).code).toBe(2);
    const r = await cli(['run', 'ok.yml', '-i', join(FIX, 'missing-inventory.yml')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('missing-inventory.yml');
  });

  it('usage errors exit 2', async () => {
    expect((await cli(['run'])).code).toBe(2);
    expect((await cli(['run', 'ok.yml', '--forks', '0'])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['--help'])).code).toBe(0);
  });
});

describe('provision inventory --list', () => {
  it('prints hosts, groups and merged vars with secrets masked', async () => {
    const r = await cli(['inventory', '--list', '-i', INV]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc._meta.hostvars.web1).toMatchObject({ ansible_host: '198.51.100.51', db_password: '********' });
    expect(doc.web.hosts).toEqual(['web1', 'web2']);
  });
});

describe('plug-ins', () => {
  it('composes plugin exports and notes packages without one', async () => {
    const fake = { plugin: (r: { register(m: unknown): void }) => r.register(marker) };
    const load = await composeRegistry(['a', 'b', 'c'], async (name) => {
      if (name === 'a') return fake;
      if (name === 'b') return {};
      throw new Error('Cannot find package c');
    });
    expect(load.loaded).toEqual(['a']);
    expect(load.registry.get('marker')).toBe(marker);
    expect(load.notes).toEqual(['b exports no `plugin`', 'c could not be loaded: Cannot find package c']);
  });

  it('the real plug-in packages load and provide the built-in modules', async () => {
    const load = await composeRegistry();
    expect(load.loaded).toContain('@haweb/modules');
    for (const m of ['command', 'shell', 'copy', 'template', 'file', 'setup', 'ansible.builtin.debug']) {
      expect(load.registry.get(m), m).toBeDefined();
    }
  });
});

describe('working folder', () => {
  it('is where npm was invoked when run through `npm run provision`, else the process cwd', async () => {
    const { invocationDir } = await import('../../src/io.js');
    expect(invocationDir({ npm_lifecycle_event: 'provision', INIT_CWD: '/home/u/site' }, '/repo')).toBe('/home/u/site');
    expect(invocationDir({ npm_lifecycle_event: 'test', INIT_CWD: '/elsewhere' }, '/repo')).toBe('/repo');
    expect(invocationDir({}, '/repo')).toBe('/repo');
  });
});

describe('provision run with a fact cache (ANSIBLE_CACHE_PLUGIN=jsonfile)', () => {
  it('cacheable facts are kept for the next run; --flush-cache forgets them; jinja2_native is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-cli-cache-'));
    try {
      const env = { ANSIBLE_CACHE_PLUGIN: 'jsonfile', ANSIBLE_CACHE_PLUGIN_CONNECTION: dir, ANSIBLE_CACHE_PLUGIN_PREFIX: 'p_' };
      const first = await cli(['run', 'cacheable.yml', '-i', INV, '-v'], new FakeConnector(), undefined, env);
      expect(first.code).toBe(0);
      expect(first.out).toContain('before=none');
      expect(JSON.parse(readFileSync(join(dir, 'p_web1'), 'utf8'))).toEqual({ kept: 'web1-kept' });
      const second = await cli(['run', 'cacheable.yml', '-i', INV, '-v'], new FakeConnector(), undefined, env);
      expect(second.out).toContain('before=web2-kept');
      const flushed = await cli(['run', 'cacheable.yml', '-i', INV, '-v', '--flush-cache'], new FakeConnector(), undefined, env);
      expect(flushed.out).toContain('before=none');
      const native = await cli(['run', 'cacheable.yml', '-i', INV], new FakeConnector(), undefined, { ...env, ANSIBLE_JINJA2_NATIVE: '1' });
      expect(native.code).toBe(2);
      expect(native.err).toMatch(/ANSIBLE_JINJA2_NATIVE=1: provision has no Jinja2 native mode/);
      expect(existsSync(join(dir, 'p_web1'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
