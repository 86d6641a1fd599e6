/** Lab lifecycle: up (idempotent), down (cleans even after a half-failed up), reboot, status. */
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError, run, step } from './exec.js';
import { ensureImage, machineMirror } from './image.js';
import { renderInventory, renderKnownHosts } from './inventory.js';
import { withLock } from './lock.js';
import {
  checkSubnetFree, configureClient, deleteControllerLink, deleteNetns, ensureBridge, ensureControllerLink, ensureLanPort, labNetnsNames,
} from './network.js';
import { DEFAULT_LAB_NAME, planLab, validateLabName, type LabPlan } from './plan.js';
import { hostDir, installedScript, LAB_SCRIPTS, labDir, packagedScript, STATE_ROOT } from './paths.js';
import { describeKind, kindOf, sameKind, type HostKind } from './kinds.js';
import { ensureRepo, repoUrl, startRepoServer, stopRepoServer } from './repo.js';
import { isAlive, pidsInNetns, signal, supervisorPidsUnder, waitGone } from './processes.js';
import { readLabState, statePath, writeLabState, type LabState } from './state.js';
import {
  bootProgress, hostFiles, runningInit, runningSupervisor, seedHost, sshBanner, startSupervisor, waitBooted, waitSsh,
} from './host.js';

export type Log = (message: string) => void;

export interface UpOptions {
  name?: string;
  hosts?: number;
  subnet?: string;
  /** The hosts' kind (init, firewall, image); unset parts are the defaults. A running lab keeps its kind. */
  kind?: Partial<HostKind>;
  log?: Log;
}

const BOOT_TIMEOUT_MS = 180_000;
const SSH_TIMEOUT_MS = 30_000;

function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) throw new LabError(what, 'the lab needs root (network namespaces, mounts, debootstrap)');
}

const lockPath = (name: string) => join(STATE_ROOT, `${name}.lock`);

/**
 * Brings the lab up, or completes a partial one. A running lab is kept as it is: hosts beyond the
 * requested count stay, and the subnet of a running lab cannot change (run `down` first).
 */
export async function labUp(options: UpOptions = {}): Promise<LabState> {
  requireRoot('up');
  const name = validateLabName(options.name ?? DEFAULT_LAB_NAME);
  const log = options.log ?? (() => {});
  return withLock(lockPath(name), `lab ${name}`, 45 * 60_000, async () => {
    const existing = await readLabState(name);
    if (existing && options.subnet && planLab({ subnet: options.subnet, name }).subnet !== existing.subnet) {
      throw new LabError('up', `lab ${name} exists with subnet ${existing.subnet}; run \`down --name ${name}\` first to use ${options.subnet}`);
    }
    const requested = options.kind && Object.values(options.kind).some((v) => v !== undefined) ? kindOf(options.kind) : undefined;
    if (existing && requested && !sameKind(existing.kind, requested)) {
      throw new LabError('up', `lab ${name} runs hosts of kind ${describeKind(existing.kind)}; run \`down --name ${name}\` first to use ${describeKind(requested)}`);
    }
    const kind = existing?.kind ?? requested ?? kindOf();
    const count = Math.max(options.hosts ?? existing?.hosts.length ?? 2, existing?.hosts.length ?? 0);
    const plan = planLab({ name, subnet: existing?.subnet ?? options.subnet, hosts: count });
    const mirrorHost = await machineMirror().then((m) => [new URL(m).hostname]).catch(() => [] as string[]);
    await checkSubnetFree(plan, mirrorHost);
    // A lab keeps the image it was made with: its hosts' overlays are layered on it, and a newer image
    // (after a change of the package list) must not make a running lab wait for a rebuild.
    const image =
      existing && existsSync(existing.image.rootfs)
        ? { key: existing.image.key, rootfs: existing.image.rootfs, action: 'reused' as const }
        : await step('prepare base image', () => ensureImage(log, kind));
    if (image.action !== 'reused') log(`image ${image.key}: ${image.action}`);
    const dir = labDir(name);
    await mkdir(join(dir, 'hosts'), { recursive: true });
    const paths = {
      dir,
      state: statePath(name),
      privateKey: join(dir, 'id_ed25519'),
      publicKey: join(dir, 'id_ed25519.pub'),
      knownHosts: join(dir, 'known_hosts'),
      inventory: join(dir, 'inventory.yml'),
    };
    if (!existsSync(paths.publicKey)) {
      await rm(paths.privateKey, { force: true });
      await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `haweb-lab-${name}`, '-f', paths.privateKey], {
        step: 'generate controller SSH key',
      });
    }
    const publicKey = await readFile(paths.publicKey, 'utf8');

    await installScripts(name);
    await ensureBridge(plan);
    await ensureControllerLink(plan);
    await configureClient(plan);
    // Minimal hosts install what they lack from the LAN, as from a real server's package mirror.
    const repo = kind.image === 'minimal' ? await step('prepare the LAN repository', () => ensureRepo(log)) : undefined;
    if (repo) await startRepoServer(plan, repo.dir);

    const hostKeys = new Map<string, string>();
    const bootsBefore = new Map<string, number>();
    for (const host of plan.hosts) {
      await ensureLanPort(plan, host);
      hostKeys.set(host.name, await seedHost(plan, host, publicKey, image.rootfs, kind, repo ? repoUrl(plan) : undefined));
    }
    // Boot every host that is not running; hosts already up are left alone (idempotent up).
    for (const host of plan.hosts) {
      const supervisor = await runningSupervisor(name, host.name);
      const progress = await bootProgress(name, host.name);
      if (supervisor && progress.boots > 0) {
        bootsBefore.set(host.name, progress.boots - 1);
        continue;
      }
      bootsBefore.set(host.name, progress.boots);
      log(`booting ${host.name} (${host.address}, ${kind.init})`);
      await startSupervisor(name, host.name);
    }
    await Promise.all(
      plan.hosts.map(async (host) => {
        await waitBooted(name, host.name, bootsBefore.get(host.name) ?? 0, BOOT_TIMEOUT_MS);
        await waitSsh(host.name, host.address, SSH_TIMEOUT_MS);
      }),
    );

    const state: LabState = {
      name,
      subnet: plan.subnet,
      prefix: plan.prefix,
      vip: plan.vip,
      gateway: plan.gateway,
      controllerAddress: plan.controllerAddress,
      controllerVeth: plan.controllerVeth,
      bridgeNetns: plan.bridgeNetns,
      interface: 'eth1',
      image: { key: image.key, rootfs: image.rootfs },
      kind,
      ...(repo ? { repo: { url: repoUrl(plan), dir: repo.dir } } : {}),
      client: { name: 'client', address: plan.client.address, mac: plan.client.mac, netns: plan.client.netns },
      hosts: await Promise.all(
        plan.hosts.map(async (h) => {
          const f = hostFiles(name, h.name);
          return {
            index: h.index,
            name: h.name,
            address: h.address,
            mac: h.mac,
            netns: h.netns,
            initPid: (await runningInit(name, h.name)) ?? null,
            supervisorPid: (await runningSupervisor(name, h.name)) ?? null,
            dir: f.dir,
            bootLog: f.bootLog,
            hostKey: hostKeys.get(h.name)!,
          };
        }),
      ),
      paths,
      createdAt: existing?.createdAt ?? new Date().toISOString(),
    };
    await writeFile(paths.knownHosts, renderKnownHosts(state.hosts));
    await writeFile(
      paths.inventory,
      renderInventory({
        vip: state.vip,
        clientAddress: state.client.address,
        subnet: state.subnet,
        privateKey: paths.privateKey,
        knownHosts: paths.knownHosts,
        hosts: state.hosts,
      }),
    );
    await writeLabState(state);
    return state;
  });
}

