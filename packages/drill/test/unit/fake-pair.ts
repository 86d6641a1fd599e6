/**
 * A simulated HA pair for the step logic: two proxies, a VIP, a client, a clock that only moves when
 * the drill sleeps. Host commands are recognised by what they do (the scripts the steps send) and
 * change the world after delays like a real pair's; the probe's samples follow who holds the VIP.
 * Knobs let a test break the pair in the ways the drill must catch.
 */
import type { ClientSide, RunResult } from '../../src/client-side.js';
import type { HostOps } from '../../src/host-ops.js';
import type { Clock } from '../../src/observe.js';
import type { Probe } from '../../src/probe/session.js';
import type { Sample } from '../../src/types.js';
import { GRACEFUL_REBOOT_SCRIPT } from '../../src/steps.js';

export interface PairBehaviour {
  /** Health check restarts a stopped nginx after this long (undefined: never). */
  healthRestartMs?: number;
  /** With nginx unable to start, the VIP leaves after this long (undefined: never). */
  brokenFailoverMs?: number;
  /** `service stop` on the master: VIP on the backup after this long (undefined: never). */
  stopFailoverMs?: number;
  /** `service start`: VIP back after this long (undefined: never, i.e. no preemption). */
  preemptMs?: number;
  /** Reboot: host down this long, VIP on the backup after rebootFailoverMs. */
  bootMs: number;
  rebootFailoverMs: number;
  /** After boot, services come back (false: not enabled at boot). */
  servicesAtBoot: boolean;
  /**
   * `reboot` typed on a host: its init stops the VRRP service first; the backup holds the VIP this long
   * after the reboot starts, and the VIP is on no host for gracefulGapMs before that (0: make before
   * break). Then the host goes down as in a reboot.
   */
  gracefulSwitchMs: number;
  gracefulGapMs: number;
}

export const GOOD_PAIR: PairBehaviour = {
  healthRestartMs: 1500,
  brokenFailoverMs: 3000,
  stopFailoverMs: 800,
  preemptMs: 1200,
  bootMs: 8000,
  rebootFailoverMs: 3500,
  servicesAtBoot: true,
  gracefulSwitchMs: 900,
  gracefulGapMs: 0,
};

interface HostState {
  up: boolean;
  nginx: boolean;
  nginxPid: number;
  broken: boolean;
  engine: boolean;
  aside: boolean;
  boots: number;
}

export class FakePair {
  now = 1_000_000;
  /** Who holds the VIP (undefined during a switch). */
  holder: string | undefined;
  readonly hosts: Record<string, HostState>;
  readonly macs: Record<string, string> = { 'edu-proxy-01': '02:00:00:00:00:51', 'edu-proxy-02': '02:00:00:00:00:52' };
  readonly commands: { host: string; script: string; t: number }[] = [];
  private timers: { at: number; fn: () => void }[] = [];
  private nextPid = 100;
  private samplesList: Sample[] = [];
  private sampledUntil: number;
  arpMac: string | undefined;

  constructor(
    readonly b: PairBehaviour = GOOD_PAIR,
    readonly master = 'edu-proxy-01',
    readonly backup = 'edu-proxy-02',
  ) {
    const fresh = (): HostState => ({ up: true, nginx: true, nginxPid: this.nextPid++, broken: false, engine: true, aside: false, boots: 1 });
    this.hosts = { [master]: fresh(), [backup]: fresh() };
    this.holder = master;
    this.arpMac = this.macs[master];
    this.sampledUntil = this.now - 2000;
  }

  private later(ms: number | undefined, fn: () => void): void {
    if (ms !== undefined) this.timers.push({ at: this.now + ms, fn });
  }

  private setHolder(h: string | undefined): void {
    this.holder = h;
    if (h) this.arpMac = this.macs[h];
  }

  /** Advances time, firing due changes and recording what the client saw meanwhile. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.sample(next.at);
      this.now = next.at;
      next.fn();
    }
    this.sample(target);
    this.now = target;
  }

  /** Client requests every 15 ms up to `until`: answered by the VIP holder when its nginx runs. */
  private sample(until: number, inclusive = false): void {
    for (let t = this.sampledUntil + 15; inclusive ? t <= until : t < until; t += 15) {
      const h = this.holder;
      const s = h && this.hosts[h].up && this.hosts[h].nginx;
      this.samplesList.push(s ? { t, end: t + 2, host: h, page: h === this.master ? 1 : 2 } : { t, end: t + 1000, error: h ? 'ECONNREFUSED' : 'EHOSTUNREACH' });
      this.sampledUntil = t;
    }
  }

  clock: Clock = {
    now: () => this.now,
    sleep: async (ms) => this.advance(ms),
  };

  probe: Probe = {
    samples: () => this.samplesList.filter((s) => s.end <= this.now),
    stop: async () => undefined,
  };

  client: ClientSide = {
    description: 'fake client',
    spawn: () => {
      throw new Error('not used');
    },
    run: async (argv) => {
      if (argv[0] === 'ip' && argv[1] === 'neigh') {
        return this.arpMac ? ok(`${argv[3]} dev eth0 lladdr ${this.arpMac} REACHABLE\n`) : ok('');
      }
      return { code: 127, stdout: '', stderr: `fake client: unknown command ${argv.join(' ')}` };
    },
  };

