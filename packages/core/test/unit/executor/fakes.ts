/** In-memory fakes for executor tests: a Connector whose hosts are maps of files, test modules, a templater. */
import { z } from 'zod';
import {
  UnreachableError,
  type Connection,
  type ConnectionTarget,
  type Connector,
  type ModuleDefinition,
  type ModuleResult,
} from '../../../src/index.js';
import type { Block, Handler, Inventory, Play, Playbook, Task, Vars } from '../../../src/model.js';
import type { Templater } from '../../../src/executor/types.js';
import { Registry } from '../../../src/registry.js';
import { jinjaTemplater } from '../../../src/executor/jinja.js';
import type { RunEvent } from '../../../src/executor/events.js';

/** The real Jinja2 engine: executor tests exercise the same templating the CLI uses. */
export function makeTemplater(): Templater {
  return jinjaTemplater;
}

export class FakeHost {
  files = new Map<string, string>();
  commands: string[] = [];
  /** The environment each command ran with (empty when none). */
  envs: Record<string, string>[] = [];
  /** Per command: the login user of its connection and the become the transport was given. */
  runAs: { login: string; become?: unknown }[] = [];
  closed = 0;
}

export class FakeConnector implements Connector {
  hosts = new Map<string, FakeHost>();
  connects: string[] = [];
  targets: ConnectionTarget[] = [];
  unreachable = new Set<string>();

  host(name: string): FakeHost {
    let h = this.hosts.get(name);
    if (!h) this.hosts.set(name, (h = new FakeHost()));
    return h;
  }

  async connect(target: ConnectionTarget): Promise<Connection> {
    this.connects.push(target.hostName);
    this.targets.push(target);
    if (this.unreachable.has(target.hostName)) {
      throw new UnreachableError(target.hostName, `ssh: connect to ${target.address} port ${target.port}: refused`);
    }
    const h = this.host(target.hostName);
    return {
      hostName: target.hostName,
      async run(command, options) {
        const text = 'argv' in command ? command.argv.join(' ') : command.script;
        h.commands.push(text);
        h.envs.push({ ...options?.env });
        h.runAs.push({ login: target.user, ...(options?.become !== undefined ? { become: options.become } : {}) });
        return { code: 0, stdout: `ran ${text}`, stderr: '' };
      },
      async writeFile(path, content) {
        h.files.set(path, String(content));
      },
      async putFile(local, remote) {
        h.files.set(remote, `from ${local}`);
      },
      async readFile(path) {
        const v = h.files.get(path);
        return v === undefined ? undefined : Buffer.from(v);
      },
      async close() {
        h.closed++;
      },
    };
  }
}

/** Tiny modules: enough to drive every executor path. */
export function testModules(log: string[] = []): ModuleDefinition[] {
  let running = 0;
  const stats = { maxRunning: 0 };
  const file: ModuleDefinition = {
    name: 'file_put',
    aliases: ['put'],
    description: 'write content to a file when different',
    args: z.strictObject({ path: z.string(), content: z.string().default('') }),
    checkMode: 'full',
    async run(args: { path: string; content: string }, ctx) {
      log.push(`${ctx.hostName}:file_put:${args.path}`);
      const before = (await ctx.remote.readFile(args.path))?.toString();
      if (before === args.content) return { changed: false, msg: 'up to date' };
      if (!ctx.check) await ctx.remote.writeFile(args.path, args.content);
      const r: ModuleResult = { changed: true, msg: `wrote ${args.path}` };
      if (ctx.diff) r.diff = [{ before: before ?? '', after: args.content, beforeHeader: args.path, afterHeader: args.path }];
      return r;
    },
  };
  const cmd: ModuleDefinition = {
    name: 'cmd',
    description: 'run a command (no check mode)',
    args: z.strictObject({ cmd: z.string() }),
    freeFormKey: 'cmd',
    checkMode: 'none',
    async run(args: { cmd: string }, ctx) {
      log.push(`${ctx.hostName}:cmd:${args.cmd}`);
      ctx.progress(`running ${args.cmd}`);
      const r = await ctx.remote.run({ argv: ['sh', '-c', args.cmd] }, ctx.become ? { become: true } : undefined);
      return { changed: true, rc: r.code, stdout: r.stdout };
    },
  };
  const echo: ModuleDefinition = {
    name: 'echo',
    aliases: ['debug'],
    description: 'controller-side message',
    args: z.strictObject({ msg: z.unknown().optional(), fail: z.boolean().optional() }),
    runsOn: 'controller',
    checkMode: 'full',
    async run(args: { msg?: unknown; fail?: boolean }, ctx) {
      log.push(`${ctx.hostName}:echo:${typeof args.msg === 'string' ? args.msg : JSON.stringify(args.msg)}`);
      return { changed: false, failed: args.fail, msg: typeof args.msg === 'string' ? args.msg : JSON.stringify(args.msg), value: args.msg };
    },
  };
  const boom: ModuleDefinition = {
    name: 'boom',
    description: 'throws',
    args: z.strictObject({ when_host: z.string().optional() }),
    checkMode: 'full',
    async run(args: { when_host?: string }, ctx) {
      log.push(`${ctx.hostName}:boom`);
      if (!args.when_host || args.when_host === ctx.hostName) throw new Error(`exploded on ${ctx.hostName}`);
      return { changed: false };
    },
  };
  const setFact: ModuleDefinition = {
    name: 'set_fact',
    description: 'set host variables',
    args: z.record(z.string(), z.unknown()),
    runsOn: 'controller',
    checkMode: 'full',
    async run(args: Record<string, unknown>) {
      const { cacheable, ...facts } = args;
      return { changed: false, facts, ...(cacheable === true ? { facts_cacheable: true } : {}) };
    },
  };
  const setup: ModuleDefinition = {
    name: 'setup',
    description: 'facts',
    args: z.strictObject({}),
    checkMode: 'full',
    async run(_args, ctx) {
      log.push(`${ctx.hostName}:setup`);
      await ctx.remote.run({ script: 'uname -a' });
      return { changed: false, facts: { ansible_os_family: 'Debian', ansible_hostname: ctx.hostName } };
    },
  };
  /** A module returning facts of its own (as getent's getent_<database>). */
  const lookup: ModuleDefinition = {
    name: 'lookup_facts',
    description: 'facts of a module other than setup and set_fact',
    args: z.strictObject({}),
    checkMode: 'full',
    async run() {
      return { changed: false, facts: { getent_passwd: { root: ['x', '0'] } } };
    },
  };
  const slow: ModuleDefinition & { stats: typeof stats } = {
    name: 'slow',
    description: 'sleeps, counting concurrency',
    args: z.strictObject({ ms: z.number().default(20) }),
    checkMode: 'full',
    stats,
    async run(args: { ms: number }) {
      running++;
      stats.maxRunning = Math.max(stats.maxRunning, running);
      await new Promise((r) => setTimeout(r, args.ms));
      running--;
      return { changed: false };
    },
  };
  const secret: ModuleDefinition = {
    name: 'secret_echo',
    description: 'marks its value secret, then returns it in msg, stdout and diff',
    args: z.strictObject({ value: z.string() }),
    checkMode: 'full',
    async run(args: { value: string }, ctx) {
      ctx.markSecret(args.value);
      ctx.log(`log has ${args.value}`);
      return { changed: true, msg: `value is ${args.value}`, stdout: args.value, diff: [{ before: '', after: `pw=${args.value}\n` }] };
    },
  };
  const whoami: ModuleDefinition = {
    name: 'whoami',
    description: 'logs whether the task runs with become',
    args: z.strictObject({}),
    runsOn: 'controller',
    checkMode: 'full',
    async run(_args, ctx) {
      log.push(`${ctx.hostName}:become:${ctx.become}`);
      return { changed: false };
    },
  };
  return [file, cmd, echo, boom, setFact, setup, lookup, slow, secret, whoami];
}

