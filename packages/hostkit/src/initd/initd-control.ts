import type { Fact, ModuleContext } from '@haweb/core';
import { enableScript } from './boot-enable.js';
import { parseServiceFacts, serviceCommand } from '../facts/services.js';
import type { OsFamily } from '../os-family.js';

export interface InitServiceState {
  installed: boolean;
  running: boolean;
  enabled: boolean;
}

/** The kit's service fact, seen as an installed init.d service: one meaning of running and enabled. */
export const initServiceFact: Fact<{ family: OsFamily; name: string }, InitServiceState> = {
  name: 'init_service',
  command: ({ name }) => serviceCommand({ name }),
  parse(stdout) {
    const facts = parseServiceFacts(stdout);
    return { installed: facts.exists, running: facts.running, enabled: facts.enabled ?? false };
  },
};

export type ServiceAction = 'start' | 'stop' | 'restart' | 'reload';

export type DesiredRun = 'started' | 'stopped' | 'restarted' | 'reloaded';

/**
 * Pure: which init script action reaches the desired state. `reloaded` reloads a running daemon and
 * starts a stopped one (a handler after a config change); `restarted` does the same with restart.
 */
export function planServiceAction(desired: DesiredRun, running: boolean): ServiceAction | undefined {
  switch (desired) {
    case 'started':
      return running ? undefined : 'start';
    case 'stopped':
      return running ? 'stop' : undefined;
    case 'reloaded':
      return running ? 'reload' : 'start';
    case 'restarted':
      return running ? 'restart' : 'start';
  }
}

export async function runInitAction(ctx: ModuleContext, name: string, action: ServiceAction): Promise<{ ok: boolean; output: string }> {
  const res = await ctx.remote.run({ argv: [`/etc/init.d/${name}`, action] }, { become: ctx.become, timeoutMs: 60_000 });
  return { ok: res.code === 0, output: `${res.stdout}${res.stderr}`.trim() };
}

export async function enableAtBoot(ctx: ModuleContext, family: OsFamily, name: string): Promise<{ ok: boolean; output: string }> {
  const res = await ctx.remote.run({ script: `${enableScript(family, name)} 2>&1` }, { become: ctx.become, timeoutMs: 60_000 });
  return { ok: res.code === 0, output: `${res.stdout}${res.stderr}`.trim() };
}
