/**
 * The seed's test plan (section 7), one function per step: act on the master, wait for a condition
 * with a bounded timeout, assert, and measure what the client saw. Everything reaches the world through
 * DrillContext (hosts, client, probe, clock), so the steps are unit-tested against a simulated pair.
 */
import type { ClientSide } from './client-side.js';
import type { HostOps } from './host-ops.js';
import {
  clientArpIs,
  engineRunning,
  nginxMasterPid,
  vipOnlyOn,
  waitFor,
  type Clock,
  type Seen,
} from './observe.js';
import type { Probe } from './probe/session.js';
import { measureOutage, servedSteadilyBy } from './timeline.js';
import type { Check, DrillEvent, EventKind, LabeledOutage, StepResult } from './types.js';

export interface DrillLayout {
  vip: string;
  port: number;
  master: string;
  backup: string;
  /** Service name of the VRRP engine: `service <engine> stop|start|status`. */
  engine: string;
  /** nginx prefix (the seed's /usr/local/nginx). */
  nginxPrefix: string;
  /** The health check's interval (keepalived's vrrp_script interval). */
  checkIntervalMs: number;
  /** VRRP advert interval (default 1 s, the seed's): bounds the two-holder window of a handover. */
  advertIntMs?: number;
}

export interface DrillTimeouts {
  /** Baseline: the pair is settled and the client is served by the master. */
  settleMs: number;
  /** Added to the check interval for the health check to restart nginx (the script itself sleeps). */
  restartMarginMs: number;
  /** Fault → the VIP on the backup and the client served by it. */
  failoverMs: number;
  /** Repair → the VIP back on the master. */
  failbackMs: number;
  /** Reboot → the master up again with nginx, the VRRP service and the VIP. */
  rebootMs: number;
  pollMs: number;
  /** Consecutive replies from one host that count as "the client now gets that host". */
  streak: number;
}

export const DEFAULT_TIMEOUTS: DrillTimeouts = {
  settleMs: 20_000,
  restartMarginMs: 6_000,
  failoverMs: 20_000,
  failbackMs: 20_000,
  rebootMs: 180_000,
  pollMs: 200,
  streak: 5,
};

/** Step 7: the playbook re-run (or anything the caller plugs in); the drill itself knows no provisioner. */
export interface RerunHook {
  title: string;
  run(): Promise<{ ok: boolean; detail: string }>;
}

export interface DrillContext {
  layout: DrillLayout;
  timeouts: DrillTimeouts;
  hosts: HostOps;
  client: ClientSide;
  probe: Probe;
  clock: Clock;
  /** Host → MAC of its LAN interface, filled before step 1. */
  macs: Record<string, string>;
  /** Page number → host. */
  pages: Record<string, string>;
  /** Records a fault/repair on the timeline (and prints it), at `t` (default: now). */
  event(step: number, kind: EventKind, label: string, t?: number): DrillEvent;
  /** One line of progress for people watching. */
  log(line: string): void;
  rerun?: RerunHook;
}

export interface StepDefinition {
  step: number;
  title: string;
  run(ctx: DrillContext, result: StepResult): Promise<void>;
}

const ASIDE = '.drill-aside';

/** Command output as one line for a log or a table cell. */
function oneLine(text: string): string {
  return text.trim().split('\n').map((l) => l.trim()).filter(Boolean).join('; ');
}

export function nginxBinary(l: DrillLayout): string {
  return `${l.nginxPrefix}/sbin/nginx`;
}
export function nginxPidFile(l: DrillLayout): string {
  return `${l.nginxPrefix}/logs/nginx.pid`;
}
function proxies(l: DrillLayout): string[] {
  return [l.master, l.backup];
}
function pageOf(ctx: DrillContext, host: string): string {
  const n = Object.entries(ctx.pages).find(([, h]) => h === host)?.[0];
  return n ? `Welcome to nginx! ${n}` : `${host}'s page`;
}

