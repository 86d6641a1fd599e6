import { createRequire } from 'node:module';

/** RFC 5424 severities used here: err, warning, info, debug. */
export type SyslogSeverity = 3 | 4 | 6 | 7;

const LOG_DAEMON = 3 << 3;
const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;

interface SyslogLibc {
  socket: (domain: number, type: number, protocol: number) => number;
  connect: (fd: number, addr: Buffer, len: number) => number;
  send: (fd: number, buf: Buffer, len: number, flags: number) => number;
  close: (fd: number) => number;
}

let libc: SyslogLibc | undefined;

function bind(): SyslogLibc {
  if (libc) return libc;
  // Loaded on first use only: importing the package (installer, provisioner) must not load koffi.
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  const lib = koffi.load('libc.so.6');
  libc = {
    socket: lib.func('int socket(int, int, int)'),
    connect: lib.func('int connect(int, const void *, uint32_t)'),
    send: lib.func('intptr_t send(int, const void *, size_t, int)'),
    close: lib.func('int close(int)'),
  };
  return libc;
}

function timestamp(date: Date): string {
  const [, month, dom, , time] = date.toString().split(' ');
  return `${month} ${dom.padStart(2, ' ')} ${time}`;
}

/**
 * A connected AF_UNIX datagram socket to syslogd (Node's dgram has no unix sockets). Sends never
 * block; a line that cannot be sent (syslogd gone or full) returns false so the caller can fall back.
 */
export function openSyslog(path: string, ident: string): { send(severity: SyslogSeverity, message: string): boolean; close(): void } | undefined {
  try {
    const c = bind();
    const fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return undefined;
    const address = Buffer.alloc(110);
    address.writeUInt16LE(AF_UNIX, 0);
    address.write(path, 2, 'utf8');
    if (c.connect(fd, address, 2 + Buffer.byteLength(path) + 1) !== 0) {
      c.close(fd);
      return undefined;
    }
    let open = true;
    return {
      send(severity, message) {
        if (!open) return false;
        const line = Buffer.from(`<${LOG_DAEMON | severity}>${timestamp(new Date())} ${ident}[${process.pid}]: ${message}`);
        return c.send(fd, line, line.length, MSG_DONTWAIT | MSG_NOSIGNAL) === line.length;
      },
      close() {
        if (open) c.close(fd);
        open = false;
      },
    };
  } catch {
    return undefined;
  }
}