async function installScripts(name: string): Promise<void> {
  await mkdir(join(labDir(name), 'bin'), { recursive: true });
  for (const script of LAB_SCRIPTS) {
    const target = installedScript(name, script);
    await copyFile(packagedScript(script), `${target}.tmp`);
    await chmod(`${target}.tmp`, 0o755);
    await rename(`${target}.tmp`, target);
  }
}

/** Stops one host: supervisor first (so nothing boots it again), then its PID 1. */
async function stopHost(labName: string, host: string): Promise<void> {
  const f = hostFiles(labName, host);
  const supervisor = await runningSupervisor(labName, host);
  const init = await runningInit(labName, host);
  if (supervisor) {
    signal(supervisor, 'SIGTERM');
    const left = await waitGone([supervisor], 10_000);
    if (left.length > 0) signal(supervisor, 'SIGKILL');
  }
  if (init && isAlive(init)) {
    signal(init, 'SIGKILL');
    await waitGone([init], 5_000);
  }
  await rm(f.initPid, { force: true });
}

/** Removes everything a lab made; safe to run on a half-made or already removed lab. */
export async function labDown(name: string = DEFAULT_LAB_NAME, log: Log = () => {}): Promise<void> {
  requireRoot('down');
  validateLabName(name);
  await withLock(lockPath(name), `lab ${name}`, 5 * 60_000, async () => {
    const dir = labDir(name);
    const hosts = await readdir(join(dir, 'hosts')).catch(() => [] as string[]);
    await Promise.all(hosts.map((h) => step(`stop host ${h}`, () => stopHost(name, h))));
    // Supervisors (or their console readers) whose PID file was lost, e.g. after a crash mid-`up`.
    const strays = await supervisorPidsUnder(join(dir, 'hosts'));
    for (const pid of strays) signal(pid, 'SIGKILL');
    await waitGone(strays, 2_000);
    await stopRepoServer(name);
    const namespaces = await labNetnsNames(name);
    // Anything still inside the lab's network namespaces (e.g. a daemon started with `ip netns exec`).
    for (let round = 0; round < 5; round++) {
      const pids = (await Promise.all(namespaces.map((ns) => pidsInNetns(`/run/netns/${ns}`)))).flat();
      if (pids.length === 0) break;
      log(`stopping ${pids.length} process(es) left in the lab's namespaces`);
      for (const pid of pids) signal(pid, 'SIGKILL');
      await waitGone(pids, 2_000);
    }
    for (const ns of namespaces) await deleteNetns(ns);
    await removeHostCgroups(name);
    const left = await labNetnsNames(name);
    if (left.length > 0) throw new LabError('down', `network namespaces still present: ${left.join(', ')}`);
    await deleteControllerLink(`${name}-ctl`);
    // Overlays live in the hosts' private mount namespaces; this only catches leftovers of older versions.
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4]).filter((m) => m?.startsWith(`${dir}/`));
    for (const m of mounts.reverse()) await run(['umount', '-l', m], { step: `unmount ${m}`, allowFailure: true });
    await rm(dir, { recursive: true, force: true });
  });
}