/** Adds a check to the step and prints it. */
function record(ctx: DrillContext, result: StepResult, check: Check): Check {
  result.checks.push(check);
  const after = check.afterMs !== undefined ? ` after ${(check.afterMs / 1000).toFixed(2)} s` : '';
  ctx.log(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.what}: ${check.seen}${check.ok ? after : ''}`);
  return check;
}

async function check(ctx: DrillContext, result: StepResult, what: string, timeoutMs: number, probe: () => Promise<Seen>): Promise<Check> {
  return record(ctx, result, await waitFor(ctx.clock, what, timeoutMs, ctx.timeouts.pollMs, probe));
}

/**
 * A host command that must succeed, else the step fails with its output. Returns when it was issued:
 * a fault starts then, not when the command returns (`service keepalived stop` waits for the daemon
 * to exit, and the backup may already have taken over by then).
 */
async function act(ctx: DrillContext, host: string, script: string, timeoutMs = 30_000): Promise<number> {
  ctx.log(`  ${host}# ${script.split('\n')[0]}${script.includes('\n') ? ' ...' : ''}`);
  const issuedAt = ctx.clock.now();
  const r = await ctx.hosts.run(host, script, timeoutMs);
  if (r.code !== 0) throw new Error(`on ${host}: \`${script.split('\n')[0]}\` exited ${r.code}: ${oneLine(r.stderr || r.stdout)}`);
  return issuedAt;
}

/** The client now gets `host`'s page: `streak` replies in a row from it, on requests made after `from`. */
function clientServedBy(ctx: DrillContext, host: string, from: number): () => Promise<Seen> {
  return async () => {
    const at = servedSteadilyBy(ctx.probe.samples(), host, from, ctx.timeouts.streak);
    if (at !== undefined) return { ok: true, seen: `"${pageOf(ctx, host)}" ${ctx.timeouts.streak} times in a row` };
    const recent = ctx.probe.samples().slice(-ctx.timeouts.streak);
    const seen = recent.map((s) => s.host ?? s.error).join(', ');
    return { ok: false, seen: `last replies: ${seen || 'none'}` };
  };
}

function vipOn(ctx: DrillContext, host: string): () => Promise<Seen> {
  return () => vipOnlyOn(ctx.hosts, proxies(ctx.layout), ctx.layout.vip, host);
}

function arpPointsTo(ctx: DrillContext, host: string): () => Promise<Seen> {
  return () => clientArpIs(ctx.client, ctx.layout.vip, ctx.macs[host], ctx.macs);
}

function addOutage(ctx: DrillContext, result: StepResult, label: string, faultAt: number, expectHost: string, until?: number): LabeledOutage {
  // Provisional: requests still in flight end later; runDrill measures again once the probe stopped.
  const o = { label, ...measureOutage(ctx.probe.samples(), faultAt, expectHost, until ?? ctx.clock.now()), until };
  result.outages.push(o);
  const main = o.outageMs !== undefined ? `${(o.outageMs / 1000).toFixed(3)} s until ${expectHost} answered` : `${expectHost} never answered`;
  ctx.log(`  ${label}: ${main}; longest stretch without any answer ${(o.noAnswerMs / 1000).toFixed(3)} s; ${o.failedRequests}/${o.requests} requests failed`);
  return o;
}

/** Preconditions shared by the fault steps: the pair is settled with the master serving. */
async function masterServing(ctx: DrillContext, result: StepResult, from: number): Promise<boolean> {
  const { master } = ctx.layout;
  const a = await check(ctx, result, `VIP ${ctx.layout.vip} on ${master} only (before the fault)`, ctx.timeouts.settleMs, vipOn(ctx, master));
  // Not settled: no point waiting for the client too, the step fails here.
  if (!a.ok) return false;
  const b = await check(ctx, result, `client gets "${pageOf(ctx, master)}" (before the fault)`, ctx.timeouts.settleMs, clientServedBy(ctx, master, from));
  return a.ok && b.ok;
}

