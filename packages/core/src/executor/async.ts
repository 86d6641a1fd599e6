/**
 * `async` / `poll` and `async_status`: a task's work left running in the background.
 *
 * Modules here are TypeScript on the controller that issue commands over the connection. A module
 * whose work is one command on the host (command, shell, a library module) declares `background`
 * (prepare the command, turn its outcome into their result): the command runs detached on the host
 * and outlives the connection. Any other module's work is driven from the controller as a job of the
 * run (the run waits for it before it ends), its status file on the host as for the others, so
 * async_status reads both alike. The job lives under the login (or become) user's
 * ~/.ansible_async (or ansible_async_dir), as Ansible's does:
 *
 *   <jid>          Ansible's status file: `{"started": 1, "finished": 0, ...}` while it runs, replaced
 *                  by the module's result (written by the controller, atomically) once it is read done
 *   <jid>.job      which module with which arguments (to build that result later, in another task)
 *   <jid>.start    when the command started; <jid>.out, <jid>.err its output
 *   <jid>.rc       its exit code and end time, moved into place last: the job is done
 *   <jid>.timeout  the watchdog killed the job's process group (see watchdogSeconds)
 *
 * The wrapper is started with setsid, its standard streams on files, so neither the SSH channel's
 * end nor its hangup reaches it.
 */
import { hostPathWord, shellJoin, shellQuote } from '../contract/quote.js';
import type { Command, Remote } from '../contract/remote.js';
import type { BackgroundOutcome, ModuleDefinition, ModuleResult } from '../contract/module.js';

/** Where jobs live: Ansible's default async_dir (the variable ansible_async_dir sets another), `~` the home of the user the command runs as. */
export const ASYNC_DIR = '~/.ansible_async';
/** Ansible's default seconds between two polls. */
export const DEFAULT_POLL = 15;

/** A job id like Ansible's (`j<12 digits>.<n>`): letters, digits and a dot only, so it is safe in a path. */
export function newJobId(random: () => number = Math.random): string {
  const digits = Array.from({ length: 12 }, () => Math.floor(random() * 10)).join('');
  return `j${digits}.${Math.floor(random() * 100000)}`;
}

/** A job id as async_status accepts it: no path tricks (it names a file under the job folder). */
export function validJobId(jid: string): boolean {
  return /^[A-Za-z0-9._-]+$/.test(jid) && jid !== '.' && jid !== '..';
}

/**
 * When the watchdog kills a job, on Ansible's schedule: its wrapper sleeps 5 s, then checks every
 * 5 s, counting the limit down by 5 each time, and kills when it reaches 0. So a polling task fails
 * on its own clock at `async` seconds (with the job still running, as under Ansible), and the job is
 * killed a little later.
 */
export function watchdogSeconds(limit: number): number {
  const step = 5;
  return step + Math.max(1, Math.ceil(Math.max(1, Math.floor(limit)) / step)) * step;
}

/** The job's command as one shell word list (an argv quoted, a script given to sh -c). */
function commandLine(command: Command): string {
  return 'argv' in command ? shellJoin(command.argv) : `sh -c ${shellQuote(command.script)}`;
}

const DATE = `date -u +%Y-%m-%dT%H:%M:%S.%3NZ`;

/**
 * The detached wrapper: records the start, arms the watchdog (it kills the whole process group and
 * leaves <jid>.timeout after $2 seconds), runs the command with its output on files, then
 * writes <jid>.rc atomically. $1 is the job's path prefix, $2 the watchdog's seconds.
 */
function wrapperScript(command: Command, cwd: string | undefined): string {
  const run = cwd === undefined ? `(exec ${commandLine(command)})` : `(cd ${shellQuote(cwd)} && exec ${commandLine(command)})`;
  return [
    'j=$1',
    `${DATE} > "$j.start"`,
    `( trap 'kill $s 2>/dev/null; exit 0' TERM; sleep "$2" & s=$!; wait $s; : > "$j.timeout"; kill -KILL -$$ ) &`,
    'w=$!',
    `${run} < /dev/null > "$j.out" 2> "$j.err"`,
    'rc=$?',
    'kill $w 2>/dev/null',
    `printf '%s %s\\n' "$rc" "$(${DATE})" > "$j.rc.tmp" && mv "$j.rc.tmp" "$j.rc"`,
  ].join('\n');
}

/** The status file Ansible's wrapper writes first. */
function startedRecord(jid: string): string {
  return JSON.stringify({ started: 1, finished: 0, ansible_job_id: jid });
}

/** Prints the job folder (so the controller can later write into it) after creating it. */
function jobDir(asyncDir: string): string {
  return `umask 077; d=${hostPathWord(asyncDir)}; mkdir -p "$d" || exit 1; printf '%s\\n' "$d"`;
}

