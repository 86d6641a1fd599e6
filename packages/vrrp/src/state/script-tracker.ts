import type { Clock, ScriptRunner, TimerHandle } from '../os/types.js';
import type { TrackStatus } from './priority.js';

export interface ScriptTrackerSettings {
  name: string;
  argv: readonly string[];
  intervalMs: number;
  timeoutMs: number;
  rise: number;
  fall: number;
  user?: string;
  initFail: boolean;
}

/**
 * Runs one vrrp_script every interval and turns exit codes into up/down with keepalived's rise/fall
 * hysteresis: a `result` counter climbs on success and the script is "up" on reaching `rise`
 * (then it jumps to rise+fall-1); failures walk it back down and it is "down" once it falls below
 * `rise` (then it resets to 0). A fresh script starts at rise-1 so one result decides it, unless
 * init_fail says it starts down. A still-running script is never started twice.
 */
export class ScriptTracker {
  status: TrackStatus;
  private result: number;
  private running?: Promise<void>;
  private timer?: TimerHandle;
  private stopped = false;
  /** Whether start() was called (a reload starts only new trackers). */
  started = false;
  lastExit?: { code?: number; signal?: string; timedOut: boolean; stderr: string };

  constructor(
    readonly settings: ScriptTrackerSettings,
    private readonly runner: ScriptRunner,
    private readonly clock: Clock,
    private readonly onChange: (status: TrackStatus) => void,
    private readonly log: (level: 'info' | 'warn' | 'debug', message: string) => void,
  ) {
    this.status = settings.initFail ? 'down' : 'init';
    this.result = settings.initFail ? 0 : settings.rise - 1;
  }

  start(): void {
    this.started = true;
    this.stopped = false;
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private tick(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimer(this.settings.intervalMs, () => this.tick());
    if (this.running) {
      this.log('warn', `Track script ${this.settings.name} is already running, expect idle - skipping run`);
      return;
    }
    void this.runOnce();
  }

  /**
   * Runs the script now, outside its interval (a tracked process just died: the script's repair
   * should start at once). A run under way started before that reason did and may have seen the
   * process still up (it would pass without repairing anything), so it is waited for and the script
   * runs again after it, unless an interval run started meanwhile (that one is recent enough).
   * Never two at once. Resolves once the result of a run that started after the call is recorded.
   */
  runNow(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const underWay = this.running;
    if (!underWay) return this.runOnce();
    return underWay.then(() => (this.stopped ? undefined : (this.running ?? this.runOnce())));
  }

  private runOnce(): Promise<void> {
    const run = this.runner.run(this.settings.argv, { timeoutMs: this.settings.timeoutMs, user: this.settings.user }).then(
      (r) => {
        this.running = undefined;
        this.lastExit = { code: r.code, signal: r.signal, timedOut: r.timedOut, stderr: r.stderr };
        if (r.timedOut) this.log('warn', `Track script ${this.settings.name} timed out after ${this.settings.timeoutMs / 1000} s`);
        else if (r.code !== 0 && r.stderr.trim()) this.log('debug', `Track script ${this.settings.name} exited ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        this.record(!r.timedOut && r.code === 0);
      },
      (error: unknown) => {
        this.running = undefined;
        this.log('warn', `Track script ${this.settings.name} could not run: ${(error as Error).message}`);
        this.record(false);
      },
    );
    this.running = run;
    return run;
  }

  /** One result of the script; public so the hysteresis is unit-testable without a runner. */
  record(success: boolean): void {
    if (this.stopped) return;
    const { rise, fall, name } = this.settings;
    if (success) {
      if (this.result < rise - 1) this.result++;
      else if (this.result !== rise + fall - 1 || this.status !== 'up') {
        this.result = rise + fall - 1;
        this.change('up', `VRRP_Script(${name}) succeeded`);
      }
    } else {
      if (this.result > rise) this.result--;
      else if (this.result !== 0 || this.status !== 'down') {
        this.result = 0;
        this.change('down', `VRRP_Script(${name}) failed (exited with status ${this.lastExit?.timedOut ? 'timeout' : this.lastExit?.code ?? this.lastExit?.signal ?? 'unknown'})`);
      }
    }
  }

  private change(status: TrackStatus, message: string): void {
    if (status === this.status) return;
    this.status = status;
    this.log('info', message);
    this.onChange(status);
  }
}
