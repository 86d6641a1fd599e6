/**
 * An in-memory host for module tests without SSH: a small filesystem plus an interpreter for the
 * argv commands the modules' plans emit (mkdir, chmod, chown, rm, ln, touch, mv, cp). Everything else
 * (package tools, init scripts, iptables) is answered by responders a test registers, and every
 * command is recorded so tests can assert what ran.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { Command, FileAttributes, Remote, RunOptions, RunResult } from '@haweb/core';
import { shlexSplit } from '../util/shlex.js';
import { parseMode, resolveMode } from '../util/mode.js';

export type FakeNode =
  | { type: 'file'; content: Buffer; mode: number; owner: string; group: string; mtime: number }
  | { type: 'directory'; mode: number; owner: string; group: string; mtime: number }
  | { type: 'link'; target: string; mode: number; owner: string; group: string; mtime: number };

export type Responder = (command: Command, text: string, options: RunOptions) => RunResult | undefined;

const USERS: Record<string, number> = { root: 0, daemon: 1, bin: 2, 'www-data': 33, nobody: 65534, nginx: 101 };
const GROUPS: Record<string, number> = { root: 0, daemon: 1, bin: 2, adm: 4, 'www-data': 33, nogroup: 65534, nginx: 101 };

export class FsHost implements Remote {
  readonly files = new Map<string, FakeNode>();
  readonly log: Array<{ text: string; command: Command; options: RunOptions }> = [];
  readonly writes: string[] = [];
  private readonly responders: Responder[] = [];
  private clock = 1_700_000_000;

  constructor(readonly hostName = 'fake-host') {
    for (const d of ['/', '/etc', '/tmp', '/usr', '/usr/local', '/var', '/srv']) this.mkdir(d);
  }

  // ---- test helpers ----
  mkdir(path: string, mode = 0o755, owner = 'root', group = 'root'): void {
    const parts = path.split('/').filter(Boolean);
    let cur = '';
    if (!this.files.has('/')) this.files.set('/', { type: 'directory', mode: 0o755, owner: 'root', group: 'root', mtime: this.clock });
    for (const p of parts) {
      cur += `/${p}`;
      if (!this.files.has(cur)) this.files.set(cur, { type: 'directory', mode, owner, group, mtime: this.clock });
    }
  }

  put(path: string, content: string | Buffer, mode = 0o644, owner = 'root', group = 'root'): void {
    this.mkdir(posix.dirname(path));
    this.files.set(path, { type: 'file', content: Buffer.from(content), mode, owner, group, mtime: ++this.clock });
  }

  text(path: string): string | undefined {
    const n = this.files.get(path);
    return n?.type === 'file' ? n.content.toString('utf8') : undefined;
  }

  respond(responder: Responder): void {
    this.responders.push(responder);
  }

  /** Commands that ran, as text (argv joined by spaces). */
  commands(): string[] {
    return this.log.map((l) => l.text);
  }

  snapshot(): string {
    return JSON.stringify([...this.files.entries()].map(([p, n]) => [p, { ...n, content: n.type === 'file' ? n.content.toString('base64') : undefined }]));
  }

  // ---- Remote ----
  async run(command: Command, options: RunOptions = {}): Promise<RunResult> {
    const text = 'argv' in command ? command.argv.join(' ') : command.script;
    this.log.push({ text, command, options });
    for (const r of this.responders) {
      const res = r(command, text, options);
      if (res) return res;
    }
    if ('argv' in command) return this.exec([...command.argv]);
    // Plans arrive as `argv && argv && ...` scripts.
    let words: string[];
    try {
      words = shlexSplit(command.script);
    } catch {
      return { code: 127, stdout: '', stderr: `fake host: cannot parse script ${command.script}` };
    }
    const steps: string[][] = [[]];
    for (const w of words) {
      if (w === '&&') steps.push([]);
      else steps[steps.length - 1].push(w);
    }
    let last: RunResult = { code: 0, stdout: '', stderr: '' };
    for (const argv of steps) {
      last = this.exec(argv);
      if (last.code !== 0) return last;
    }
    return last;
  }

  async writeFile(path: string, content: string | Buffer, attrs: FileAttributes & { become?: boolean } = {}): Promise<void> {
    const parent = this.files.get(posix.dirname(path));
    if (!parent || parent.type !== 'directory') throw new Error(`writing ${path} failed: no such directory`);
    const old = this.files.get(path);
    this.writes.push(path);
    this.files.set(path, {
      type: 'file',
      content: Buffer.from(content),
      mode: attrs.mode !== undefined ? parseInt(attrs.mode, 8) : old?.mode ?? 0o644,
      owner: attrs.owner ?? old?.owner ?? 'root',
      group: attrs.group ?? old?.group ?? 'root',
      mtime: ++this.clock,
    });
  }

  async putFile(localPath: string, remotePath: string, attrs: FileAttributes & { become?: boolean } = {}): Promise<void> {
    await this.writeFile(remotePath, readFileSync(localPath), attrs);
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    const n = this.resolve(path);
    if (!n) return undefined;
    if (n.type !== 'file') throw new Error(`${path} is a ${n.type}`);
    return Buffer.from(n.content);
  }

  // ---- filesystem semantics used by facts ----
  resolve(path: string, follow = true): FakeNode | undefined {
    let n = this.files.get(path);
    for (let i = 0; follow && n?.type === 'link' && i < 10; i++) n = this.files.get(posix.resolve(posix.dirname(path), n.target));
    return n;
  }

  sha(path: string, algo: 'sha256' | 'sha1', follow: boolean): string | undefined {
    const n = follow ? this.resolve(path) : this.files.get(path);
    return n?.type === 'file' ? createHash(algo).update(n.content).digest('hex') : undefined;
  }

  uid(name: string): number {
    return USERS[name] ?? (/^\d+$/.test(name) ? Number(name) : 1000);
  }

  gid(name: string): number {
    return GROUPS[name] ?? (/^\d+$/.test(name) ? Number(name) : 1000);
  }

  private exec(argv: string[]): RunResult {
    const fail = (msg: string, code = 1): RunResult => ({ code, stdout: '', stderr: msg });
    const okr: RunResult = { code: 0, stdout: '', stderr: '' };
    const [cmd, ...rest] = argv;
    const args = rest.filter((a) => a !== '--');
    const flags = args.filter((a) => /^-[a-zA-Z]+$/.test(a));
    const operands = args.filter((a) => !/^-[a-zA-Z]+$/.test(a));
    switch (cmd) {
      case 'mkdir':
        for (const p of operands) {
          if (!flags.includes('-p') && !this.files.has(posix.dirname(p))) return fail(`mkdir: ${p}: no parent`);
          this.mkdir(p);
        }
        return okr;
      case 'chmod': {
        const [spec, ...paths] = operands;
        for (const p of paths) {
          const n = this.resolve(p);
          if (!n) return fail(`chmod: ${p}: No such file`);
          n.mode = resolveMode(parseMode(spec), n.mode, n.type === 'directory');
        }
        return okr;
      }
      case 'chown': {
        const [spec, ...paths] = operands;
        const [owner, group] = spec.includes(':') ? spec.split(':') : [spec, undefined];
        if (owner && !(owner in USERS) && !/^\d+$/.test(owner)) return fail(`chown: invalid user: '${owner}'`);
        if (group && !(group in GROUPS) && !/^\d+$/.test(group)) return fail(`chown: invalid group: '${spec}'`);
        for (const p of paths) {
          const n = flags.includes('-h') ? this.files.get(p) : this.resolve(p);
          if (!n) return fail(`chown: ${p}: No such file`);
          if (owner) n.owner = owner;
          if (group) n.group = group;
        }
        return okr;
      }
      case 'rm':
        for (const p of operands) {
          for (const k of [...this.files.keys()]) if (k === p || k.startsWith(`${p}/`)) this.files.delete(k);
        }
        return okr;
      case 'ln': {
        const [src, dest] = operands;
        if (!this.files.has(posix.dirname(dest))) return fail(`ln: ${dest}: no such directory`);
        this.files.set(dest, { type: 'link', target: src, mode: 0o777, owner: 'root', group: 'root', mtime: ++this.clock });
        return okr;
      }
      case 'touch':
        for (const p of operands) {
          const n = this.files.get(p);
          if (n) n.mtime = ++this.clock;
          else if (!this.files.has(posix.dirname(p))) return fail(`touch: ${p}: no such directory`);
          else this.put(p, '');
        }
        return okr;
      case 'mv': {
        const [src, dest] = operands;
        const n = this.files.get(src);
        if (!n) return fail(`mv: ${src}: No such file`);
        this.files.delete(src);
        this.files.set(dest, n);
        return okr;
      }
      case 'cp': {
        const [src, dest] = operands;
        const n = this.files.get(src);
        if (!n || n.type !== 'file') return fail(`cp: ${src}: No such file`);
        this.files.set(dest, { ...n, content: Buffer.from(n.content) });
        return okr;
      }
      default:
        return fail(`fake host: no responder for ${argv.join(' ')}`, 127);
    }
  }
}
