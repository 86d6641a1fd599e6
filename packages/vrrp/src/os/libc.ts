/**
 * The few libc calls the VRRP edge needs, bound through koffi (prebuilt N-API binaries, so target hosts
 * need no compiler). Every wrapper throws a SyscallError carrying errno on failure; callers never see
 * raw -1 returns except where EAGAIN is a normal answer (recvfrom, read).
 * Structures are passed as Buffers packed by structs.ts.
 */
import koffi from 'koffi';
import { CLOCK_REALTIME, SOL_SOCKET, SO_ATTACH_FILTER, dropAllFilter, intOption, timespecMs } from './structs.js';

export const EINTR = 4;
export const EAGAIN = 11;

const errnoNames: Map<number, string> = new Map(
  Object.entries(koffi.os.errno as Record<string, number>).map(([name, value]) => [value, name]),
);

export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

/** A failed system call, with the errno name in `code` like Node's own errors (EPERM, ENODEV, ...). */
export class SyscallError extends Error {
  readonly errno: number;
  readonly code: string;
  readonly syscall: string;
  constructor(syscall: string, errno: number, detail?: string) {
    super(`${syscall}${detail ? ` (${detail})` : ''} failed: ${errnoName(errno)}`);
    this.name = 'SyscallError';
    this.errno = errno;
    this.code = errnoName(errno);
    this.syscall = syscall;
  }
}

export interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, detail?: string): void;
  setsockoptInt(fd: number, level: number, name: number, value: number, detail?: string): void;
  /** Attaches a classic BPF program that accepts nothing, so a send-only socket queues nothing. */
  attachDropAllFilter(fd: number): void;
  bind(fd: number, address: Buffer, detail?: string): void;
  sendto(fd: number, data: Buffer, flags: number, address: Buffer): number;
  /** Returns the byte count, or -1 with errno EAGAIN when nothing is queued (non-blocking fd). */
  recvfrom(fd: number, into: Buffer): number;
  close(fd: number): void;
  /** poll(2) on a libuv threadpool thread; the pollfd Buffer's revents are filled in place. */
  pollAsync(fds: Buffer, count: number, timeoutMs: number, callback: (error: Error | null, ready: number) => void): void;
  eventfd(flags: number): number;
  /** Adds 1 to an eventfd counter (wakes a poll on it). */
  eventfdSignal(fd: number): void;
  /** Reads and resets an eventfd counter; false when it was zero (EAGAIN). */
  eventfdDrain(fd: number): boolean;
  ifNameToIndex(name: string): number;
  /** ioctl(fd, request, buf) for requests taking a struct pointer; returns -1 with errno set on failure. */
  ioctl(fd: number, request: number, buf: Buffer): number;
  /** clock_gettime(CLOCK_REALTIME) in milliseconds, to the microsecond: the clock of kernel packet timestamps. */
  realtimeMs(): number;
  lastErrno(): number;
  /**
   * pidfd_open(2): an fd that becomes readable when the process exits, whatever pid namespace we are
   * in (netlink's process connector only serves the initial one). Throws ESRCH when it is gone.
   */
  pidfdOpen(pid: number): number;
}

/** pidfd_open's syscall number: the same on x86_64 and the generic table (aarch64, riscv64, arm). */
const SYS_PIDFD_OPEN = 434;

let loaded: Libc | undefined;

