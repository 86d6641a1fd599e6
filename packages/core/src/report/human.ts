import pc from 'picocolors';
import type { HostResultEvent, ItemOutcome, RunEvent, TaskRef } from '../executor/events.js';
import type { SecretMasker } from '../executor/secrets.js';
import { unifiedDiff } from './diff.js';
import { recapRows } from './recap.js';
import type { Reporter } from './reporter.js';

export interface HumanReporterOptions {
  /** Where lines go (process.stdout). */
  out: { write(text: string): unknown; isTTY?: boolean };
  /** Live progress (a status line redrawn in place); defaults to out.isTTY. */
  tty?: boolean;
  /** Colours; defaults to `tty`. */
  color?: boolean;
  /** -v count: 1 shows module messages and stdout, 2 also module logs and progress lines off a TTY. */
  verbosity?: number;
  /** --diff: show unified diffs of changes. */
  diff?: boolean;
  /** Extra masking for text the executor did not produce. */
  masker?: SecretMasker;
  /** Line width of the `TASK [...] ****` banners. */
  width?: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const MAX_STDOUT_LINES = 40;

/** Ansible-like text output: PLAY/TASK banners, a line per host per task, diffs, PLAY RECAP. */
export class HumanReporter implements Reporter {
  private readonly tty: boolean;
  private readonly verbosity: number;
  private readonly c: ReturnType<typeof pc.createColors>;
  private readonly width: number;
  private progress = new Map<string, string>();
  private statusShown = false;
  private spin = 0;
  private timer: NodeJS.Timeout | undefined;
  private check = false;

  constructor(private readonly options: HumanReporterOptions) {
    this.tty = options.tty ?? Boolean(options.out.isTTY);
    this.verbosity = options.verbosity ?? 0;
    this.c = pc.createColors(options.color ?? this.tty);
    this.width = options.width ?? 80;
  }

  private write(text: string): void {
    this.clearStatus();
    const masked = this.options.masker ? this.options.masker.mask(text) : text;
    this.options.out.write(masked.endsWith('\n') ? masked : `${masked}\n`);
    this.drawStatus();
  }

  private banner(kind: string, title: string): string {
    const head = `${kind} [${title}] `;
    return `\n${head}${'*'.repeat(Math.max(3, this.width - head.length))}`;
  }

  handle(event: RunEvent): void {
    switch (event.type) {
      case 'run-start':
        this.check = event.check;
        break;
      case 'play-start': {
        const batch = event.batch ? ` (batch ${event.batch.index}/${event.batch.count})` : '';
        this.write(this.c.bold(this.banner('PLAY', `${event.play}${batch}`)));
        break;
      }
      case 'no-hosts':
        this.write(this.c.magenta(`skipping: ${event.reason}`));
        break;
      case 'task-start': {
        this.endProgress();
        const kind = event.task.kind === 'handler' ? 'RUNNING HANDLER' : 'TASK';
        const where = this.verbosity > 0 && event.task.pos ? this.c.dim(` ${event.task.pos.file}:${event.task.pos.line}`) : '';
        const role = event.task.role ? `${event.task.role} : ` : '';
        this.write(this.c.bold(this.banner(kind, `${role}${event.task.name}`)) + where);
        break;
      }
      case 'host-result':
        this.progress.delete(event.host);
        this.hostResult(event);
        break;
      case 'progress':
        this.onProgress(event.task, event.host, event.message);
        break;
      case 'log':
        if (this.verbosity >= 2) this.write(this.c.dim(`  ${event.host ? `[${event.host}] ` : ''}${event.message}`));
        break;
      case 'warning':
        this.write(this.c.magenta(`[WARNING]: ${event.message}${event.host ? ` (host ${event.host})` : ''}`));
        break;
      case 'play-end':
        this.endProgress();
        break;
      case 'recap':
        this.endProgress();
        this.recap(event.stats);
        break;
      case 'run-end':
        break;
    }
  }

  private statusWord(event: { status: HostResultEvent['status'] }): string {
    switch (event.status) {
      case 'ok':
        return this.c.green('ok');
      case 'changed':
        return this.c.yellow('changed');
      case 'skipped':
        return this.c.cyan('skipping');
      case 'failed':
        return this.c.red('failed');
      case 'unreachable':
        return this.c.red('unreachable');
    }
  }

  private hostResult(e: HostResultEvent): void {
    const lines: string[] = [];
    // Like ansible-playbook: `[web1 -> db1]` when the module ran on a delegated host.
    const host = `[${e.host}${e.delegatedTo !== undefined ? ` -> ${e.delegatedTo}` : ''}]`;
    for (const item of e.items ?? []) lines.push(...this.itemLines(e, item));
    const showMain = !e.items || e.items.length === 0 || e.status === 'failed' || e.status === 'unreachable';
    if (showMain) {
      let line = `${this.statusWord(e)}: ${host}`;
      if (e.status === 'failed' || e.status === 'unreachable' || e.status === 'skipped') {
        if (e.msg) line += `: ${this.colourFor(e.status, oneLine(e.msg))}`;
      } else if (this.verbosity > 0 && e.msg) line += ` => ${oneLine(e.msg)}`;
      if (this.verbosity > 0 || e.durationMs >= 10_000) line += this.c.dim(` (${formatDuration(e.durationMs)})`);
      lines.push(line);
      if (e.ignored) lines.push(this.c.cyan('...ignoring'));
      lines.push(...this.detail(e.result, e.status));
    }
    // The executor sends diffs only where diff mode is on for the task (--diff or the diff keyword).
    if (!e.items || e.items.length === 0) lines.push(...this.diffLines(e.diff));
    this.write(lines.join('\n'));
  }

