/**
 * Link change notifications from the kernel: an rtnetlink socket subscribed to the link group
 * (RTM_NEWLINK/RTM_DELLINK), read by the process-wide poller. The messages are not parsed: any of them
 * means "look again", and the monitor re-reads the few watched interfaces with ioctls. This costs
 * nothing while links are quiet and reports a carrier loss within milliseconds, where polling would
 * wake the process several times a second.
 */
import { loadLibc, type Libc } from './libc.js';
import { Poller } from './poller.js';
import { AF_NETLINK, NETLINK_ROUTE, RTMGRP_LINK, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_RAW, sockaddrNl } from './structs.js';

/** Something that calls back when links may have changed; subscribe returns the unsubscribe. */
export interface LinkEventSource {
  subscribe(onEvent: () => void): () => void;
}

export class NetlinkLinkEvents implements LinkEventSource {
  private fd: number | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly buffer = Buffer.alloc(16 * 1024);
  private readonly libc: Libc;

  constructor(
    private readonly poller: Poller,
    libc?: Libc,
  ) {
    this.libc = libc ?? loadLibc();
  }

  subscribe(onEvent: () => void): () => void {
    if (this.fd === undefined) this.open();
    this.listeners.add(onEvent);
    return () => {
      this.listeners.delete(onEvent);
      if (this.listeners.size === 0) this.closeSocket();
    };
  }

  private open(): void {
    const fd = this.libc.socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
    try {
      this.libc.bind(fd, sockaddrNl(RTMGRP_LINK), 'RTMGRP_LINK');
    } catch (error) {
      this.libc.close(fd);
      throw error;
    }
    this.fd = fd;
    this.poller.register(fd, () => this.drain(fd));
  }

  private drain(fd: number): void {
    let any = false;
    for (let i = 0; i < 64; i++) {
      let n: number;
      try {
        n = this.libc.recvfrom(fd, this.buffer);
      } catch {
        any = true; // ENOBUFS: messages were lost; looking again is exactly the right answer
        continue;
      }
      if (n < 0) break;
      any = true;
    }
    if (any) for (const listener of [...this.listeners]) listener();
  }

  private closeSocket(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    this.poller.unregister(fd, () => {
      try {
        this.libc.close(fd);
      } catch {
        // gone either way
      }
    });
  }
}
