import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { defineModule, shellQuote, type FileDiff, type ModuleContext, type ModuleResult } from '@haweb/core';
import {
  applySteps,
  defaultsFilePath,
  disableScript,
  enableScript,
  markConfigSecrets,
  osFamilyOf,
  planDaemonReload,
  planRestoreLabels,
  planServiceBoot,
  planServiceRun,
  RC_LOCAL_UNIT,
  renderDaemonUnit,
  renderInitScript,
  runDir,
  sha256File,
  stepFailureMessage,
  vrrpdRefusal,
  type HostProfile,
  type OsFamily,
  type Step,
  type StepFailure,
} from '@haweb/hostkit';
import { manifestPath, vrrpHostStateFact, type InstallManifest } from './host-state.js';
import { chooseNodeRuntime, nodeArchForUname, parseLibc, requiredGlibc } from './node-runtime.js';
import { planVrrpService, type DesiredFile, type VrrpServicePlan } from './plan.js';
import { collectRuntime, packRuntime, vrrpPackageRoot, type NodeArch, type RuntimeManifest } from './runtime-pack.js';

/**
 * The TypeScript VRRP runtime installed on a host as a boot-time init.d service:
 *
 *   - vrrp_service:
 *       config: "{{ lookup('template', 'vrrpd.conf.j2') }}"   # keepalived.conf syntax
 *     notify: ...
 *
 * Lays out <prefix>/node/bin/node, <prefix>/lib/ (the packed runtime), <prefix>/sbin/vrrpd, the
 * service (a native systemd unit where systemd is PID 1, /etc/init.d/<name> elsewhere), the defaults
 * file and the config (0600, validated by `vrrpd -t` on the host). Hosts whose glibc is older than
 * 2.28 are refused before anything is changed: the keepalived engine is the way to run the pair there.
 */
export const vrrpServiceArgs = z.strictObject({
  prefix: z.string().startsWith('/').default('/usr/local/vrrpd'),
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('vrrpd'),
  config: z.string().optional().describe('the config text (keepalived.conf syntax)'),
  config_src: z.string().optional().describe('controller template of the config, rendered with the host variables'),
  config_file: z.string().startsWith('/').default('/etc/vrrpd/vrrpd.conf'),
  pid_file: z.string().startsWith('/').optional().describe('default: /run/<name>.pid, /var/run/<name>.pid where /run does not exist'),
  options: z.string().default('').describe('extra daemon options, written to the defaults file'),
  node_tarball: z.string().optional().describe('controller path of a Node tarball for hosts the controller node cannot run on'),
  state: z.enum(['started', 'stopped']).default('started'),
  enabled: z.boolean().default(true),
  os_family: z.enum(['RedHat', 'Debian']).optional(),
  runtime_root: z.string().optional().describe('the built @haweb/vrrp package to pack (default: this one)'),
});

export type VrrpServiceArgs = z.output<typeof vrrpServiceArgs>;

const runtimeCache = new Map<string, RuntimeManifest>();

function runtimeFor(root: string, arch: NodeArch): RuntimeManifest {
  const key = `${root}:${arch}`;
  let manifest = runtimeCache.get(key);
  if (!manifest) {
    manifest = collectRuntime(root, arch);
    runtimeCache.set(key, manifest);
  }
  return manifest;
}

async function tarballIdentity(path: string): Promise<string> {
  return `tarball sha256:${await sha256File(path)}`;
}

/** The host as the plans see it when the probe could not tell more: sysvinit, /run, no SELinux. */
function fallbackProfile(family: OsFamily): HostProfile {
  return {
    family,
    distribution: '',
    majorVersion: 0,
    init: 'sysvinit',
    tools: { chkconfig: family === 'RedHat', updateRcD: family === 'Debian', service: true, tar: true, restorecon: false, firewallCmd: false, iptables: false },
    firewall: 'none',
    iptablesRestore: 'none',
    hasRun: true,
    selinux: 'disabled',
  };
}

export function pidFileFor(args: Pick<VrrpServiceArgs, 'pid_file' | 'name'>, profile: Pick<HostProfile, 'hasRun'>): string {
  return args.pid_file ?? `${runDir(profile)}/${args.name}.pid`;
}

