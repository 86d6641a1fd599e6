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

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, cwd: invocationDir(process.env, process.cwd()), env: process.env };
}
