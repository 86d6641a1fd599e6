import type { Clock, TimerHandle } from '../os/types.js';
import type { TrackStatus } from './priority.js';

export interface ProcessTrackerSettings {
  name: string;
  quorum: number;
  quorumMax?: number;
  forkDelayMs: number;
  terminateDelayMs: number;
  fastRecovery: boolean;
}

/**
 * keepalived's vrrp_track_process rule over a count of running matches: up while the count is within
 * quorum..quorum_max, down otherwise. terminate_delay holds a lost quorum back before "down" (a
 * reload's stop/start), fork_delay holds a regained one back before "up" (a fork's brief double
 * count), and fast_recovery skips fork_delay when quorum comes back after a loss.
 */
export class ProcessTracker {
  status: TrackStatus = 'init';
  count?: number;
  private pending?: { status: TrackStatus; timer: TimerHandle };

  constructor(
    readonly settings: ProcessTrackerSettings,
    private readonly clock: Clock,
    private readonly onChange: (status: TrackStatus, count: number) => void,
    private readonly log: (level: 'info' | 'warn' | 'debug', message: string) => void,
  ) {}

  /** Whether `count` running matches satisfy the quorum. */
  satisfied(count: number): boolean {
    const { quorum, quorumMax } = this.settings;
    return count >= quorum && (quorumMax === undefined || count <= quorumMax);
  }

  /** A new count of running matches (from a scan or an exit). */
  update(count: number): void {
    const previous = this.count;
    this.count = count;
    if (previous !== count) this.log('debug', `Track process ${this.settings.name}: ${count} running`);
    const wanted: TrackStatus = this.satisfied(count) ? 'up' : 'down';
    if (this.status === 'init') { this.settle(wanted); return; }
    if (wanted === this.status) { this.cancelPending(); return; }
    if (this.pending?.status === wanted) return;
    this.cancelPending();
    const delay = wanted === 'down' ? this.settings.terminateDelayMs : this.settings.fastRecovery ? 0 : this.settings.forkDelayMs;
    if (delay <= 0) { this.settle(wanted); return; }
    const timer = this.clock.setTimer(delay, () => { this.pending = undefined; this.settle(wanted); });
    this.pending = { status: wanted, timer };
  }

  stop(): void {
    this.cancelPending();
  }

  private cancelPending(): void {
    this.pending?.timer.cancel();
    this.pending = undefined;
  }

  private settle(status: TrackStatus): void {
    if (status === this.status) return;
    const first = this.status === 'init';
    this.status = status;
    const count = this.count ?? 0;
    if (!first || status === 'down') this.log('info', `Track process ${this.settings.name} ${status === 'up' ? 'is up' : 'is down'} (${count} running, quorum ${this.settings.quorum}${this.settings.quorumMax !== undefined ? `..${this.settings.quorumMax}` : ''})`);
    this.onChange(status, count);
  }
}