/** Pure: the files vrrp_service owns and their content, for this host's init (unit or init script). */
export function vrrpServiceFiles(
  args: VrrpServiceArgs,
  family: OsFamily,
  config: string,
  entry: string,
  profile: HostProfile = fallbackProfile(family),
): DesiredFile[] {
  const p = args.prefix.replace(/\/$/, '');
  const wrapper = `${p}/sbin/vrrpd`;
  const defaults = defaultsFilePath(family, args.name);
  const pidFile = pidFileFor(args, profile);
  const daemonArgs = `-f ${shellQuote(args.config_file)} -p ${shellQuote(pidFile)}`;
  const service: DesiredFile =
    profile.init === 'systemd'
      ? {
          path: `/etc/systemd/system/${args.name}.service`,
          content: renderDaemonUnit({
            name: args.name,
            description: 'VRRP daemon (haweb vrrpd)',
            exec: wrapper,
            args: daemonArgs,
            foregroundFlag: '--dont-fork',
            environmentFile: defaults,
            optionsVar: 'VRRPD_OPTIONS',
            stopTimeoutSeconds: 10,
            // nginx (started by rc.local) must outlive the handover on a graceful reboot.
            stopBefore: [RC_LOCAL_UNIT],
          }),
          mode: '0644',
          validate: false,
          onChange: 'none',
        }
      : { path: `/etc/init.d/${args.name}`, content: initScriptFor(args, wrapper, daemonArgs, pidFile, defaults, p), mode: '0755', validate: false, onChange: 'none' };
  return [
    {
      path: wrapper,
      content: `#!/bin/sh\n# Managed by haweb: runs the VRRP runtime with its own Node.\nexec ${shellQuote(`${p}/node/bin/node`)} ${shellQuote(`${p}/lib/${entry}`)} "$@"\n`,
      mode: '0755',
      validate: false,
      onChange: 'none',
    },
    service,
    {
      path: defaults,
      content: `# Managed by haweb: extra options for ${args.name} (read by ${service.path}).\nVRRPD_OPTIONS=${shellQuote(args.options)}\n`,
      mode: '0644',
      validate: false,
      onChange: 'none',
    },
    { path: args.config_file, content: config, mode: '0600', validate: true, onChange: 'reload' },
  ];
}

function initScriptFor(args: VrrpServiceArgs, wrapper: string, daemonArgs: string, pidFile: string, defaults: string, p: string): string {
  return renderInitScript({
    name: args.name,
    shortDescription: 'VRRP daemon (haweb vrrpd)',
    description: 'vrrpd moves virtual IP addresses between nodes with VRRP (keepalived.conf syntax).',
    daemon: wrapper,
    args: daemonArgs,
    pidFile,
    configFile: args.config_file,
    configTest: `"$DAEMON" -t -f "$CONFIG"`,
    defaultsFile: defaults,
    optionsVar: 'VRRPD_OPTIONS',
    processMatch: `${p}/lib/`,
    stopTimeoutSeconds: 10,
    startPriority: 86,
    stopPriority: 14,
  });
}

/** auth_pass values are secrets: keep them out of diffs and logs (the kit's helper, kept under this name). */
export { markConfigSecrets };

function configText(args: VrrpServiceArgs, ctx: ModuleContext): string {
  if (args.config !== undefined && args.config_src !== undefined) throw new Error('give config or config_src, not both');
  if (args.config !== undefined) return args.config.endsWith('\n') ? args.config : `${args.config}\n`;
  if (args.config_src !== undefined) return ctx.render(readFileSync(ctx.resolveLocal(args.config_src, 'templates'), 'utf8'));
  throw new Error('vrrp_service needs config or config_src');
}

