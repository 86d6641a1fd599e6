import { shellQuote, type Fact, type ModuleContext } from '@haweb/core';
import { enableScript, enabledCheckScript } from './boot-enable.js';
import type { OsFamily } from '../os-family.js';

export interface InitServiceState {
  installed: boolean;
  running: boolean;
  enabled: boolean;
}

/** One round trip: is the init script there, does `status` say running (LSB 0), is it enabled. */
export const initServiceFact: Fact<{ family: OsFamily; name: string }, InitServiceState> = {
  name: 'init_service',
  command({ family, name }) {
    const script = shellQuote(`/etc/init.d/${name}`);
    return [
      `if [ -x ${script} ]; then echo installed; ${script} status >/dev/null 2>&1 && echo running; fi`,
      `${enabledCheckScript(family, name)} && echo enabled`,
      'true',
    ].join('; ');
  },
  parse(stdout) {
    const words = new Set(stdout.split(/\s+/));
    return { installed: words.has('installed'), running: words.has('running'), enabled: words.has('enabled') };
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
