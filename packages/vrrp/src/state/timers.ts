import type { Clock, TimerHandle } from '../os/types.js';
import type { VrrpVersion } from '../config/model.js';

/**
 * Skew_Time: how much longer a lower-priority backup waits, so the best backup takes over first.
 * RFC 3768 (v2): (256 - Priority) / 256 seconds, independent of the advert interval.
 * RFC 5798 (v3): ((256 - Priority) * Master_Adver_Interval) / 256.
 */
export function skewTimeMs(version: VrrpVersion, priority: number, masterAdverIntervalMs: number): number {
  return version === 2 ? ((256 - priority) * 1000) / 256 : ((256 - priority) * masterAdverIntervalMs) / 256;
}

/** Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time (both RFCs). */
export function masterDownIntervalMs(version: VrrpVersion, priority: number, masterAdverIntervalMs: number): number {
  return 3 * masterAdverIntervalMs + skewTimeMs(version, priority, masterAdverIntervalMs);
}

/** A restartable one-shot timer that remembers its deadline (the down timer can then be shifted). */
export class OneShot {
  private handle?: TimerHandle;
  deadline?: number;

  constructor(
    private readonly clock: Clock,
    private readonly onExpire: () => void,
    private readonly options: { precise?: boolean } = {},
  ) {}

  get running(): boolean {
    return this.handle !== undefined;
  }

  start(ms: number): void {
    this.cancel();
    const delay = Math.max(0, ms);
    this.deadline = this.clock.now() + delay;
    this.handle = this.clock.setTimer(delay, () => {
      this.handle = undefined;
      this.deadline = undefined;
      this.onExpire();
    }, this.options);
  }

  cancel(): void {
    this.handle?.cancel();
    this.handle = undefined;
    this.deadline = undefined;
  }

  remainingMs(): number | undefined {
    return this.deadline === undefined ? undefined : Math.max(0, this.deadline - this.clock.now());
  }
}