export const vrrpService = defineModule({
  name: 'vrrp_service',
  aliases: ['haweb.vrrp.service'],
  description: 'Install the VRRP runtime (vrrpd) with a Node runtime under a prefix, its config and init.d service; start it.',
  args: vrrpServiceArgs,
  checkMode: 'full',
  localFiles: (args) =>
    [
      { path: args.config_src, kind: 'templates' as const },
      { path: args.node_tarball, kind: 'files' as const },
    ].filter((f): f is { path: string; kind: 'files' | 'templates' } => typeof f.path === 'string' && !f.path.includes('{{')),
  async run(args, ctx): Promise<ModuleResult> {
    const family = args.os_family ?? osFamilyOf(ctx.facts, ctx.hostName);
    const prefix = args.prefix.replace(/\/$/, '');
    const root = args.runtime_root ? ctx.resolveLocal(args.runtime_root, 'files') : vrrpPackageRoot();
    const config = configText(args, ctx);
    markConfigSecrets(config, (v) => ctx.markSecret(v));

    const hostArchFact = typeof ctx.facts.ansible_architecture === 'string' ? ctx.facts.ansible_architecture : undefined;
    let probe: RuntimeManifest;
    try {
      // The entry path is the same for every arch; the controller's arch tells it.
      probe = runtimeFor(root, process.arch);
    } catch (error) {
      return { changed: false, failed: true, msg: (error as Error).message };
    }
    // The host's init decides unit or init script: the probe reads both candidates in its one round trip.
    const candidates = new Set([
      ...vrrpServiceFiles(args, family, config, probe.entry).map((f) => f.path),
      `/etc/systemd/system/${args.name}.service`,
    ]);
    const host = await ctx.fact(vrrpHostStateFact, {
      family,
      prefix,
      name: args.name,
      entry: probe.entry,
      managedFiles: [...candidates],
      pidFile: args.pid_file ?? `/var/run/${args.name}.pid`,
    });
    const profile = host.profile ?? fallbackProfile(family);
    const files = vrrpServiceFiles(args, family, config, probe.entry, profile);
    const hostArch = hostArchFact ?? host.arch;

    // Before anything changes: no Node runs on glibc older than 2.28.
    const libc = parseLibc(ctx.facts.ansible_libc) ?? parseLibc(host.libc);
    const refusal = libc?.name === 'glibc' ? vrrpdRefusal(ctx.hostName, libc.version ?? profile.glibc, profile.distribution || undefined) : undefined;
    if (refusal) return { changed: false, failed: true, msg: refusal };

    // Node: the identity recorded in the manifest is compared first, so a no-op run never hashes
    // or scans the 100 MB binary.
    const controllerIdentity = `controller node ${process.version} linux-${process.arch}`;
    const nodeTarball = args.node_tarball ? ctx.resolveLocal(args.node_tarball, 'files') : undefined;
    let desiredNode = host.manifest?.node === controllerIdentity && nodeArchForUname(hostArch) === process.arch ? controllerIdentity : undefined;
    let nodeSource: { kind: 'controller' | 'tarball'; path: string } | undefined =
      desiredNode ? { kind: 'controller', path: process.execPath } : undefined;
    if (!desiredNode) {
      const choice = chooseNodeRuntime({
        hostName: ctx.hostName,
        hostArch,
        hostLibc: parseLibc(ctx.facts.ansible_libc) ?? parseLibc(host.libc),
        controllerArch: process.arch,
        controllerNeedsGlibc: await requiredGlibc(process.execPath),
        controllerNode: process.execPath,
        controllerNodeVersion: process.version,
        nodeTarball,
      });
      if (choice.kind === 'error') return { changed: false, failed: true, msg: choice.message };
      desiredNode = choice.kind === 'controller' ? choice.identity : await tarballIdentity(choice.path);
      nodeSource = { kind: choice.kind, path: choice.path };
    }
    const targetArch = (nodeArchForUname(hostArch) ?? process.arch) as NodeArch;
    let runtime: RuntimeManifest;
    try {
      runtime = targetArch === process.arch ? probe : runtimeFor(root, targetArch);
    } catch (error) {
      return { changed: false, failed: true, msg: `${ctx.hostName}: ${(error as Error).message}` };
    }
    const desiredManifest: InstallManifest = { runtime_digest: runtime.digest, node: desiredNode };
    const plan = planVrrpService({ manifest: desiredManifest, files, state: args.state, enabled: args.enabled }, host);
    const systemd = profile.init === 'systemd';
    const serviceState = { installed: host.serviceInstalled, running: host.running, enabled: host.enabled, ...(host.strayPid ? { strayPid: host.strayPid } : {}) };
    if (systemd && host.strayPid !== undefined && !plan.action) {
      // A vrrpd its init script started outside systemd: stop it by PID and let systemd run the unit.
      plan.reasons.push(`vrrpd PID ${host.strayPid} runs outside systemd`);
    }
    const strayToStop = systemd && host.strayPid !== undefined;
    const changed =
      plan.installRuntime || plan.installNode || plan.writeFiles.length > 0 || plan.enable || plan.disable || plan.action !== undefined || strayToStop;
    const diff: FileDiff[] | undefined = ctx.diff
      ? plan.writeFiles.map((f) => ({ before: '', after: f.content, beforeHeader: `${f.path} (before)`, afterHeader: `${f.path} (after)` }))
      : undefined;
    const summary = { runtime_digest: runtime.digest, node: desiredNode, prefix, reasons: plan.reasons };
    if (!changed) return { changed: false, msg: `${args.name} is installed, configured and ${args.state}`, ...summary };
    // The install as one plan of steps: check mode and its answer are applySteps' (as before: the
    // reasons, the diff and the summary); a step's own failure wording stays beside it.
    const messages = new Map<Step, (f: StepFailure) => string>();
    const sh = (script: string, why: string, timeoutMs = 120_000): Step => {
      const step: Step = { kind: 'script', script: `${script} 2>&1`, why, timeoutMs };
      messages.set(step, (f) => `${script.split('\n')[0]}: exit ${f.result.code}: ${(f.result.stdout + f.result.stderr).trim()}`);
      return step;
    };
    const packDir = plan.installRuntime && !ctx.check ? mkdtempSync(join(tmpdir(), 'vrrpd-pack-')) : undefined;
    try {
      const steps: Step[] = [sh(`mkdir -p ${shellQuote(`${prefix}/sbin`)} ${shellQuote(`${prefix}/node/bin`)} && rm -f ${shellQuote(manifestPath(prefix))}`, 'prepare the prefix')];
      if (plan.installNode && nodeSource) steps.push(...installNodeSteps(prefix, nodeSource, sh));
      if (plan.installRuntime) steps.push(...installRuntimeSteps(ctx, prefix, runtime, packDir ?? join(tmpdir(), 'vrrpd-pack'), sh));
      for (const file of plan.writeFiles.filter((f) => !f.validate)) {
        steps.push(sh(`mkdir -p ${shellQuote(file.path.replace(/\/[^/]+$/, '') || '/')}`, `make the folder of ${file.path}`));
        steps.push({ kind: 'file', path: file.path, content: file.content, mode: file.mode, parents: false, why: `write ${file.path}` });
      }
      steps.push({ kind: 'file', path: manifestPath(prefix), content: `${JSON.stringify(desiredManifest, null, 2)}\n`, mode: '0644', parents: false, why: 'record the install' });
      for (const file of plan.writeFiles.filter((f) => f.validate)) steps.push(...validatedConfigSteps(file, `${prefix}/sbin/vrrpd`, sh, messages));
      const labels = relabel(profile, plan.writeFiles.map((f) => f.path), plan.installRuntime || plan.installNode ? [prefix] : []);
      let planError: string | undefined;
      if (systemd) {
        const unitWritten = plan.writeFiles.some((f) => f.path.startsWith('/etc/systemd/system/'));
        const desired = args.state === 'stopped' ? 'stopped' : plan.action === 'restart' ? 'restarted' : plan.action === 'reload' ? 'reloaded' : 'started';
        const state = { ...serviceState, installed: serviceState.installed || unitWritten };
        try {
          steps.push(
            ...labels,
            ...planDaemonReload(profile, unitWritten),
            ...planServiceBoot(profile, args.name, args.enabled, state),
            ...planServiceRun(profile, args.name, desired, state, { exe: `${prefix}/`, stopTimeoutSeconds: 10 }),
          );
        } catch (error) {
          // Reported once the files are in place, as the service steps would have been.
          planError = `${ctx.hostName}: ${(error as Error).message}`;
        }
      } else {
        steps.push(...labels, ...initServiceSteps(args.name, family, plan, messages));
      }
      let failure: StepFailure | undefined;
      const res = await applySteps(ctx, steps, {
        checkMsg: `would: ${plan.reasons.join('; ')}`,
        diff: diff ?? [],
        result: { diff, ...summary },
        failure: (f) => {
          failure = f;
          return messages.get(f.step)?.(f) ?? stepFailureMessage(f);
        },
      });
      if (ctx.check) return res;
      if (res.failed) {
        const own = failure !== undefined && messages.has(failure.step);
        return { changed: true, failed: true, msg: res.msg, ...(own ? {} : { rc: res.rc }), ...summary };
      }
      if (planError !== undefined) return { changed: true, failed: true, msg: planError, ...summary };
    } catch (error) {
      return { changed: true, failed: true, msg: (error as Error).message, ...summary };
    } finally {
      if (packDir) rmSync(packDir, { recursive: true, force: true });
    }
    return { changed: true, msg: plan.reasons.join('; '), diff, ...summary };
  },
});