export interface HostStatus {
  name: string;
  address: string;
  netns: string;
  initPid: number | null;
  supervisorPid: number | null;
  boots: number;
  booted: boolean;
  ssh: boolean;
}

export interface LabStatus {
  name: string;
  up: boolean;
  state?: LabState;
  hosts: HostStatus[];
}

export async function labStatus(name: string = DEFAULT_LAB_NAME): Promise<LabStatus> {
  validateLabName(name);
  const state = await readLabState(name);
  if (!state) return { name, up: false, hosts: [] };
  const hosts = await Promise.all(
    state.hosts.map(async (h): Promise<HostStatus> => {
      const progress = await bootProgress(name, h.name);
      return {
        name: h.name,
        address: h.address,
        netns: h.netns,
        initPid: (await runningInit(name, h.name)) ?? null,
        supervisorPid: (await runningSupervisor(name, h.name)) ?? null,
        boots: progress.boots,
        booted: progress.booted,
        ssh: (await sshBanner(h.address, 22, 1000)) !== undefined,
      };
    }),
  );
  const up = hosts.every((h) => h.initPid !== null && h.booted && h.ssh);
  return { name, up, state, hosts };
}

/** Kills the host's PID 1 (the whole pid namespace dies) and waits for the next boot through its init. */
export async function labReboot(name: string, host: string, log: Log = () => {}): Promise<void> {
  requireRoot('reboot');
  const state = await readLabState(name);
  if (!state) throw new LabError(`reboot ${host}`, `lab ${name} is not up`);
  const h = state.hosts.find((x) => x.name === host);
  if (!h) throw new LabError(`reboot ${host}`, `no host ${host} in lab ${name} (hosts: ${state.hosts.map((x) => x.name).join(', ')})`);
  if (!(await runningSupervisor(name, host))) throw new LabError(`reboot ${host}`, 'its supervisor is not running; run `up` again');
  const before = (await bootProgress(name, host)).boots;
  const init = await runningInit(name, host);
  if (!init) throw new LabError(`reboot ${host}`, 'the host has no running init');
  log(`rebooting ${host} (killing its PID 1, ${init})`);
  // Tells the supervisor this end is a reboot, not a failure (systemd-nspawn exits 1 either way).
  await writeFile(join(hostDir(name, host), 'reboot-requested'), '');
  signal(init, 'SIGKILL');
  await waitBooted(name, host, before, BOOT_TIMEOUT_MS);
  await waitSsh(host, h.address, SSH_TIMEOUT_MS);
}

/** The cgroup hierarchies a systemd host's boot stage makes a directory in (see boot-nspawn.sh). */
const CGROUP_HIERARCHIES = ['/sys/fs/cgroup/unified', '/sys/fs/cgroup/systemd', '/sys/fs/cgroup'];

/** Lists cgroup directories under `root`, deepest first (so they can be removed in this order). */
async function cgroupDirsDepthFirst(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) out.push(...(await cgroupDirsDepthFirst(join(root, entry.name))));
  }
  out.push(root);
  return out;
}

/** Removes the cgroups the lab's systemd hosts were booted in (empty once their processes are gone). */
async function removeHostCgroups(name: string): Promise<void> {
  for (const hierarchy of CGROUP_HIERARCHIES) {
    const parent = join(hierarchy, 'haweb-lab');
    if (!existsSync(join(hierarchy, 'cgroup.procs'))) continue;
    for (const entry of await readdir(parent).catch(() => [] as string[])) {
      if (!entry.startsWith(`${name}-`)) continue;
      for (const dir of await cgroupDirsDepthFirst(join(parent, entry))) {
        // A process that was just killed can hold its cgroup for a moment.
        for (let attempt = 0; ; attempt++) {
          try {
            await rmdir(dir);
            break;
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            if (code === 'ENOENT') break;
            if (attempt >= 30) throw new LabError('down', `cannot remove cgroup ${dir}: ${code}`);
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }
    }
    // The shared parent goes when no lab uses it any more (another lab's host may be creating its own).
    await rmdir(parent).catch(() => {});
  }
}

export function labPlanFor(state: LabState): LabPlan {
  return planLab({ name: state.name, subnet: state.subnet, hosts: state.hosts.length });
}

export { hostDir };