export const step1Baseline: StepDefinition = {
  step: 1,
  title: 'client served by the master through the VIP',
  async run(ctx, result) {
    const { master, vip } = ctx.layout;
    await check(ctx, result, `client gets "${pageOf(ctx, master)}" through ${vip}`, ctx.timeouts.settleMs, clientServedBy(ctx, master, result.startedAt));
    await check(ctx, result, `ip -4 addr show: VIP ${vip} on ${master} only`, ctx.timeouts.settleMs, vipOn(ctx, master));
    await check(ctx, result, `client's ARP entry for ${vip} has ${master}'s MAC ${ctx.macs[master]}`, ctx.timeouts.settleMs, arpPointsTo(ctx, master));
  },
};

export const step2NginxRestart: StepDefinition = {
  step: 2,
  title: 'nginx stopped on the master: the health check starts it again',
  async run(ctx, result) {
    const l = ctx.layout;
    if (!(await masterServing(ctx, result, result.startedAt))) return;
    const before = await nginxMasterPid(ctx.hosts, l.master, nginxPidFile(l));
    if (before === undefined) {
      record(ctx, result, { what: `nginx running on ${l.master} before the fault`, ok: false, seen: `no live pid in ${nginxPidFile(l)}` });
      return;
    }
    const faultAt = await act(ctx, l.master, `${nginxBinary(l)} -s stop`);
    const fault = ctx.event(2, 'fault', `nginx -s stop on ${l.master}`, faultAt);
    const within = l.checkIntervalMs + ctx.timeouts.restartMarginMs;
    const restarted = await check(ctx, result, `nginx started again on ${l.master} within ${(within / 1000).toFixed(1)} s (check interval ${(l.checkIntervalMs / 1000).toFixed(1)} s + margin)`, within, async () => {
      const pid = await nginxMasterPid(ctx.hosts, l.master, nginxPidFile(l));
      return { ok: pid !== undefined && pid !== before, seen: pid === undefined ? 'nginx not running' : pid === before ? `old master process ${pid} still there` : `new master process ${pid}` };
    });
    if (restarted.ok) ctx.event(2, 'repair', `health check restarted nginx`);
    await check(ctx, result, `client gets "${pageOf(ctx, l.master)}" again`, ctx.timeouts.failbackMs, clientServedBy(ctx, l.master, fault.t));
    addOutage(ctx, result, 'restart', fault.t, l.master);
    await check(ctx, result, `VIP ${l.vip} on ${l.master} only`, ctx.timeouts.failbackMs, vipOn(ctx, l.master));
  },
};

/** Makes nginx unable to start on the host, restorably: the binary is set aside, a failing stub takes its place. */
export function breakNginxScript(l: DrillLayout): string {
  const bin = nginxBinary(l);
  return [
    'set -e',
    `[ -e ${bin}${ASIDE} ] || mv ${bin} ${bin}${ASIDE}`,
    `printf '#!/bin/sh\\necho "nginx disabled by the HA drill" >&2\\nexit 1\\n' > ${bin}.drill-tmp`,
    `chmod 755 ${bin}.drill-tmp && mv -f ${bin}.drill-tmp ${bin}`,
    // Stop the running one with the real binary (the stub cannot).
    `${bin}${ASIDE} -s stop || true`,
  ].join('\n');
}

/** Undoes breakNginxScript (idempotent: a no-op when nothing is set aside). */
export function restoreNginxScript(l: DrillLayout): string {
  const bin = nginxBinary(l);
  return `if [ -e ${bin}${ASIDE} ]; then mv -f ${bin}${ASIDE} ${bin}; fi`;
}

/**
 * Starts nginx when no live master process is there, where the host's boot starts it: on systemd hosts
 * whose rc.local starts this nginx, through rc-local.service (started over SSH it would live in the
 * SSH session's scope, which systemd stops first at shutdown, before the VRRP service hands the VIP
 * over: the graceful reboot would measure the drill's own repair); elsewhere by running the binary.
 */