/**
 * What a job is: a command left running on the host; a result already known; or work the controller
 * drives (a module of several steps): its status file says "started" until the controller writes the
 * module's result there.
 */
export type JobStart = { command: Command; cwd?: string } | { result: ModuleResult } | { controller: true };

/**
 * The script that starts a job and returns at once. Its standard input is the job record
 * (<jid>.job). `result` instead of a command: nothing has to run, the job is recorded as done;
 * `controller`: only the status file, "started".
 */
export function startScript(jid: string, limitSeconds: number, job: JobStart, asyncDir = ASYNC_DIR): string {
  const j = `"$d"/${jid}`;
  const lines = [jobDir(asyncDir), `cat > ${j}.job`];
  if ('controller' in job) {
    lines.push(`printf '%s\\n' ${shellQuote(startedRecord(jid))} > ${j}.tmp && mv ${j}.tmp ${j}`);
  } else if ('result' in job) {
    lines.push(`printf '%s\\n' ${shellQuote(JSON.stringify(job.result))} > ${j}.tmp && mv ${j}.tmp ${j}`);
  } else {
    lines.push(
      `printf '%s\\n' ${shellQuote(startedRecord(jid))} > ${j}.tmp && mv ${j}.tmp ${j}`,
      `setsid sh -c ${shellQuote(wrapperScript(job.command, job.cwd))} haweb-async ${j} ${watchdogSeconds(limitSeconds)} < /dev/null > /dev/null 2>&1 &`,
    );
  }
  return lines.join('\n');
}

/** Prints the job folder, then each of the job's files that exists as `<suffix> <base64>` lines. */
export function readScript(jid: string, asyncDir = ASYNC_DIR): string {
  return [
    jobDir(asyncDir),
    `for f in '' .job .start .rc .timeout .out .err; do`,
    `  if [ -e "$d/${jid}$f" ]; then printf 'f%s ' "$f"; base64 -w0 < "$d/${jid}$f"; echo; fi`,
    'done',
  ].join('\n');
}

/** Removes the job's files; prints the job folder, then `missing` when there was no such job. */
export function cleanupScript(jid: string, asyncDir = ASYNC_DIR): string {
  return `${jobDir(asyncDir)}\n[ -e "$d/${jid}" ] || { echo missing; exit 0; }\nrm -f "$d/${jid}" "$d/${jid}".*`;
}

export interface JobFiles {
  dir: string;
  /** Suffix ('' for the status file, '.rc', '.out', ...) to content. */
  files: Map<string, string>;
}

/** Parses readScript's output (pure). */
export function parseJobFiles(stdout: string): JobFiles {
  const [dir, ...rest] = stdout.split('\n');
  const files = new Map<string, string>();
  for (const line of rest) {
    const m = /^f(\S*) ?(.*)$/.exec(line);
    if (m) files.set(m[1], Buffer.from(m[2], 'base64').toString('utf8'));
  }
  return { dir: dir.trim(), files };
}

/** What the job's files say. */
export type JobState =
  | { state: 'missing' }
  | { state: 'running' }
  /** The status file holds the final result already. */
  | { state: 'final'; result: ModuleResult }
  /** The command ended: the module still has to turn its outcome into a result. */
  | { state: 'ended'; module: string; args: unknown; outcome: BackgroundOutcome }
  | { state: 'timedout' }
  | { state: 'broken'; reason: string };

/** The state of a job from its files (pure). */
export function jobState(files: Map<string, string>): JobState {
  const status = files.get('');
  if (status === undefined) return { state: 'missing' };
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(status) as Record<string, unknown>;
  } catch {
    return status.trim() === '' ? { state: 'running' } : { state: 'broken', reason: `could not parse job output: ${status}` };
  }
  if (!('started' in data)) return { state: 'final', result: data as ModuleResult };
  const rc = files.get('.rc');
  if (rc !== undefined) {
    const m = /^(-?\d+) (\S+)/.exec(rc);
    if (!m) return { state: 'broken', reason: `bad exit record: ${JSON.stringify(rc)}` };
    let job: { module: string; args: unknown };
    try {
      job = JSON.parse(files.get('.job') ?? '') as { module: string; args: unknown };
    } catch {
      return { state: 'broken', reason: 'the job record (.job) is missing or unreadable' };
    }
    const start = (files.get('.start') ?? '').trim() || m[2];
    return {
      state: 'ended',
      module: job.module,
      args: job.args,
      outcome: { rc: Number(m[1]), stdout: files.get('.out') ?? '', stderr: files.get('.err') ?? '', start, end: m[2] },
    };
  }
  if (files.has('.timeout')) return { state: 'timedout' };
  return { state: 'running' };
}