  private itemLines(e: HostResultEvent, item: ItemOutcome): string[] {
    const host = `[${e.host}${item.delegatedTo !== undefined ? ` -> ${item.delegatedTo}` : ''}]`;
    let line = `${this.statusWord(item)}: ${host} => (item=${truncate(item.label, 80)})`;
    if ((item.status === 'failed' || item.status === 'skipped' || this.verbosity > 0) && item.msg) {
      line += `: ${this.colourFor(item.status, oneLine(item.msg))}`;
    }
    const out = [line, ...this.detail(item.result, item.status)];
    out.push(...this.diffLines(item.diff));
    return out;
  }

  /** stdout/stderr of a command: with -v, or always for a failure (it is usually the reason). */
  private detail(result: Record<string, unknown>, status: string): string[] {
    const out: string[] = [];
    const wanted = this.verbosity > 0 || status === 'failed';
    if (!wanted) return out;
    for (const key of ['stdout', 'stderr'] as const) {
      const text = result[key];
      if (typeof text !== 'string' || text.trim() === '') continue;
      if (status !== 'failed' && this.verbosity === 0) continue;
      const all = text.replace(/\n+$/, '').split('\n');
      const shown = all.length > MAX_STDOUT_LINES ? all.slice(-MAX_STDOUT_LINES) : all;
      out.push(this.c.dim(`  ${key}:${all.length > shown.length ? ` (last ${shown.length} of ${all.length} lines)` : ''}`));
      for (const l of shown) out.push(this.c.dim(`    ${l}`));
    }
    return out;
  }

  private diffLines(diffs: HostResultEvent['diff']): string[] {
    const out: string[] = [];
    for (const d of diffs ?? []) {
      // Ansible prints nothing for a pair without differences (a module's diff on an unchanged run).
      if (d.prepared === undefined && d.before === d.after) continue;
      for (const line of unifiedDiff(d).replace(/\n$/, '').split('\n')) {
        if (line.startsWith('+') && !line.startsWith('+++')) out.push(this.c.green(line));
        else if (line.startsWith('-') && !line.startsWith('---')) out.push(this.c.red(line));
        else if (line.startsWith('@@')) out.push(this.c.cyan(line));
        else out.push(line);
      }
    }
    return out;
  }

  private colourFor(status: string, text: string): string {
    return status === 'failed' || status === 'unreachable' ? this.c.red(text) : text;
  }

  // ---- live progress -------------------------------------------------------------------------

  private onProgress(task: TaskRef, host: string, message: string): void {
    void task;
    const last = message.replace(/\s+$/, '').split('\n').pop() ?? '';
    this.progress.set(host, last);
    if (this.tty) {
      this.timer ??= setInterval(() => {
        this.spin++;
        this.redraw();
      }, 120);
      this.timer.unref?.();
      this.redraw();
    } else if (this.verbosity >= 2) {
      this.write(this.c.dim(`  [${host}] ${last}`));
    }
  }

  private statusLine(): string {
    const entries = [...this.progress.entries()];
    const [host, message] = entries[entries.length - 1];
    const more = entries.length > 1 ? ` (+${entries.length - 1} more)` : '';
    const columns = (this.options.out as { columns?: number }).columns ?? this.width;
    const text = `${SPINNER[this.spin % SPINNER.length]} [${host}]${more} ${message}`;
    const masked = this.options.masker ? this.options.masker.mask(text) : text;
    return truncate(masked, Math.max(20, columns - 1));
  }

  private redraw(): void {
    if (!this.tty) return;
    this.clearStatus();
    this.drawStatus();
  }

  private drawStatus(): void {
    if (!this.tty || this.progress.size === 0) return;
    this.options.out.write(this.c.dim(this.statusLine()));
    this.statusShown = true;
  }

  private clearStatus(): void {
    if (this.statusShown) {
      this.options.out.write('\r\x1b[2K');
      this.statusShown = false;
    }
  }

  private endProgress(): void {
    this.progress.clear();
    this.clearStatus();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  // ---- recap -------------------------------------------------------------------------------

  private recap(stats: Parameters<typeof recapRows>[0]): void {
    const head = `PLAY RECAP${this.check ? ' (check mode: nothing was changed)' : ''} `;
    const lines = [this.c.bold(`\n${head}${'*'.repeat(Math.max(3, this.width - head.length))}`)];
    for (const row of recapRows(stats)) {
      const s = row.stats;
      const colour = s.failed > 0 || s.unreachable > 0 ? this.c.red : s.changed > 0 ? this.c.yellow : this.c.green;
      lines.push(colour(row.text));
    }
    this.write(`${lines.join('\n')}\n`);
  }

  close(): void {
    this.endProgress();
  }
}

function oneLine(text: string): string {
  const first = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return truncate(first.trim(), 400) + (text.trim().includes('\n') ? ' …' : '');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}
