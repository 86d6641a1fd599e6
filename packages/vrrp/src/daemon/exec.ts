import koffi from 'koffi';

/**
 * Replaces this process with another program (execv): same pid, so the pid file the vrrpd command
 * claimed and the caller waiting on it (`-n`, an init script) stay valid. Node has no exec of its own.
 * Returns only on failure, by throwing.
 */
export function execv(path: string, argv: readonly string[]): never {
  const libc = koffi.load('libc.so.6');
  const call = libc.func('int execv(const char *path, const char **argv)');
  const fcntl = libc.func('int fcntl(int fd, int cmd, int arg)');
  // Node opens its stdio close-on-exec; the program we become must keep stdin, stdout and stderr.
  const F_SETFD = 2;
  for (const fd of [0, 1, 2]) fcntl(fd, F_SETFD, 0);
  call(path, [...argv, null]);
  throw new Error(`cannot execute ${path}: errno ${koffi.errno()}`);
}