/** Binds libc once per process. Throws on a non-Linux platform. */
export function loadLibc(): Libc {
  if (loaded) return loaded;
  if (process.platform !== 'linux') throw new Error(`raw VRRP sockets need Linux, not ${process.platform}`);
  const lib = koffi.load('libc.so.6');
  const sockFprog = koffi.struct('haweb_sock_fprog', { len: 'uint16_t', filter: 'void *' });

  const socket = lib.func('int socket(int domain, int type, int protocol)');
  const setsockopt = lib.func('int setsockopt(int fd, int level, int name, const void *value, uint32_t length)');
  const setsockoptFprog = lib.func('setsockopt', 'int', ['int', 'int', 'int', koffi.pointer(sockFprog), 'uint32_t']);
  const bind = lib.func('int bind(int fd, const void *address, uint32_t length)');
  const sendto = lib.func(
    'intptr_t sendto(int fd, const void *data, size_t length, int flags, const void *address, uint32_t addressLength)',
  );
  const recvfrom = lib.func(
    'intptr_t recvfrom(int fd, _Out_ void *data, size_t length, int flags, void *address, void *addressLength)',
  );
  const close = lib.func('int close(int fd)');
  const poll = lib.func('int poll(_Inout_ void *fds, unsigned long count, int timeout)');
  const eventfd = lib.func('int eventfd(unsigned int initial, int flags)');
  const write = lib.func('intptr_t write(int fd, const void *data, size_t length)');
  const read = lib.func('intptr_t read(int fd, _Out_ void *data, size_t length)');
  const ifNameToIndex = lib.func('unsigned int if_nametoindex(const char *name)');
  // Variadic in C; declared with its one pointer argument, which passes identically on x86_64 and
  // on Linux aarch64 (where variadic arguments use the normal registers).
  const ioctl = lib.func('int ioctl(int fd, unsigned long request, _Inout_ void *argument)');
  const clockGettime = lib.func('int clock_gettime(int clock, _Out_ void *timespec)');
  // glibc 2.36 has a pidfd_open wrapper; older ones get the raw syscall (variadic in C).
  let pidfdOpen: (pid: number) => number;
  try {
    const wrapper = lib.func('int pidfd_open(int pid, unsigned int flags)');
    pidfdOpen = (pid) => wrapper(pid, 0);
  } catch {
    const syscall = lib.func('long syscall(long number, ...)');
    pidfdOpen = (pid) => Number(syscall(SYS_PIDFD_OPEN, 'int', pid, 'unsigned int', 0));
  }
  const timespec = Buffer.alloc(16); // two 64-bit longs on x86_64 and aarch64

  const check = (result: number, syscall: string, detail?: string): number => {
    if (result < 0) throw new SyscallError(syscall, koffi.errno(), detail);
    return result;
  };
  const one = Buffer.alloc(8);
  one.writeBigUInt64LE(1n);

  loaded = {
    socket: (domain, type, protocol) => check(socket(domain, type, protocol), 'socket'),
    setsockopt: (fd, level, name, value, detail) => {
      check(setsockopt(fd, level, name, value, value.length), 'setsockopt', detail ?? `${level}/${name}`);
    },
    setsockoptInt: (fd, level, name, value, detail) => {
      const buf = intOption(value);
      check(setsockopt(fd, level, name, buf, buf.length), 'setsockopt', detail ?? `${level}/${name}`);
    },
    attachDropAllFilter: (fd) => {
      const program = dropAllFilter();
      check(
        setsockoptFprog(fd, SOL_SOCKET, SO_ATTACH_FILTER, { len: 1, filter: program }, koffi.sizeof(sockFprog)),
        'setsockopt',
        'SO_ATTACH_FILTER',
      );
    },
    bind: (fd, address, detail) => {
      check(bind(fd, address, address.length), 'bind', detail);
    },
    sendto: (fd, data, flags, address) => Number(check(Number(sendto(fd, data, data.length, flags, address, address.length)), 'sendto')),
    recvfrom: (fd, into) => {
      const n = Number(recvfrom(fd, into, into.length, 0, null, null));
      if (n < 0) {
        const errno = koffi.errno();
        if (errno === EAGAIN || errno === EINTR) return -1;
        throw new SyscallError('recvfrom', errno);
      }
      return n;
    },
    close: (fd) => {
      check(close(fd), 'close');
    },
    pollAsync: (fds, count, timeoutMs, callback) => {
      poll.async(fds, count, timeoutMs, (error: unknown, result: number) => {
        if (error) return callback(error instanceof Error ? error : new Error(String(error)), 0);
        if (result < 0) {
          // errno of a threadpool call is not readable from here; EINTR is the only expected cause.
          return callback(null, 0);
        }
        callback(null, result);
      });
    },
    eventfd: (flags) => check(eventfd(0, flags), 'eventfd'),
    eventfdSignal: (fd) => {
      check(Number(write(fd, one, 8)), 'write', 'eventfd');
    },
    eventfdDrain: (fd) => {
      const buf = Buffer.alloc(8);
      const n = Number(read(fd, buf, 8));
      if (n < 0) {
        const errno = koffi.errno();
        if (errno === EAGAIN) return false;
        throw new SyscallError('read', errno, 'eventfd');
      }
      return true;
    },
    ifNameToIndex: (name) => {
      const index = ifNameToIndex(name);
      if (index === 0) throw new SyscallError('if_nametoindex', koffi.errno(), name);
      return index;
    },
    ioctl: (fd, request, buf) => ioctl(fd, request, buf),
    realtimeMs: () => {
      check(clockGettime(CLOCK_REALTIME, timespec), 'clock_gettime');
      return timespecMs(timespec);
    },
    lastErrno: () => koffi.errno(),
    pidfdOpen: (pid) => check(pidfdOpen(pid), 'pidfd_open', String(pid)),
  };
  return loaded;
}
