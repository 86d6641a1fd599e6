import { exitCodeOf, type HostResultEvent, type HostStats, type RunEvent, type RunSummary } from '../executor/events.js';
import type { SourcePos } from '../model.js';
import type { Reporter } from './reporter.js';

/** A host's result in the JSON document: the executor's event without what the document's nesting says. */
export type JsonHostResult = Omit<HostResultEvent, 'type' | 'task' | 'host'>;

export interface JsonTask {
  name: string;
  module: string;
  kind: 'task' | 'handler' | 'setup';
  role?: string;
  pos?: SourcePos;
  hosts: Record<string, JsonHostResult>;
}

export interface JsonPlay {
  name: string;
  pos?: SourcePos;
  hosts: string[];
  batch?: { index: number; count: number };
  tasks: JsonTask[];
}

/** The `--json` document: everything the run did, for machines. */
export interface JsonDocument {
  playbook: string;
  check: boolean;
  diff: boolean;
  plays: JsonPlay[];
  warnings: string[];
  stats: Record<string, HostStats>;
  failedHosts: string[];
  unreachableHosts: string[];
  durationMs: number;
  exitCode: number;
}

/** Collects events and writes one JSON document when the run ends. */
export class JsonReporter implements Reporter {
  private doc: JsonDocument = {
    playbook: '',
    check: false,
    diff: false,
    plays: [],
    warnings: [],
    stats: {},
    failedHosts: [],
    unreachableHosts: [],
    durationMs: 0,
    exitCode: 0,
  };
  private written = false;

  constructor(private readonly out?: { write(text: string): unknown }) {}

  handle(event: RunEvent): void {
    const play = this.doc.plays[this.doc.plays.length - 1];
    switch (event.type) {
      case 'run-start':
        Object.assign(this.doc, { playbook: event.playbook, check: event.check, diff: event.diff });
        break;
      case 'play-start':
        this.doc.plays.push({ name: event.play, pos: event.pos, hosts: event.hosts, batch: event.batch, tasks: [] });
        break;
      case 'task-start':
        play?.tasks.push({ ...event.task, hosts: {} });
        break;
      case 'host-result': {
        const task = play?.tasks[play.tasks.length - 1];
        if (task) {
          task.hosts[event.host] = {
            status: event.status,
            ignored: event.ignored,
            msg: event.msg,
            diff: event.diff,
            items: event.items,
            result: event.result,
            durationMs: event.durationMs,
          };
        }
        break;
      }
      case 'warning':
        this.doc.warnings.push(event.message);
        break;
      case 'run-end':
        this.finish(event.summary);
        break;
      default:
        break;
    }
  }

  private finish(summary: RunSummary): void {
    Object.assign(this.doc, {
      stats: summary.stats,
      failedHosts: summary.failedHosts,
      unreachableHosts: summary.unreachableHosts,
      durationMs: summary.durationMs,
      exitCode: exitCodeOf(summary),
    });
  }

  document(): JsonDocument {
    return this.doc;
  }

  close(): void {
    if (this.written || !this.out) return;
    this.written = true;
    this.out.write(`${JSON.stringify(this.doc, null, 2)}\n`);
  }
}
