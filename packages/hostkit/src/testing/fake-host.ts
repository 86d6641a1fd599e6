import { readFileSync } from 'node:fs';
import { shellJoin, type Command, type FileAttributes, type Fact, type ModuleContext, type Remote, type RunOptions, type RunResult } from '@haweb/core';

/**
 * An in-memory host for planning tests: files live in a map, every command is recorded as the
 * shell line it would be, and replies come from handlers (first match wins). A few commands the
 * modules use to manage files (stat, test -x, mv -f, rm -f, chmod) act on the map, so flows like
 * "write candidate, validate, rename" can be checked end to end.
 */
export interface Reply {
  code?: number;
  stdout?: string;
  stderr?: string;
}

export class FakeHost implements Remote {
  readonly files = new Map<string, { content: Buffer; mode: string }>();
  /** Everything done to the host, in order: command lines, `writeFile PATH MODE`, `putFile L R`. */
  readonly log: string[] = [];
  /** Later handlers win, so a test can override an earlier answer. */
  private readonly handlers: { match: RegExp; reply: (line: string) => Reply }[] = [];

  constructor(readonly hostName = 'fake') {}

  on(match: RegExp, reply: Reply | ((line: string) => Reply)): this {
    this.handlers.push({ match, reply: typeof reply === 'function' ? reply : () => reply });
    return this;
  }

  file(path: string, content: string, mode = '0644'): this {
    this.files.set(path, { content: Buffer.from(content), mode });
    return this;
  }

  text(path: string): string | undefined {
    return this.files.get(path)?.content.toString('utf8');
  }

  /** Only the command lines (no file transfers). */
  get commands(): string[] {
    return this.log.filter((l) => !l.startsWith('writeFile ') && !l.startsWith('putFile '));
  }

  async run(command: Command, options: RunOptions = {}): Promise<RunResult> {
    const line = 'argv' in command ? shellJoin(command.argv) : command.script;
    this.log.push(line);
    const handler = [...this.handlers].reverse().find((h) => h.match.test(line));
    const reply: Reply = handler ? handler.reply(line) : this.builtin(command);
    const result = { code: reply.code ?? 0, stdout: reply.stdout ?? '', stderr: reply.stderr ?? '' };
    if (options.onOutput && result.stdout) options.onOutput(result.stdout, 'stdout');
    return result;
  }

  private builtin(command: Command): Reply {
    if (!('argv' in command)) {
      const mv = /^mv -f (\S+) (\S+)(?: 2>&1)?$/.exec(command.script);
      if (mv) return this.move(unquote(mv[1]), unquote(mv[2]));
      const testX = /^test -x (\S+)$/.exec(command.script);
      if (testX) return { code: this.files.get(unquote(testX[1]))?.mode.match(/[1357]/) ? 0 : 1 };
      return {};
    }
    const [cmd, ...rest] = command.argv;
    if (cmd === 'stat' && rest[0] === '-c' && rest[1] === '%a') {
      const f = this.files.get(rest[2]);
      return f ? { stdout: `${f.mode.replace(/^0/, '')}\n` } : { code: 1, stderr: 'No such file' };
    }
    if (cmd === 'rm' && rest[0] === '-f') {
      for (const p of rest.slice(1)) this.files.delete(p);
      return {};
    }
    if (cmd === 'chmod') {
      const f = this.files.get(rest[1]);
      if (!f) return { code: 1, stderr: 'No such file' };
      f.mode = rest[0].padStart(4, '0');
      return {};
    }
    return {};
  }

  private move(from: string, to: string): Reply {
    const f = this.files.get(from);
    if (!f) return { code: 1, stderr: `mv: cannot stat '${from}'` };
    this.files.set(to, f);
    this.files.delete(from);
    return {};
  }

  async writeFile(path: string, content: string | Buffer, attrs: FileAttributes = {}): Promise<void> {
    this.log.push(`writeFile ${path} ${attrs.mode ?? ''}`.trim());
    this.files.set(path, { content: Buffer.from(content), mode: attrs.mode ?? '0644' });
  }

  async putFile(localPath: string, remotePath: string, attrs: FileAttributes = {}): Promise<void> {
    this.log.push(`putFile ${localPath} ${remotePath}`);
    this.files.set(remotePath, { content: readFileSync(localPath), mode: attrs.mode ?? '0644' });
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    return this.files.get(path)?.content;
  }
}

function unquote(word: string): string {
  return word.startsWith("'") && word.endsWith("'") ? word.slice(1, -1).replace(/'\\''/g, "'") : word;
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
