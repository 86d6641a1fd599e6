/**
 * The one fake host of the test kit: a small filesystem (files, folders, links with mode, owner and
 * group) plus an interpreter for the argv commands plans emit (mkdir, chmod, chown, rm, ln, touch,
 * mv, cp, stat -c %a, test -x), and, for everything else (package tools, init scripts, iptables,
 * facts' scripts), replies from handlers a test registers. Every command is recorded: `log` holds
 * what was done as lines (command lines, `writeFile PATH MODE`, `putFile L R`), `runs` the commands
 * with their options. An unanswered command succeeds with no output.
 *
 * The installers' tests (nginx, keepalived, vrrp) use on() and file()/stored(); the built-in modules'
 * tests use respond() and put()/mkdir(); both through the same host.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { shellJoin, type Command, type FileAttributes, type Fact, type ModuleContext, type Remote, type RunOptions, type RunResult } from '@haweb/core';
import { shlexSplit } from '../util/shlex.js';
import { formatMode, parseMode, resolveMode } from '../util/mode.js';

export interface Reply {
  code?: number;
  stdout?: string;
  stderr?: string;
}

export type FakeNode =
  | { type: 'file'; content: Buffer; mode: number; owner: string; group: string; mtime: number }
  | { type: 'directory'; mode: number; owner: string; group: string; mtime: number }
  | { type: 'link'; target: string; mode: number; owner: string; group: string; mtime: number };

export type Responder = (command: Command, text: string, options: RunOptions) => RunResult | undefined;

const USERS: Record<string, number> = { root: 0, daemon: 1, bin: 2, 'www-data': 33, nobody: 65534, nginx: 101 };
const GROUPS: Record<string, number> = { root: 0, daemon: 1, bin: 2, adm: 4, 'www-data': 33, nogroup: 65534, nginx: 101 };

/** FakeHost's options for the modules' tests: a write into a missing folder fails, as on a real host. */
export const REAL_FOLDERS = { missingParents: 'fail' } as const;

export class FakeHost implements Remote {
  readonly files = new Map<string, FakeNode>();
  /** Everything done to the host, in order: command lines (argv quoted), `writeFile PATH MODE`, `putFile L R`. */
  readonly log: string[] = [];
  /** The commands as run: text (argv joined by spaces), the command and its options. */
  readonly runs: Array<{ text: string; command: Command; options: RunOptions }> = [];
  /** Paths written with writeFile/putFile, in order. */
  readonly writes: string[] = [];
  /** on(): later handlers win, so a test can override an earlier answer. */
  private readonly handlers: { match: RegExp; reply: (line: string) => Reply }[] = [];
  /** respond(): asked in order, the first answer wins. */
  private readonly responders: Responder[] = [];
  private clock = 1_700_000_000;

  /**
   * `missingParents: 'fail'`: writing into a folder that does not exist fails, as on a real host (the
   * modules' tests of that); 'create' (default): the folder appears (the installers' tests do not
   * model every folder a build makes).
   */
  constructor(
    readonly hostName = 'fake',
    private readonly options: { missingParents?: 'create' | 'fail' } = {},
  ) {
    for (const d of ['/', '/etc', '/tmp', '/usr', '/usr/local', '/var', '/srv']) this.mkdir(d);
  }

  // ---- test helpers ----
  /** Answer the command lines that match (argv quoted as a shell would); later handlers win. */
  on(match: RegExp, reply: Reply | ((line: string) => Reply)): this {
    this.handlers.push({ match, reply: typeof reply === 'function' ? reply : () => reply });
    return this;
  }

  respond(responder: Responder): void {
    this.responders.push(responder);
  }

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

  /** put() with an octal mode string ("0755"). */
  file(path: string, content: string, mode = '0644'): this {
    this.put(path, content, parseInt(mode, 8));
    return this;
  }

  /** A regular file's content and octal mode ("0644"), as the installers' tests compare them. */
  stored(path: string): { content: Buffer; mode: string } | undefined {
    const n = this.files.get(path);
    return n?.type === 'file' ? { content: n.content, mode: formatMode(n.mode) } : undefined;
  }

  text(path: string): string | undefined {
    const n = this.files.get(path);
    return n?.type === 'file' ? n.content.toString('utf8') : undefined;
  }

  /** Only the command lines of `log` (no file transfers). */
  get commands(): string[] {
    return this.log.filter((l) => !l.startsWith('writeFile ') && !l.startsWith('putFile '));
  }

  /** The commands that ran, as text (argv joined by spaces, unquoted). */
  ran(): string[] {
    return this.runs.map((l) => l.text);
  }

  snapshot(): string {
    return JSON.stringify([...this.files.entries()].map(([p, n]) => [p, { ...n, content: n.type === 'file' ? n.content.toString('base64') : undefined }]));
  }