export function startNginxScript(l: DrillLayout): string {
  const pid = nginxPidFile(l);
  const bin = nginxBinary(l);
  const viaRcLocal = `[ -d /run/systemd/system ] && systemctl -q is-active rc-local.service 2>/dev/null && grep -qsF ${bin} /etc/rc.local /etc/rc.d/rc.local`;
  return `p=$(cat ${pid} 2>/dev/null || true); if [ -z "$p" ] || ! kill -0 "$p" 2>/dev/null; then if ${viaRcLocal}; then systemctl restart rc-local.service; else ${bin}; fi; fi`;
}

/**
 * Makes `engine` the pair's VRRP service for a side-by-side run: the others stopped and kept from
 * starting at boot, this one enabled at boot and started. systemctl where systemd is PID 1 (the
 * engines are units there, with no init script), else update-rc.d where the host has it.
 */
export function switchEngineScript(engine: string, others: readonly string[]): string {
  const systemd = [
    // A unit linked from elsewhere (keepalived's make install: `systemctl link`) loses its link on
    // disable: link it again, so it can be switched back to.
    ...others.map(
      (o) =>
        `  l=$(readlink /etc/systemd/system/${o}.service 2>/dev/null || true); systemctl disable --now ${o} >/dev/null 2>&1 || true; ` +
        `if [ -n "$l" ] && [ ! -e /etc/systemd/system/${o}.service ]; then systemctl link "$l" >/dev/null 2>&1 || true; fi`,
    ),
    `  systemctl enable ${engine} >/dev/null 2>&1 || true`,
  ];
  const sysv = [
    ...others.map((o) => `  if [ -x /etc/init.d/${o} ]; then service ${o} stop >/dev/null 2>&1 || true; command -v update-rc.d >/dev/null && update-rc.d ${o} disable >/dev/null 2>&1 || true; fi`),
    `  command -v update-rc.d >/dev/null && update-rc.d ${engine} enable >/dev/null 2>&1 || true`,
  ];
  return ['if [ -d /run/systemd/system ]; then', ...systemd, 'else', ...sysv, 'fi', `service ${engine} status >/dev/null 2>&1 || service ${engine} start`].join('\n');
}

export function startEngineScript(l: DrillLayout): string {
  return `service ${l.engine} status >/dev/null 2>&1 || service ${l.engine} start`;
}

export const step3NginxBroken: StepDefinition = {
  step: 3,
  title: 'nginx cannot start on the master: the VIP moves to the backup, and back after the repair',
  async run(ctx, result) {
    const l = ctx.layout;
    if (!(await masterServing(ctx, result, result.startedAt))) return;
    const faultAt = await act(ctx, l.master, breakNginxScript(l));
    const fault = ctx.event(3, 'fault', `nginx made unable to start on ${l.master}`, faultAt);
    const moved = await check(ctx, result, `VIP ${l.vip} moves to ${l.backup}`, ctx.timeouts.failoverMs, vipOn(ctx, l.backup));
    await check(ctx, result, `client gets "${pageOf(ctx, l.backup)}"`, ctx.timeouts.failoverMs, clientServedBy(ctx, l.backup, fault.t));
    if (moved.ok) await check(ctx, result, `client's ARP entry for ${l.vip} has ${l.backup}'s MAC ${ctx.macs[l.backup]}`, ctx.timeouts.failoverMs, arpPointsTo(ctx, l.backup));
    // Repair: the binary back, nginx started, and the VRRP service too if the check had stopped it.
    const repairAt = await act(ctx, l.master, [restoreNginxScript(l), startNginxScript(l), startEngineScript(l)].join('\n'));
    const repair = ctx.event(3, 'repair', `nginx repaired and started on ${l.master}`, repairAt);
    addOutage(ctx, result, 'failover', fault.t, l.backup, repair.t);
    await check(ctx, result, `VIP ${l.vip} returns to ${l.master}`, ctx.timeouts.failbackMs, vipOn(ctx, l.master));
    await check(ctx, result, `client gets "${pageOf(ctx, l.master)}" again`, ctx.timeouts.failbackMs, clientServedBy(ctx, l.master, repair.t));
    addOutage(ctx, result, 'failback', repair.t, l.master);
  },
};

