/** The lab's state file (lab.json): what `up` made, read by every other subcommand and by tests. */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_KIND, type HostKind } from './kinds.js';
import { DEFAULT_LAB_NAME } from './plan.js';
import { hostDir, labDir } from './paths.js';

export interface LabHostState {
  index: number;
  name: string;
  address: string;
  mac: string;
  netns: string;
  /** PID (in the root pid namespace) of the host's /sbin/init; changes at every boot, read live. */
  initPid: number | null;
  supervisorPid: number | null;
  dir: string;
  bootLog: string;
  /** The host's SSH public host key line ("ssh-ed25519 AAAA..."). */
  hostKey: string;
}

export interface LabState {
  name: string;
  subnet: string;
  prefix: number;
  vip: string;
  gateway: string;
  controllerAddress: string;
  controllerVeth: string;
  bridgeNetns: string;
  interface: 'eth1';
  image: { key: string; rootfs: string };
  /** The shape of every host of the lab (labs made before host kinds existed read as the default). */
  kind: HostKind;
  /** The lab LAN's apt repository (minimal images only): the URL hosts' apt sources name. */
  repo?: { url: string; dir: string };
  client: { name: 'client'; address: string; mac: string; netns: string };
  hosts: LabHostState[];
  paths: { dir: string; state: string; privateKey: string; publicKey: string; knownHosts: string; inventory: string };
  createdAt: string;
}

export const statePath = (name: string) => join(labDir(name), 'lab.json');

export async function writeLabState(state: LabState): Promise<void> {
  const tmp = `${state.paths.state}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, state.paths.state);
}

async function readPid(path: string): Promise<number | null> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Reads lab.json with live PIDs; undefined when the lab has no state (it is down). */
export async function readLabState(name: string = DEFAULT_LAB_NAME): Promise<LabState | undefined> {
  let text: string;
  try {
    text = await readFile(statePath(name), 'utf8');
  } catch {
    return undefined;
  }
  const state = JSON.parse(text) as LabState;
  state.kind ??= { ...DEFAULT_KIND };
  for (const host of state.hosts) {
    const dir = hostDir(name, host.name);
    host.initPid = await readPid(join(dir, 'init.pid'));
    host.supervisorPid = await readPid(join(dir, 'supervisor.pid'));
  }
  return state;
}
