/** The streams and environment the CLI uses (tests pass in-memory ones). */
export interface CliIO {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  cwd: string;
  env: Record<string, string | undefined>;
}

/**
 * `npm run provision -- run x.yml` runs the script from the repository root; relative paths the user
 * typed are meant from where npm was invoked (INIT_CWD), so that is our working folder then.
 */
export function invocationDir(env: Record<string, string | undefined>, cwd: string): string {
  return env.npm_lifecycle_event === 'provision' && env.INIT_CWD ? env.INIT_CWD : cwd;
}

/**
 * A process stream that outlives its reader: when the reader goes away (`provision run x.yml | head`),
 * later output is dropped instead of crashing the run with EPIPE halfway through a host's changes.
 */
export function readerTolerant(stream: NodeJS.WriteStream): CliIO['stdout'] {
  let gone = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') gone = true;
    else throw err;
  });
  return {
    write: (text: string) => (gone ? true : stream.write(text)),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  };
}

export function processIO(): CliIO {
  return { stdout: readerTolerant(process.stdout), stderr: readerTolerant(process.stderr), cwd: invocationDir(process.env, process.cwd()), env: process.env };
}
