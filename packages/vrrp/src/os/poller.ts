/**
 * One readiness poller for every socket of the process. koffi cannot hand an fd to libuv, so poll(2)
 * runs on one libuv threadpool thread (`poll.async`) over all registered fds plus an eventfd used to
 * wake it when the set changes or on shutdown. When it returns, each ready fd's handler drains its
 * socket with non-blocking reads on the main thread. With no fds registered the poller is idle and
 * holds no threadpool thread, so the process can exit.
 *
 * An fd is only closed once the in-flight poll(2) no longer refers to it (`unregister` calls back
 * after the current round), so a reused fd number can never be mistaken for the old socket.
 */
import { EFD_CLOEXEC, EFD_NONBLOCK, POLLERR, POLLHUP, POLLIN, POLLNVAL, pollRevents, pollfds } from './structs.js';
import type { Libc } from './libc.js';

export type ReadableHandler = () => void;

export interface PollerOptions {
  /** Upper bound of one poll(2) call; the eventfd makes changes immediate, this is only a safety net. */
  timeoutMs?: number;
  /** Reports handler exceptions and poll failures (the poller keeps going). */
  onError?: (error: Error) => void;
}

export class Poller {
  private readonly handlers = new Map<number, ReadableHandler>();
  private readonly afterRound: Array<() => void> = [];
  private wakeFd: number | undefined;
  private polling = false;
  private readonly timeoutMs: number;
  private readonly onError: (error: Error) => void;

  constructor(
    private readonly libc: Libc,
    options: PollerOptions = {},
  ) {
    // Every change wakes poll(2) through the eventfd, so the timeout is only a safety net; a long one
    // keeps an idle daemon from waking up (and costing CPU) for nothing.
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.onError = options.onError ?? ((error) => process.emitWarning(error));
  }

  /** Number of fds being watched. */
  get size(): number {
    return this.handlers.size;
  }

  /** Whether a poll(2) call is in flight on the threadpool. */
  get active(): boolean {
    return this.polling;
  }

  register(fd: number, onReadable: ReadableHandler): void {
    this.handlers.set(fd, onReadable);
    if (this.polling) this.wake();
    else this.round();
  }

  /** Stops watching `fd`; `done` runs once no poll(2) call refers to it (at once when idle). */
  unregister(fd: number, done: () => void): void {
    this.handlers.delete(fd);
    if (!this.polling) {
      done();
      return;
    }
    this.afterRound.push(done);
    this.wake();
  }

  private wake(): void {
    if (this.wakeFd === undefined) return;
    try {
      this.libc.eventfdSignal(this.wakeFd);
    } catch (error) {
      this.onError(error as Error);
    }
  }

  private round(): void {
    if (this.handlers.size === 0) return;
    if (this.wakeFd === undefined) this.wakeFd = this.libc.eventfd(EFD_NONBLOCK | EFD_CLOEXEC);
    const wakeFd = this.wakeFd;
    const fds = [wakeFd, ...this.handlers.keys()];
    const set = pollfds(fds, POLLIN);
    this.polling = true;
    this.libc.pollAsync(set, fds.length, this.timeoutMs, (error, ready) => {
      this.polling = false;
      for (const done of this.afterRound.splice(0)) done();
      if (error) this.onError(error);
      if (ready > 0) {
        if (pollRevents(set, 0) & POLLIN) {
          try {
            this.libc.eventfdDrain(wakeFd);
          } catch (drainError) {
            this.onError(drainError as Error);
          }
        }
        for (let i = 1; i < fds.length; i++) {
          const revents = pollRevents(set, i);
          if (!(revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL))) continue;
          const handler = this.handlers.get(fds[i]);
          if (!handler) continue; // unregistered during this round
          try {
            handler();
          } catch (handlerError) {
            this.onError(handlerError as Error);
          }
        }
      }
      // A poll failure (e.g. koffi refusing the call) must not spin: retry after a pause.
      if (error) setTimeout(() => this.round(), 100).unref();
      else this.round();
    });
  }
}
