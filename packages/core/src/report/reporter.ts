import type { RunEvent } from '../executor/events.js';

/** Receives the executor's events (already masked) and shows them somewhere. */
export interface Reporter {
  handle(event: RunEvent): void;
  /** Called once after the run (or after an error): flush, stop timers. */
  close(): void;
}

/** Fans events out to several reporters. */
export function multiReporter(...reporters: Reporter[]): Reporter {
  return {
    handle: (e) => reporters.forEach((r) => r.handle(e)),
    close: () => reporters.forEach((r) => r.close()),
  };
}
