/** The real Clock: monotonic time from performance.now() and plain Node timers. */
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from './types.js';

export interface SystemClockOptions {
  /**
   * Whether a pending timer keeps the process alive. The daemon's sockets already do, so protocol
   * timers default to unref'd: a forgotten timer never delays exit after everything is closed.
   */
  keepAlive?: boolean;
}

export class SystemClock implements Clock {
  private readonly keepAlive: boolean;
  constructor(options: SystemClockOptions = {}) {
    this.keepAlive = options.keepAlive ?? false;
  }

  now(): number {
    return performance.now();
  }

  setTimer(ms: number, callback: () => void): TimerHandle {
    const timer = setTimeout(callback, Math.max(0, ms));
    if (!this.keepAlive) timer.unref();
    return { cancel: () => clearTimeout(timer) };
  }
}