  /** The init's way down: the VRRP service hands over (gap or not), then everything stops and it boots. */
  private gracefulReboot(host: string): void {
    const other = host === this.master ? this.backup : this.master;
    const { gracefulSwitchMs, gracefulGapMs } = this.b;
    if (gracefulGapMs > 0) this.later(gracefulSwitchMs - gracefulGapMs, () => { if (this.holder === host) this.setHolder(undefined); });
    this.later(gracefulSwitchMs, () => {
      this.setHolder(other);
      this.hosts[host].engine = false;
      this.rebootHost(host);
    });
  }

  private rebootHost(host: string): void {
    const s = this.hosts[host];
    s.up = false;
    s.nginx = false;
    s.engine = false;
    if (this.holder === host) this.setHolder(undefined);
    this.later(this.b.rebootFailoverMs, () => {
      if (!this.holder) this.setHolder(this.backup);
    });
    this.later(this.b.bootMs, () => {
      s.up = true;
      s.boots++;
      if (this.b.servicesAtBoot) {
        s.nginx = true;
        s.nginxPid = this.nextPid++;
        s.engine = true;
        this.later(this.b.preemptMs, () => this.setHolder(host));
      }
    });
  }

  hostOps: HostOps = {
    run: async (host, script) => {
      // What the client saw up to now happened before this command.
      this.sample(this.now, false);
      this.commands.push({ host, script, t: this.now });
      const s = this.hosts[host];
      if (!s.up) return { code: 255, stdout: '', stderr: 'connection refused' };
      const other = host === this.master ? this.backup : this.master;
      const last = (Number(host.slice(-1)) + 50).toString();
      if (script === 'ip -4 addr show' || script === 'ip -4 -o addr show') {
        const vip = this.holder === host ? `    inet 198.51.100.50/32 scope global eth1\n` : '';
        return ok(`1: lo: <LOOPBACK>\n    inet 127.0.0.1/8 scope host lo\n2: eth1@if9: <BROADCAST>\n    inet 198.51.100.${last}/24 brd 198.51.100.255 scope global eth1\n${vip}`);
      }
      if (script.startsWith('ip -o link show')) return ok(`2: eth1@if9: <BROADCAST> mtu 1500\\    link/ether ${this.macs[host]} brd ff:ff:ff:ff:ff:ff`);
      if (script.startsWith('cat /proc/sys/kernel/random/boot_id')) return ok(`0123456789abcdef-${s.boots}\n42${s.boots}\n`);
      if (script.startsWith('p=$(cat') && script.includes('echo "$p"')) return s.nginx ? ok(`${s.nginxPid}\n`) : { code: 1, stdout: '', stderr: '' };
      if (script.includes('-s stop') && !script.includes('set -e')) {
        s.nginx = false;
        this.later(this.b.healthRestartMs, () => {
          if (!s.broken && s.up && !s.nginx) {
            s.nginx = true;
            s.nginxPid = this.nextPid++;
          }
        });
        return ok('');
      }
      if (script.startsWith('set -e') && script.includes('.drill-aside')) {
        s.broken = true;
        s.aside = true;
        s.nginx = false;
        this.later(this.b.brokenFailoverMs, () => {
          if (s.broken && this.holder === host) this.setHolder(other);
        });
        return ok('');
      }
      if (script.startsWith('if [ -e') && script.includes('.drill-aside')) {
        // restore (+ start nginx + start engine, when the steps send them together)
        const wasBroken = s.broken;
        s.broken = false;
        s.aside = false;
        if (script.includes('kill -0') && !s.nginx) {
          s.nginx = true;
          s.nginxPid = this.nextPid++;
        }
        if (script.includes('start') && !s.engine) s.engine = true;
        if (wasBroken) this.later(this.b.preemptMs, () => this.setHolder(host));
        return ok('');
      }
      if (script === GRACEFUL_REBOOT_SCRIPT) {
        this.gracefulReboot(host);
        return ok('');
      }
      const service = /^service (\S+) (stop|start|status)$/.exec(script) ?? /; else service (\S+) (stop|start); fi$/.exec(script);
      if (service) {
        const [, , verb] = service;
        if (verb === 'status') return s.engine ? ok('running\n') : { code: 3, stdout: 'not running\n', stderr: '' };
        if (verb === 'stop') {
          s.engine = false;
          if (this.holder === host) {
            this.setHolder(undefined);
            this.later(this.b.stopFailoverMs, () => this.setHolder(other));
          }
          return ok('');
        }
        s.engine = true;
        if (host === this.master) this.later(this.b.preemptMs, () => this.setHolder(host));
        return ok('');
      }
      return { code: 127, stdout: '', stderr: `fake host: unknown script ${script}` };
    },
    reboot: async (host) => {
      this.sample(this.now, false);
      this.commands.push({ host, script: 'REBOOT', t: this.now });
      this.rebootHost(host);
    },
    close: async () => undefined,
  };
}

function ok(stdout: string): RunResult {
  return { code: 0, stdout, stderr: '' };
}