/**
 * `service ENGINE stop|start` as the host runs it. Where systemd is PID 1 it is `systemctl ACTION
 * ENGINE`: that is all RHEL's `service` does (it redirects), while Debian's `service` first lists every
 * socket unit file (`systemctl list-unit-files --type=socket`), which took 0.5-1.8 s on the lab's
 * loaded systemd hosts before systemd even got the stop: a delay of Debian's wrapper, not of the
 * failover, that the EL9-shaped kind's step 4 measured as failover time.
 */
export function engineCommand(engine: string, action: 'stop' | 'start'): string {
  return `if [ -d /run/systemd/system ]; then systemctl ${action} ${engine}; else service ${engine} ${action}; fi`;
}

export const step4VrrpStop: StepDefinition = {
  step: 4,
  title: 'VRRP service stopped on the master: the VIP moves to the backup',
  async run(ctx, result) {
    const l = ctx.layout;
    if (!(await masterServing(ctx, result, result.startedAt))) return;
    const faultAt = await act(ctx, l.master, engineCommand(l.engine, 'stop'));
    const fault = ctx.event(4, 'fault', `service ${l.engine} stop on ${l.master}`, faultAt);
    await check(ctx, result, `VIP ${l.vip} moves to ${l.backup} (gone from ${l.master})`, ctx.timeouts.failoverMs, vipOn(ctx, l.backup));
    await check(ctx, result, `client's ARP entry for ${l.vip} has ${l.backup}'s MAC ${ctx.macs[l.backup]}`, ctx.timeouts.failoverMs, arpPointsTo(ctx, l.backup));
    await check(ctx, result, `client gets "${pageOf(ctx, l.backup)}"`, ctx.timeouts.failoverMs, clientServedBy(ctx, l.backup, fault.t));
    const o = addOutage(ctx, result, 'failover', fault.t, l.backup);
    record(ctx, result, {
      what: 'client-observed outage measured',
      ok: o.outageMs !== undefined,
      seen: o.outageMs !== undefined ? `${(o.outageMs / 1000).toFixed(3)} s` : `no reply from ${l.backup}`,
    });
  },
};

export const step5VrrpStart: StepDefinition = {
  step: 5,
  title: 'VRRP service started again: the VIP returns to the master (preemption)',
  async run(ctx, result) {
    const l = ctx.layout;
    const repairAt = await act(ctx, l.master, engineCommand(l.engine, 'start'));
    const repair = ctx.event(5, 'repair', `service ${l.engine} start on ${l.master}`, repairAt);
    await check(ctx, result, `VIP ${l.vip} returns to ${l.master}`, ctx.timeouts.failbackMs, vipOn(ctx, l.master));
    await check(ctx, result, `client's ARP entry for ${l.vip} has ${l.master}'s MAC ${ctx.macs[l.master]}`, ctx.timeouts.failbackMs, arpPointsTo(ctx, l.master));
    await check(ctx, result, `client gets "${pageOf(ctx, l.master)}" again`, ctx.timeouts.failbackMs, clientServedBy(ctx, l.master, repair.t));
    addOutage(ctx, result, 'failback', repair.t, l.master);
  },
};

/**
 * What identifies one boot of a host: the kernel's boot id (the lab gives each boot its own) and the
 * start time of PID 1 (a container's reboot restarts its init even where the boot id is shared).
 */
export const BOOT_IDENTITY_SCRIPT = "cat /proc/sys/kernel/random/boot_id && sed 's/.*) //' /proc/1/stat | cut -d' ' -f20";

async function bootIdentity(ctx: DrillContext, host: string): Promise<string | undefined> {
  const r = await ctx.hosts.run(host, BOOT_IDENTITY_SCRIPT, 10_000);
  return r.code === 0 ? oneLine(r.stdout) : undefined;
}

/**
 * `reboot` typed on the host: its init runs the runlevel's stop scripts (the VRRP service before
 * nginx, sysvinit's K-script order) and then reboots. Detached and delayed a little, so the command
 * that starts it returns before the connection goes.
 */
export const GRACEFUL_REBOOT_SCRIPT = 'nohup sh -c "sleep 0.2; exec reboot" >/dev/null 2>&1 </dev/null &';
const GRACEFUL_REBOOT_DELAY_MS = 200;

