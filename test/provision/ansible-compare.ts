/**
 * Runs one playbook twice on the same lab hosts, once with `provision` and once with Debian's
 * `ansible-playbook`, and returns what each left behind: the recap, which host ran which task with
 * which status (in order), and the files the playbook wrote under KW_DIR on each host. A test then
 * asserts both are the same, and what they are.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/cli/dist/provision.js');
const LAB_CLI = join(ROOT, 'packages/lab/dist/cli.js');
export const FIXTURES = join(ROOT, 'test/provision/fixtures/keywords');
/** Where the keyword playbooks write what they observed, on every host. */
export const KW_DIR = '/tmp/haweb-kw';

export interface Lab {
  name: string;
  hosts: { name: string; address: string }[];
  inventory: string;
}

export function labFromName(name: string): Lab {
  const dir = `/var/lib/haweb/lab/${name}`;
  const state = JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8'));
  return { name, hosts: state.hosts, inventory: join(dir, 'inventory.yml') };
}

export interface Stats {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export interface RunRecord {
  code: number | null;
  stats: Record<string, Stats>;
  /** `task name: host=status` lines in run order, one line per task (hosts sorted). */
  tasks: string[];
  /** host → file name → content (JSON files parsed). */
  files: Record<string, Record<string, unknown>>;
  output: string;
}

export function onHost(lab: Lab, host: string, script: string): string {
  return execFileSync(process.execPath, [LAB_CLI, 'exec', '--name', lab.name, host, '--', 'sh', '-c', script], { encoding: 'utf8' });
}

function resetHosts(lab: Lab): void {
  for (const h of lab.hosts) onHost(lab, h.name, `rm -rf ${KW_DIR} && mkdir -p ${KW_DIR}`);
}

function collectFiles(lab: Lab): RunRecord['files'] {
  const out: RunRecord['files'] = {};
  for (const h of lab.hosts) {
    const text = onHost(lab, h.name, `cd ${KW_DIR} && for f in $(ls -A | sort); do printf '\\n=== %s\\n' "$f"; cat "$f"; done`);
    const files: Record<string, unknown> = {};
    for (const part of text.split('\n=== ').slice(1)) {
      const nl = part.indexOf('\n');
      const name = nl < 0 ? part : part.slice(0, nl);
      const content = nl < 0 ? '' : part.slice(nl + 1);
      files[name] = name.endsWith('.json') ? JSON.parse(content) : content;
    }
    out[h.name] = files;
  }
  return out;
}

const STATUS_OF: Record<string, string> = { ok: 'ok', changed: 'changed', failed: 'failed', skipped: 'skipped', unreachable: 'unreachable' };

/** A diff was reported for the task (a non-empty list, or one before/after pair). */
function shownDiff(diff: unknown): boolean {
  if (Array.isArray(diff)) return diff.length > 0;
  return typeof diff === 'object' && diff !== null && Object.keys(diff).length > 0;
}

function taskLine(name: string, hosts: Record<string, string>): string {
  return `${name}: ${Object.keys(hosts).sort().map((h) => `${h}=${hosts[h]}`).join(' ')}`;
}

export function runProvision(lab: Lab, playbook: string, args: string[] = [], env: Record<string, string> = {}): RunRecord {
  resetHosts(lab);
  const r = spawnSync(process.execPath, [CLI, 'run', join(FIXTURES, playbook), '-i', lab.inventory, '--json', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, NO_COLOR: '1', HAWEB_KW_ENV: 'from-controller', ...env },
  });
  let doc: {
    stats: Record<string, Stats>;
    plays: { tasks: { name: string; hosts: Record<string, { status: string; diff?: unknown }> }[] }[];
  };
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new Error(`provision printed no JSON (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  const tasks = doc.plays.flatMap((p) =>
    p.tasks.map((t) => taskLine(t.name, Object.fromEntries(Object.entries(t.hosts).map(([h, v]) => [h, v.status + (shownDiff(v.diff) ? '+diff' : '')])))),
  );
  return { code: r.status, stats: doc.stats, tasks, files: collectFiles(lab), output: r.stdout + r.stderr };
}

export function runAnsible(lab: Lab, playbook: string, args: string[] = [], env: Record<string, string> = {}): RunRecord {
  resetHosts(lab);
  const r = spawnSync('ansible-playbook', ['-i', lab.inventory, join(FIXTURES, playbook), ...args], {
    cwd: FIXTURES,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, HAWEB_KW_ENV: 'from-controller', ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_PYTHON_INTERPRETER: 'auto_silent', ANSIBLE_PIPELINING: 'True', ...env },
  });
  let doc: {
    stats: Record<string, { ok: number; changed: number; unreachable: number; failures: number; skipped: number; rescued: number; ignored: number }>;
    plays: { tasks: { task: { name: string }; hosts: Record<string, { changed?: boolean; failed?: boolean; skipped?: boolean; unreachable?: boolean; diff?: unknown }> }[] }[];
  };
  try {
    doc = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  } catch {
    throw new Error(`ansible-playbook printed no JSON (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  const stats: Record<string, Stats> = {};
  for (const [h, s] of Object.entries(doc.stats)) {
    stats[h] = { ok: s.ok, changed: s.changed, unreachable: s.unreachable, failed: s.failures, skipped: s.skipped, rescued: s.rescued, ignored: s.ignored };
  }
  const status = (v: { changed?: boolean; failed?: boolean; skipped?: boolean; unreachable?: boolean; diff?: unknown }): string => {
    if (v.unreachable) return STATUS_OF.unreachable;
    if (v.failed) return 'failed';
    if (v.skipped) return 'skipped';
    return (v.changed ? 'changed' : 'ok') + (shownDiff(v.diff) ? '+diff' : '');
  };
  const tasks = doc.plays.flatMap((p) =>
    p.tasks.map((t) => taskLine(t.task.name, Object.fromEntries(Object.entries(t.hosts).map(([h, v]) => [h, status(v)])))),
  );
  return { code: r.status, stats, tasks, files: collectFiles(lab), output: r.stdout + r.stderr };
}

/** Both runs of one playbook, provision's first (`env`: added to both tools' environment). */
export function compare(lab: Lab, playbook: string, args: string[] = [], env: Record<string, string> = {}): { ours: RunRecord; ansible: RunRecord } {
  const ours = runProvision(lab, playbook, args, env);
  const ansible = runAnsible(lab, playbook, args, env);
  // HAWEB_KW_DUMP=<dir>: keep both records, to see a difference in full.
  if (process.env.HAWEB_KW_DUMP) {
    const name = `${playbook.replace(/\W+/g, '_')}${args.join('_').replace(/\W+/g, '_')}`;
    writeFileSync(join(process.env.HAWEB_KW_DUMP, `${name}.json`), JSON.stringify({ ours, ansible }, null, 2));
  }
  return { ours, ansible };
}

/**
 * What every comparison asserts: the same task lines (Ansible's passed through `ansibleTasks` where a
 * test words them differently on purpose: a role's prefix, a diff shown on ok), the same recap, the
 * same files, the same exit code; `also` names further fields both records carry (the controller's
 * files in delegation), compared before the exit code.
 */
export function expectSame<R extends RunRecord>(
  ours: R,
  ansible: R,
  options: { ansibleTasks?: (lines: string[]) => string[]; also?: Array<Exclude<keyof R, keyof RunRecord>> } = {},
): void {
  expect(ours.tasks).toEqual(options.ansibleTasks ? options.ansibleTasks(ansible.tasks) : ansible.tasks);
  expect(ours.stats).toEqual(ansible.stats);
  expect(ours.files).toEqual(ansible.files);
  for (const key of options.also ?? []) expect(ours[key]).toEqual(ansible[key]);
  expect(ours.code).toBe(ansible.code);
}
