/**
 * The loader's output driven through the real executor with an in-memory host: what a user writes in
 * YAML (inventory, group_vars, roles, imports, when/loop/notify) must reach modules as intended.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Connection, Connector } from '../../../src/contract/connector.js';
import { defineModule } from '../../../src/contract/module.js';
import { Registry } from '../../../src/registry.js';
import { runPlaybook } from '../../../src/executor/runner.js';
import { jinjaTemplater } from '../../../src/executor/jinja.js';
import type { RunEvent } from '../../../src/executor/events.js';
import { prepareRun } from '../../../src/validate/validate.js';
import { parseExtraVars } from '../../../src/vars/extra-vars.js';

const DIR = join(__dirname, '../../fixtures/play/e2e');

function memoryConnector(files: Map<string, Map<string, string>>): Connector {
  return {
    async connect(target): Promise<Connection> {
      const fs = files.get(target.hostName) ?? new Map<string, string>();
      files.set(target.hostName, fs);
      return {
        hostName: target.hostName,
        run: async () => ({ code: 0, stdout: '', stderr: '' }),
        writeFile: async (p, c) => void fs.set(p, String(c)),
        putFile: async (_l, r) => void fs.set(r, 'file'),
        readFile: async (p) => (fs.has(p) ? Buffer.from(fs.get(p)!) : undefined),
        close: async () => {},
      };
    },
  };
}

function testRegistry(): Registry {
  const r = new Registry();
  r.register(defineModule({
    name: 'echo', description: 'message', runsOn: 'controller', checkMode: 'full',
    args: z.strictObject({ msg: z.string() }),
    run: async (args) => ({ changed: false, msg: args.msg }),
  }));
  r.register(defineModule({
    name: 'file_put', description: 'write when different', checkMode: 'full',
    args: z.strictObject({ path: z.string(), content: z.string() }),
    run: async (args, ctx) => {
      const before = (await ctx.remote.readFile(args.path))?.toString();
      if (before === args.content) return { changed: false };
      await ctx.remote.writeFile(args.path, args.content);
      return { changed: true };
    },
  }));
  return r;
}

async function run(extraVars: string[]) {
  const registry = testRegistry();
  const prepared = prepareRun({ playbook: join(DIR, 'site.yml'), inventory: join(DIR, 'inventory.ini'), registry });
  expect(prepared.diagnostics).toEqual([]);
  const events: RunEvent[] = [];
  const files = new Map<string, Map<string, string>>();
  const summary = await runPlaybook(prepared.playbook, {
    inventory: prepared.inventory,
    registry,
    connector: memoryConnector(files),
    templater: jinjaTemplater,
    extraVars: parseExtraVars(extraVars),
    onEvent: (e) => events.push(e),
  });
  const results = events.filter((e): e is Extract<RunEvent, { type: 'host-result' }> => e.type === 'host-result');
  const line = (host: string) => results.filter((r) => r.host === host).map((r) => `${r.task.name}: ${r.status}${r.msg ? ` ${r.msg}` : ''}`);
  return { summary, line, files };
}

describe('loader to executor', () => {
  it('runs what the YAML says, with Ansible precedence', async () => {
    const { summary, line, files } = await run(['site=extra']);
    expect(summary.failedHosts).toEqual([]);
    const items = (host: string) => line(host).filter((l) => !l.startsWith('loop native list'));
    expect(items('edu-proxy-01')).toEqual([
      'base says: ok base extra kept', // role defaults < inventory < -e
      'always true: ok prio 150 MASTER-CANDIDATE', // host var beats [lb:vars]; playbook group_vars beat inventory's
      'bare string false runs: ok deploy', // "false" from INI :vars is a non-empty string: Ansible 2.14 runs the task too
      'write config: changed',
      'result test: ok changed=True',
      'imported: ok imported block-var',
      'extra var wins: ok site=extra',
      'restart app: ok handler ran', // notified through `listen`
    ]);
    expect(line('edu-proxy-01').filter((l) => l.startsWith('loop native list'))).toHaveLength(1);
    expect(items('edu-proxy-02')[1]).toBe('always true: ok prio 100 MASTER-CANDIDATE');
    expect(files.get('edu-proxy-02')!.get('/etc/app.conf')).toBe('listen 80 443;\n');
  });

  it('is idempotent: the second run changes nothing and notifies no handler', async () => {
    const registry = testRegistry();
    const prepared = prepareRun({ playbook: join(DIR, 'site.yml'), inventory: join(DIR, 'inventory.ini'), registry });
    const files = new Map<string, Map<string, string>>();
    const connector = memoryConnector(files);
    const statuses: string[] = [];
    const opts = { inventory: prepared.inventory, registry, connector, templater: jinjaTemplater };
    await runPlaybook(prepared.playbook, opts);
    await runPlaybook(prepared.playbook, { ...opts, onEvent: (e: RunEvent) => void (e.type === 'host-result' && statuses.push(`${e.task.name}=${e.status}`)) });
    expect(statuses.filter((s) => s.endsWith('=changed'))).toEqual([]);
    expect(statuses.some((s) => s.startsWith('restart app'))).toBe(false);
  });
});