/**
 * How a reboot step brings the master down: `crash` is the drill's reboot (the lab kills PID 1, as
 * pulling the plug; over SSH a plain `reboot`), `graceful` types `reboot` on the master.
 */
type RebootKind = 'crash' | 'graceful';

async function startReboot(ctx: DrillContext, step: number, kind: RebootKind): Promise<DrillEvent> {
  const l = ctx.layout;
  if (kind === 'graceful') {
    const issuedAt = await act(ctx, l.master, GRACEFUL_REBOOT_SCRIPT);
    return ctx.event(step, 'fault', `reboot typed on ${l.master} (init stops ${l.engine}, then nginx)`, issuedAt + GRACEFUL_REBOOT_DELAY_MS);
  }
  ctx.log(`  reboot ${l.master}`);
  await ctx.hosts.reboot(l.master);
  return ctx.event(step, 'fault', `reboot ${l.master}`);
}

function rebootStep(step: number, kind: RebootKind, title: string): StepDefinition {
  return { step, title, run: (ctx, result) => runReboot(ctx, result, step, kind) };
}

export const step6Reboot = rebootStep(6, 'crash', 'master rebooted: nginx and the VRRP service come back by themselves, and the VIP returns');

/** The planned reboot: with make before break, the VIP leaves the master before nginx stops there. */
export const step8GracefulReboot = rebootStep(8, 'graceful', 'master rebooted gracefully (`reboot` typed on it): its init stops the VRRP service, then nginx; all comes back');

async function runReboot(ctx: DrillContext, result: StepResult, step: number, kind: RebootKind): Promise<void> {
  {
    const l = ctx.layout;
    if (!(await masterServing(ctx, result, result.startedAt))) return;
    const bootBefore = await bootIdentity(ctx, l.master);
    if (bootBefore === undefined) {
      record(ctx, result, { what: `${l.master}'s boot identity read before the reboot`, ok: false, seen: 'not answering' });
      return;
    }
    const fault = await startReboot(ctx, step, kind);
    const t = ctx.timeouts;
    const deadline = fault.t + t.rebootMs;
    const left = () => Math.max(1, deadline - ctx.clock.now());
    // Either the backup takes over while the master is down, or the master boots faster than the
    // backup's Master_Down_Interval (about 3 x advert_int): then no failover is needed, and waiting for
    // the backup's page would never end. Whichever comes first decides the path.
    let path: 'failover' | 'back-first' | undefined;
    let upAt: number | undefined;
    const backupServes = clientServedBy(ctx, l.backup, fault.t);
    const covered = await check(ctx, result, `while ${l.master} reboots: client gets "${pageOf(ctx, l.backup)}", or ${l.master} is back with a new boot first`, t.rebootMs, async () => {
      const b = await backupServes();
      if (b.ok) {
        path = 'failover';
        return { ok: true, seen: `${l.backup} took over: ${b.seen}` };
      }
      const boot = await bootIdentity(ctx, l.master);
      if (boot !== undefined && boot !== bootBefore) {
        path = 'back-first';
        upAt = ctx.clock.now();
        return { ok: true, seen: `${l.master} back (new boot ${boot.slice(0, 8)}) before ${l.backup}'s down timer fired: no failover needed` };
      }
      return { ok: false, seen: `${b.seen}; ${l.master} ${boot === undefined ? 'not answering' : 'still on its old boot'}` };
    });
    if (!covered.ok) return;
    const decidedAt = ctx.clock.now();
    if (path === 'failover') {
      const downOutage = { ...measureOutage(ctx.probe.samples(), fault.t, l.backup, decidedAt), until: decidedAt };
      result.outages.push({ label: 'failover', ...downOutage });
      const d = downOutage.outageMs;
      ctx.log(`  failover: ${d !== undefined ? `${(d / 1000).toFixed(3)} s until ${l.backup} answered` : `${l.backup} never answered`}; longest stretch without any answer ${(downOutage.noAnswerMs / 1000).toFixed(3)} s`);
      const up = await check(ctx, result, `${l.master} is up again with a new boot`, left(), async () => {
        const boot = await bootIdentity(ctx, l.master);
        if (boot === undefined) return { ok: false, seen: 'not answering' };
        return { ok: boot !== bootBefore, seen: boot !== bootBefore ? `answering (boot ${boot.slice(0, 8)})` : 'answering on its old boot' };
      });
      if (!up.ok) return;
      upAt = ctx.clock.now();
    } else {
      ctx.log(`  ${l.master} back before ${l.backup}'s down timer; no failover needed`);
    }
    ctx.event(step, 'observe', `${l.master} up`, upAt);
    await check(ctx, result, `nginx came back on ${l.master}`, left(), async () => {
      const pid = await nginxMasterPid(ctx.hosts, l.master, nginxPidFile(l));
      return { ok: pid !== undefined, seen: pid !== undefined ? `master process ${pid}` : 'nginx not running' };
    });
    await check(ctx, result, `${l.engine} came back on ${l.master}`, left(), () => engineRunning(ctx.hosts, l.master, l.engine));
    await check(ctx, result, `VIP ${l.vip} on ${l.master} at the end (preemption)`, Math.max(left(), t.failbackMs), vipOn(ctx, l.master));
    await check(ctx, result, `client gets "${pageOf(ctx, l.master)}" again`, Math.max(left(), t.failbackMs), clientServedBy(ctx, l.master, upAt!));
    if (path === 'failover') {
      // From the moment the master answered again to the client being served by it (preemption).
      addOutage(ctx, result, 'failback', upAt!, l.master);
    } else {
      // The client saw only the master: down from the reboot until it served again.
      addOutage(ctx, result, 'no failover needed', fault.t, l.master);
    }
  }
}