export function registry(log: string[] = []): Registry {
  const r = new Registry();
  for (const m of testModules(log)) r.register(m);
  return r;
}

const POS = { file: 'site.yml', line: 1, col: 1 };
let line = 10;

export function task(module: string, args: Vars | string = {}, extra: Partial<Task> = {}): Task {
  return {
    kind: 'task',
    pos: { ...POS, line: line++ },
    module,
    args,
    when: [],
    tags: [],
    vars: {},
    ignoreErrors: false,
    noLog: false,
    loopVar: 'item',
    notify: [],
    ...extra,
  };
}

export function handler(name: string, module: string, args: Vars | string = {}, extra: Partial<Handler> = {}): Handler {
  return { ...task(module, args, { name, ...extra }), listen: [], ...extra } as Handler;
}

export function block(items: Partial<Block>): Block {
  return {
    kind: 'block',
    pos: { ...POS, line: line++ },
    block: [],
    rescue: [],
    always: [],
    when: [],
    tags: [],
    vars: {},
    ignoreErrors: false,
    noLog: false,
    ...items,
  };
}

export function play(tasks: Play['tasks'], extra: Partial<Play> = {}): Play {
  return {
    name: 'test play',
    pos: POS,
    hosts: 'all',
    vars: {},
    varsFiles: [],
    gatherFacts: false,
    become: false,
    roleDefaults: {},
    preTasks: [],
    tasks,
    postTasks: [],
    handlers: [],
    baseDir: '/tmp',
    ...extra,
  };
}

export function playbook(...plays: Play[]): Playbook {
  return { file: 'site.yml', plays };
}

export function inventory(hosts: string[], groups: Record<string, string[]> = {}, hostVars: Record<string, Vars> = {}): Inventory {
  const inv: Inventory = { sources: ['inventory.yml'], hosts: new Map(), groups: new Map() };
  for (const h of hosts) inv.hosts.set(h, { name: h, vars: { ansible_host: `198.51.100.${hosts.indexOf(h) + 51}`, ...(hostVars[h] ?? {}) } });
  const grouped = new Set(Object.values(groups).flat());
  inv.groups.set('all', { name: 'all', hosts: [], children: [...Object.keys(groups), 'ungrouped'], vars: {} });
  inv.groups.set('ungrouped', { name: 'ungrouped', hosts: hosts.filter((h) => !grouped.has(h)), children: [], vars: {} });
  for (const [g, members] of Object.entries(groups)) inv.groups.set(g, { name: g, hosts: members, children: [], vars: {} });
  return inv;
}

/** Host results as `host task status` lines, in emission order. */
export function resultLines(events: RunEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'host-result' ? [`${e.host} ${e.task.name} ${e.status}${e.ignored ? ' ignored' : ''}`] : []));
}