/** The first result of a job left running (`poll: 0`), as Ansible gives it (its `failed` is 0). */
export function startedResult(jid: string, dir: string): ModuleResult {
  return { changed: true, failed: 0 as unknown as boolean, started: 1, finished: 0, ansible_job_id: jid, results_file: `${dir}/${jid}` };
}

/**
 * async_status's answer as Ansible's action builds it: empty output fields and the job's path under
 * what the job's files say (status: `results_file` and `started: 1`; cleanup: `erased`).
 */
export function statusResult(jid: string, path: string, mode: 'status' | 'cleanup', data: Record<string, unknown>): ModuleResult {
  const base = { started: mode === 'status' ? 1 : 0, finished: 0, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [], ansible_job_id: jid };
  const where = mode === 'status' ? { results_file: path } : { erased: path };
  return { changed: false, ...base, ...where, ...data } as ModuleResult;
}

/** Starts a job on the host; returns the job folder. */
export async function startJob(
  remote: Remote,
  become: boolean,
  jid: string,
  limitSeconds: number,
  record: { module: string; args: unknown },
  job: JobStart,
  asyncDir = ASYNC_DIR,
): Promise<string> {
  const r = await remote.run({ script: startScript(jid, limitSeconds, job, asyncDir) }, { become, stdin: JSON.stringify(record) });
  if (r.code !== 0) throw new Error(`could not start the background job: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
  return r.stdout.trim();
}

/**
 * async_status on a host: the job's result as Ansible's async_status gives it (`finished` 0 or 1,
 * `ansible_job_id`), with a finished job's module result built once and stored in its status file.
 */
export async function jobStatus(
  remote: Remote,
  become: boolean,
  jid: string,
  lookup: (module: string) => ModuleDefinition | undefined,
  asyncDir = ASYNC_DIR,
): Promise<ModuleResult> {
  const r = await remote.run({ script: readScript(jid, asyncDir) }, { become });
  if (r.code !== 0) throw new Error(`could not read job ${jid}: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
  const { dir, files } = parseJobFiles(r.stdout);
  const path = `${dir}/${jid}`;
  const answer = (data: Record<string, unknown>) => statusResult(jid, path, 'status', data);
  const st = jobState(files);
  switch (st.state) {
    case 'missing':
      return answer({ failed: true, msg: 'could not find job', started: 1, finished: 1 });
    case 'running':
      return answer({ started: 1, finished: 0 });
    case 'broken':
      return answer({ failed: true, msg: st.reason, started: 1, finished: 1 });
    case 'timedout':
      // What Ansible's wrapper records when its watchdog kills the job.
      return answer({ failed: true, msg: 'Timeout exceeded', finished: 1 });
    case 'final':
      return answer({ ...fromStatusFile(st.result), finished: 1 });
    case 'ended': {
      const module = lookup(st.module);
      if (!module?.background) throw new Error(`job ${jid} was started by module "${st.module}", which cannot finish background jobs`);
      const result = (module as ModuleDefinition<never>).background!.finish(st.args as never, st.outcome);
      // Stored as Ansible's wrapper stores a module's result: later reads give the same answer.
      await remote.writeFile(path, JSON.stringify(result) + '\n', { mode: '0600', become });
      return answer({ ...result, finished: 1 });
    }
  }
}

/**
 * A result read back from a status file: a `diff` that is not text pairs is Ansible's own shape (file's
 * dict), kept as `ansibleDiff` (registered as `diff`), so the reporter sees only pairs.
 */
export function fromStatusFile(result: ModuleResult): ModuleResult {
  if (result.diff === undefined || Array.isArray(result.diff)) return result;
  const { diff, ...rest } = result;
  return { ...rest, ansibleDiff: diff };
}

/** async_status mode=cleanup: the job's files removed. */
export async function cleanupJob(remote: Remote, become: boolean, jid: string, asyncDir = ASYNC_DIR): Promise<ModuleResult> {
  const r = await remote.run({ script: cleanupScript(jid, asyncDir) }, { become });
  if (r.code !== 0) throw new Error(`could not remove job ${jid}: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
  const [dir, missing] = r.stdout.split('\n');
  const path = `${dir.trim()}/${jid}`;
  if (missing?.trim() === 'missing') return statusResult(jid, path, 'cleanup', { failed: true, msg: 'could not find job', started: 1, finished: 1 });
  return statusResult(jid, path, 'cleanup', {});
}

/** The module name the executor answers itself (the module package holds its argument spec). */
export const ASYNC_STATUS = 'async_status';

/** A result async_status reports as the end of polling (Ansible's test in its poll loop). */
export function pollIsOver(result: ModuleResult): boolean {
  return Number(result.finished ?? 0) === 1 || result.failed === true || 'skipped' in result;
}