export const step7Rerun: StepDefinition = {
  step: 7,
  title: 'playbook re-run changes nothing',
  async run(ctx, result) {
    if (!ctx.rerun) {
      result.skipped = true;
      ctx.log('  skipped: no re-run command given (--rerun-command)');
      return;
    }
    ctx.log(`  ${ctx.rerun.title}`);
    const started = ctx.clock.now();
    const r = await ctx.rerun.run();
    record(ctx, result, { what: ctx.rerun.title, ok: r.ok, seen: r.detail, afterMs: ctx.clock.now() - started });
  },
};

/** In running order: the graceful reboot (8) follows the crash reboot, the re-run stays last. */
export const ALL_STEPS: readonly StepDefinition[] = [step1Baseline, step2NginxRestart, step3NginxBroken, step4VrrpStop, step5VrrpStart, step6Reboot, step8GracefulReboot, step7Rerun];

/**
 * Puts the master back the way a drill found it, whatever failed: the nginx binary restored, nginx
 * and the VRRP service started. Run after a failed step and at the end.
 */
export async function restoreMaster(ctx: Pick<DrillContext, 'hosts' | 'layout' | 'log'>): Promise<boolean> {
  const l = ctx.layout;
  const r = await ctx.hosts.run(l.master, [restoreNginxScript(l), startNginxScript(l), startEngineScript(l)].join('\n'), 60_000);
  if (r.code !== 0) ctx.log(`  restoring ${l.master} failed (exit ${r.code}): ${oneLine(r.stderr || r.stdout)}`);
  return r.code === 0;
}

/** Runs one step, turning an exception into a failed step; ok = no failed check and no error. */
export async function runStep(ctx: DrillContext, def: StepDefinition): Promise<StepResult> {
  const result: StepResult = { step: def.step, title: def.title, ok: false, startedAt: ctx.clock.now(), endedAt: 0, checks: [], outages: [] };
  ctx.log(`\n[${def.step}] ${def.title}`);
  try {
    await def.run(ctx, result);
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
    ctx.log(`  FAIL ${result.error}`);
  }
  result.endedAt = ctx.clock.now();
  result.ok = !result.error && result.checks.every((c) => c.ok) && (result.skipped || result.checks.length > 0);
  return result;
}
