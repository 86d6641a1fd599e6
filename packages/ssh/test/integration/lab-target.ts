/** Connection targets for the lab's hosts (state written by `npm run lab -- up`). */
import { inject } from 'vitest';
import { readLabState, type LabState } from '@haweb/lab';
import type { ConnectionTarget } from '@haweb/core';

export async function labState(): Promise<LabState> {
  const name = inject('labName');
  const state = await readLabState(name);
  if (!state) throw new Error(`lab ${name} has no state: is it up?`);
  return state;
}

export function labTarget(state: LabState, index = 0, over: Partial<ConnectionTarget> = {}): ConnectionTarget {
  const host = state.hosts[index];
  if (!host) throw new Error(`lab ${state.name} has no host #${index + 1}`);
  return {
    hostName: host.name,
    address: host.address,
    port: 22,
    user: 'root',
    privateKeyFile: state.paths.privateKey,
    knownHostsFile: state.paths.knownHosts,
    hostKeyPolicy: 'strict',
    connectTimeoutMs: 10_000,
    ...over,
  };
}

// Provided by the root integration config's global setup (test/setup/lab.global.ts).
declare module 'vitest' {
  export interface ProvidedContext {
    labName: string;
  }
}