type Shell = (script: string, why: string, timeoutMs?: number) => Step;

/** On sysvinit: enable or disable at boot (update-rc.d or chkconfig), then the init script's action. */
function initServiceSteps(name: string, family: OsFamily, plan: VrrpServicePlan, messages: Map<Step, (f: StepFailure) => string>): Step[] {
  const steps: Step[] = [];
  const output = (f: StepFailure) => (f.result.stdout + f.result.stderr).trim();
  if (plan.enable) {
    const step: Step = { kind: 'script', script: `${enableScript(family, name)} 2>&1`, why: `enable ${name} at boot`, timeoutMs: 60_000 };
    messages.set(step, (f) => `enabling ${name} at boot failed: ${output(f)}`);
    steps.push(step);
  }
  if (plan.disable) {
    const step: Step = { kind: 'script', script: `${disableScript(family, name)} 2>&1`, why: `disable ${name} at boot`, timeoutMs: 60_000 };
    messages.set(step, (f) => `disabling ${name} at boot failed: ${output(f)}`);
    steps.push(step);
  }
  if (plan.action) {
    const action = plan.action;
    const step: Step = { kind: 'run', argv: [`/etc/init.d/${name}`, action], why: `${action} ${name}`, progress: `${name}: ${action}`, timeoutMs: 60_000 };
    messages.set(step, (f) => `/etc/init.d/${name} ${action} failed: ${output(f)}`);
    steps.push(step);
  }
  return steps;
}