  // ---- Remote ----
  async run(command: Command, options: RunOptions = {}): Promise<RunResult> {
    const text = 'argv' in command ? command.argv.join(' ') : command.script;
    const line = 'argv' in command ? shellJoin(command.argv) : command.script;
    this.log.push(line);
    this.runs.push({ text, command, options });
    const result = this.answer(command, text, line, options);
    if (options.onOutput && result.stdout) options.onOutput(result.stdout, 'stdout');
    return result;
  }

  private answer(command: Command, text: string, line: string, options: RunOptions): RunResult {
    const handler = [...this.handlers].reverse().find((h) => h.match.test(line));
    if (handler) {
      const reply = handler.reply(line);
      return { code: reply.code ?? 0, stdout: reply.stdout ?? '', stderr: reply.stderr ?? '' };
    }
    for (const r of this.responders) {
      const res = r(command, text, options);
      if (res) return res;
    }
    if ('argv' in command) return this.exec([...command.argv]);
    // Plans arrive as `argv && argv && ...` scripts; other scripts (facts) succeed with no output.
    let words: string[];
    try {
      words = shlexSplit(command.script);
    } catch {
      return { code: 0, stdout: '', stderr: '' };
    }
    // `2>&1` changes nothing here; any other shell syntax (pipes, loops, substitutions) is not a plan.
    words = words.filter((w) => w !== '2>&1');
    if (words.some((w) => /^[|;<>(){}]|^\d*[<>]|^\$\(|^(if|for|while|then)$|[;|]$/.test(w))) return { code: 0, stdout: '', stderr: '' };
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
    this.parentOf(path);
    const old = this.files.get(path);
    this.log.push(`writeFile ${path} ${attrs.mode ?? ''}`.trim());
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
    this.log.push(`putFile ${localPath} ${remotePath}`);
    this.parentOf(remotePath);
    this.writes.push(remotePath);
    this.files.set(remotePath, { type: 'file', content: readFileSync(localPath), mode: attrs.mode !== undefined ? parseInt(attrs.mode, 8) : 0o644, owner: attrs.owner ?? 'root', group: attrs.group ?? 'root', mtime: ++this.clock });
  }

  private parentOf(path: string): void {
    const parent = this.files.get(posix.dirname(path));
    if (parent?.type === 'directory') return;
    if (parent === undefined && this.options.missingParents !== 'fail') this.mkdir(posix.dirname(path));
    else throw new Error(`writing ${path} failed: no such directory`);
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
      case 'stat': {
        // stat -c %a PATH: the octal mode.
        const n = this.resolve(operands[operands.length - 1]);
        return n ? { code: 0, stdout: `${n.mode.toString(8)}\n`, stderr: '' } : fail('No such file');
      }
      case 'test': {
        const n = this.resolve(operands[operands.length - 1]);
        if (flags.includes('-x')) return { code: n && (n.mode & 0o111) !== 0 ? 0 : 1, stdout: '', stderr: '' };
        if (flags.includes('-d')) return { code: n?.type === 'directory' ? 0 : 1, stdout: '', stderr: '' };
        return { code: n ? 0 : 1, stdout: '', stderr: '' };
      }
      default:
        // Not a file command: nothing to do on the filesystem.
        return okr;
    }
  }
}

export interface FakeContextOptions {
  facts?: Record<string, unknown>;
  vars?: Record<string, unknown>;
  check?: boolean;
  diff?: boolean;
}

export interface FakeContext extends ModuleContext {
  readonly progressLog: string[];
  readonly secrets: string[];
}

export function fakeContext(host: FakeHost, options: FakeContextOptions = {}): FakeContext {
  const progressLog: string[] = [];
  const secrets: string[] = [];
  return {
    hostName: host.hostName,
    vars: options.vars ?? {},
    facts: options.facts ?? {},
    check: options.check ?? false,
    diff: options.diff ?? false,
    become: false,
    remote: host,
    async fact<A, T>(fact: Fact<A, T>, args: A): Promise<T> {
      const res = await host.run({ script: fact.command(args) });
      return fact.parse(res.stdout, res.code, args);
    },
    resolveLocal: (path) => path,
    render: (template, extra) =>
      template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String({ ...options.vars, ...extra }[name] ?? '')),
    evaluate: () => undefined,
    markSecret: (value) => secrets.push(value),
    progress: (message) => progressLog.push(message),
    log: () => undefined,
    progressLog,
    secrets,
  };
}

export const DEBIAN_FACTS = { ansible_os_family: 'Debian', ansible_architecture: 'x86_64', ansible_processor_vcpus: 2 };
export const RHEL_FACTS = { ansible_os_family: 'RedHat', ansible_architecture: 'x86_64', ansible_processor_vcpus: 4 };
