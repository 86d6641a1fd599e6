/**
 * A ModuleContext for unit tests: facts about files come from the FakeHost's filesystem, any other
 * fact runs its real command against the FakeHost (whose responders answer) and its real parser.
 * render/evaluate use the core's Jinja2 templating.
 */
import { posix, resolve as resolvePath } from 'node:path';
import { evaluate, renderString, type Fact, type ModuleContext, type ModuleDefinition, type ModuleResult } from '@haweb/core';
import { CONTENT_LIMIT, type FileInfo } from '../facts/files.js';
import type { AnsiblePathInfo, StatPathRaw } from '../facts/path-stat.js';
import { FakeHost } from './fake-host.js';

export interface FsContextOptions {
  check?: boolean;
  diff?: boolean;
  become?: boolean;
  vars?: Record<string, unknown>;
  facts?: Record<string, unknown>;
  /** Controller folder resolveLocal looks in. */
  localDir?: string;
}

export interface FsContext extends ModuleContext {
  readonly progressMessages: string[];
  readonly factCalls: string[];
}

export function fsContext(host: FakeHost, opts: FsContextOptions = {}): FsContext {
  const vars = { ...(opts.facts ?? {}), ...(opts.vars ?? {}) };
  const progressMessages: string[] = [];
  const factCalls: string[] = [];
  const ctx: FsContext = {
    hostName: host.hostName,
    vars,
    facts: opts.facts ?? {},
    check: opts.check ?? false,
    diff: opts.diff ?? true,
    become: opts.become ?? false,
    remote: host,
    progressMessages,
    factCalls,
    async fact<A, T>(fact: Fact<A, T>, args: A): Promise<T> {
      factCalls.push(fact.name);
      const fromFs = fileFact(host, fact.name, args as Record<string, unknown>);
      if (fromFs.handled) return fromFs.value as T;
      const res = await host.run({ script: fact.command(args) });
      return fact.parse(res.stdout, res.code, args);
    },
    resolveLocal(path, _kind) {
      return posix.isAbsolute(path) ? path : resolvePath(opts.localDir ?? process.cwd(), path);
    },
    render(template, extra) {
      return renderString(template, { ...vars, ...(extra ?? {}) });
    },
    evaluate(expression, extra) {
      return evaluate(expression, { ...vars, ...(extra ?? {}) });
    },
    markSecret() {},
    progress(message) {
      progressMessages.push(message);
    },
    log() {},
  };
  return ctx;
}

function fileFact(host: FakeHost, name: string, args: Record<string, unknown>): { handled: boolean; value?: unknown } {
  switch (name) {
    case 'file.info': {
      const path = String(args.path);
      const follow = args.follow === true;
      const n = follow ? host.resolve(path) : host.files.get(path);
      if (!n) return { handled: true, value: undefined };
      const info: FileInfo = {
        type: n.type,
        mode: n.mode,
        owner: n.owner,
        group: n.group,
        uid: host.uid(n.owner),
        gid: host.gid(n.group),
        size: n.type === 'file' ? n.content.length : 4096,
        mtime: n.mtime,
      };
      if (n.type === 'link') info.linkTarget = n.target;
      if (args.checksum && n.type === 'file') info.checksum = host.sha(path, args.checksum as 'sha256' | 'sha1', follow);
      if (args.content && n.type === 'file' && n.content.length <= CONTENT_LIMIT) info.content = Buffer.from(n.content);
      return { handled: true, value: info };
    }
    case 'file.stat': {
      // Ansible's stat view of a fake node (no devices, every access allowed, no `file` command).
      const path = String(args.path);
      const follow = args.follow === true;
      const n = follow ? host.resolve(path) : host.files.get(path);
      if (!n) return { handled: true, value: undefined };
      const typeBits = n.type === 'file' ? 0o100000 : n.type === 'directory' ? 0o040000 : 0o120000;
      const raw: StatPathRaw = {
        rawMode: typeBits | n.mode, nlink: 1, uid: host.uid(n.owner), gid: host.gid(n.group), owner: n.owner, group: n.group,
        size: n.type === 'file' ? n.content.length : 4096, inode: 0, dev: 0, atime: n.mtime, mtime: n.mtime, ctime: n.mtime,
        blocks: 8, blockSize: 4096, rdev: 0, readable: true, writeable: true, executable: (n.mode & 0o111) !== 0,
      };
      if (n.type === 'link') {
        raw.linkTarget = n.target;
        raw.realPath = posix.resolve(posix.dirname(path), n.target);
      }
      if (args.checksum && n.type === 'file') raw.checksum = host.sha(path, args.checksum as 'sha256' | 'sha1', follow);
      return { handled: true, value: raw };
    }
    case 'file.path_info': {
      const path = String(args.path);
      const target = host.resolve(path);
      const n = host.files.get(path);
      if (!target || !n) return { handled: true, value: undefined };
      const value: AnsiblePathInfo = {
        uid: host.uid(n.owner), gid: host.gid(n.group), owner: n.owner, group: n.group,
        mode: `0${n.mode.toString(8).padStart(3, '0')}`,
        state: n.type === 'link' ? 'link' : target.type === 'directory' ? 'directory' : 'file',
        size: n.type === 'file' ? n.content.length : n.type === 'link' ? n.target.length : 4096,
      };
      return { handled: true, value };
    }
    case 'file.presence': {
      const path = String(args.path);
      const n = host.resolve(path);
      if (!n) return { handled: true, value: { exists: false } };
      if (n.type !== 'directory' || host.files.get(path)?.type === 'link') return { handled: true, value: { exists: true } };
      const prefix = path.replace(/\/$/, '') + '/';
      return { handled: true, value: { exists: true, emptyDir: ![...host.files.keys()].some((k) => k.startsWith(prefix)) } };
    }
    case 'file.tree_content': {
      const prefix = String(args.path).replace(/\/$/, '') + '/';
      const below = [...host.files.entries()].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => a.localeCompare(b));
      return { handled: true, value: { directories: below.filter(([, n]) => n.type === 'directory').map(([k]) => k), files: below.filter(([, n]) => n.type !== 'directory').map(([k]) => k) } };
    }
    case 'file.appears_binary': {
      const n = host.resolve(String(args.path));
      return { handled: true, value: n?.type === 'file' && n.content.includes(0) };
    }
    case 'file.exists':
      return { handled: true, value: host.files.has(String(args.path)) };
    case 'file.isdir':
      return { handled: true, value: host.resolve(String(args.path))?.type === 'directory' };
    case 'file.glob': {
      // `*` and `?` within one path component, `[...]` a class: as the shell expands the pattern
      const source = String(args.pattern).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
      const re = new RegExp(`^${source}$`);
      return { handled: true, value: [...host.files.keys()].some((p) => re.test(p)) };
    }
    case 'file.paths_stat': {
      const m = new Map<string, { type: string; size: number; mtime: number } | undefined>();
      for (const p of args.paths as string[]) {
        const n = host.resolve(p);
        m.set(p, n ? { type: n.type, size: n.type === 'file' ? n.content.length : 4096, mtime: n.mtime } : undefined);
      }
      return { handled: true, value: m };
    }
    default:
      return { handled: false };
  }
}

/** Validate raw args with the module's schema (as the engine does), then run it. */
export async function runModule(module: ModuleDefinition, rawArgs: unknown, ctx: ModuleContext): Promise<ModuleResult> {
  const parsed = module.args.safeParse(rawArgs);
  if (!parsed.success) throw new Error(`invalid args for ${module.name}: ${parsed.error.message}`);
  return module.run(parsed.data, ctx);
}