/** SELinux: restore the default labels of what was written (files, and the runtime tree when replaced). */
function relabel(profile: HostProfile, files: string[], trees: string[]): Step[] {
  return planRestoreLabels(profile, { files, trees });
}

/** Candidate next to the config, `vrrpd -t` on it, then rename: a refused config never replaces the old. */
function validatedConfigSteps(file: DesiredFile, vrrpd: string, sh: Shell, messages: Map<Step, (f: StepFailure) => string>): Step[] {
  const dir = file.path.replace(/\/[^/]+$/, '') || '/';
  const candidate = `${dir}/.${file.path.slice(dir.length + 1)}.haweb-new`;
  const write: Step = {
    kind: 'file',
    path: file.path,
    content: file.content,
    mode: file.mode,
    parents: false,
    why: `validate and write ${file.path}`,
    validate: { command: `${shellQuote(vrrpd)} -t -f %s 2>&1`, candidate },
  };
  messages.set(write, (f) =>
    f.refused
      ? `${file.path} refused by vrrpd -t (the old config is kept and the daemon untouched): ${(f.result.stdout + f.result.stderr).trim()}`
      : `mv -f ${candidate} ${file.path}: ${(f.result.stdout + f.result.stderr).trim()}`,
  );
  return [sh(`mkdir -p ${shellQuote(dir)} && chmod 0700 ${shellQuote(dir)}`, `make ${dir}`), write];
}

function installNodeSteps(prefix: string, source: { kind: 'controller' | 'tarball'; path: string }, sh: Shell): Step[] {
  if (source.kind === 'controller') {
    return [{ kind: 'put', local: source.path, path: `${prefix}/node/bin/node`, mode: '0755', why: 'upload node', progress: 'uploading node' }];
  }
  const upload = `${prefix}/.node-upload.tar`;
  const p = shellQuote(prefix);
  return [
    { kind: 'put', local: source.path, path: upload, mode: '0644', why: 'upload the node tarball', progress: 'uploading the node tarball' },
    sh(
      `rm -rf ${p}/node.new && mkdir -p ${p}/node.new && tar -xf ${shellQuote(upload)} -C ${p}/node.new --strip-components=1 --no-same-owner && ` +
        `test -x ${p}/node.new/bin/node && rm -rf ${p}/node && mv ${p}/node.new ${p}/node && rm -f ${shellQuote(upload)}`,
      'install node',
    ),
  ];
}

/** The runtime is packed on the controller (into `dir`) just before it is sent. */
function installRuntimeSteps(ctx: ModuleContext, prefix: string, runtime: RuntimeManifest, dir: string, sh: Shell): Step[] {
  const local = join(dir, 'runtime.tar.gz');
  const upload = `${prefix}/.runtime-upload.tar.gz`;
  const p = shellQuote(prefix);
  return [
    {
      kind: 'put',
      local,
      path: upload,
      mode: '0644',
      why: 'upload the VRRP runtime',
      prepare: async () => {
        ctx.progress('packing the VRRP runtime');
        await packRuntime(runtime, local);
      },
      progress: 'uploading the VRRP runtime',
    },
    // Extract beside the old one and swap, so a failed extract leaves the old runtime whole.
    sh(
      `rm -rf ${p}/lib.new && mkdir -p ${p}/lib.new && tar -xzf ${shellQuote(upload)} -C ${p}/lib.new --no-same-owner && ` +
        `rm -rf ${p}/lib.old && { [ ! -d ${p}/lib ] || mv ${p}/lib ${p}/lib.old; } && mv ${p}/lib.new ${p}/lib && rm -rf ${p}/lib.old ${shellQuote(upload)}`,
      'install the VRRP runtime',
    ),
  ];
}
