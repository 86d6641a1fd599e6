/**
 * A kernel parameter as ansible.posix.sysctl manages it, as a plan: the value Ansible writes (booleans
 * as 1/0), the sysctl file rewritten Ansible's way (every key=value line normalised, a key's later
 * duplicates dropped, the parameter's line replaced in place or added), whether it sets the running
 * value (`sysctl_set`) and reloads the file (`reload`). Pure.
 */
import type { Step } from '../apply.js';
import { BOOLEAN_FALSE_WORDS, BOOLEAN_TRUE_WORDS } from '@haweb/core';

export interface SysctlArgs {
  name: string;
  value?: string | boolean | number;
  state: 'present' | 'absent';
  reload: boolean;
  sysctlSet: boolean;
  ignoreErrors: boolean;
  file: string;
}

export interface SysctlFacts {
  /** `sysctl -e -n name` output, undefined when it failed (no such key). */
  running?: string;
  /** The sysctl file, undefined when absent. */
  content?: string;
  /** Its permission bits, to keep them when it is rewritten. */
  mode?: number;
}


/** Ansible's _parse_value: booleans (and their words) as 1/0, other strings stripped. */
export function sysctlValue(value: SysctlArgs['value']): string {
  if (value === undefined) return '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  const s = String(value);
  if (BOOLEAN_TRUE_WORDS.includes(s.toLowerCase())) return '1';
  if (BOOLEAN_FALSE_WORDS.includes(s.toLowerCase())) return '0';
  return s.trim();
}

/** The same values word by word (the kernel prints tabs where the file has spaces). */
export function sameSysctlValue(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const x = a.split(/\s+/).filter(Boolean);
  const y = b.split(/\s+/).filter(Boolean);
  return x.length === y.length && x.every((w, i) => w === y[i]);
}

const isSetting = (line: string): boolean => line !== '' && !line.startsWith('#') && !line.startsWith(';') && line.includes('=');

/** key -> value of the file (the last one wins, as Ansible's dict does). */
export function sysctlFileValues(content: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of (content ?? '').split('\n')) {
    const line = raw.trim();
    if (!isSetting(line)) continue;
    const i = line.indexOf('=');
    out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** The file as Ansible rewrites it. */
export function sysctlFileContent(content: string | undefined, name: string, value: string, state: 'present' | 'absent'): string {
  const lines = content === undefined || content === '' ? [] : content.replace(/\n$/, '').split('\n').map((l) => l.trim());
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    if (!isSetting(line)) {
      out.push(line);
      continue;
    }
    const i = line.indexOf('=');
    const k = line.slice(0, i).trim();
    if (seen.has(k)) continue;
    seen.add(k);
    if (k === name) {
      if (state === 'present') out.push(`${k}=${value}`);
    } else out.push(`${k}=${line.slice(i + 1).trim()}`);
  }
  if (!seen.has(name) && state === 'present') out.push(`${name}=${value}`);
  return out.map((l) => `${l}\n`).join('');
}

export interface SysctlPlan {
  changed: boolean;
  steps: Step[];
}

export function sysctlPlan(args: SysctlArgs, facts: SysctlFacts): SysctlPlan {
  const name = args.name.trim();
  const value = sysctlValue(args.value);
  const inFile = sysctlFileValues(facts.content)[name];
  let changed = false;
  let writeFile = false;
  let setRunning = false;
  if (inFile === undefined) {
    if (args.state === 'present') changed = writeFile = true;
  } else if (args.state === 'absent') {
    // Ansible tests the file's value for truth: an empty value counts as absent.
    if (inFile !== '') changed = writeFile = true;
  } else if (inFile !== value) {
    changed = writeFile = true;
  } else if (args.reload && !sameSysctlValue(facts.running, value)) {
    changed = true;
  }
  if (args.sysctlSet && args.state === 'present' && !sameSysctlValue(facts.running, value)) {
    changed = true;
    // Ansible sets only a key the kernel has (an unknown key is left to the reload to report).
    if (facts.running !== undefined) setRunning = true;
  }
  const steps: Step[] = [];
  if (setRunning) {
    const assignment = `${name}=${value}`;
    steps.push({ kind: 'run', argv: ['sysctl', ...(args.ignoreErrors ? ['-e'] : []), '-w', assignment], why: `set ${assignment} in the running kernel` });
  }
  if (writeFile) {
    const mode = facts.mode === undefined ? '0644' : facts.mode.toString(8).padStart(4, '0');
    steps.push({ kind: 'file', path: args.file, content: sysctlFileContent(facts.content, name, value, args.state), mode, why: `${args.state === 'present' ? `set ${name}=${value}` : `remove ${name}`} in ${args.file}` });
  }
  if (changed && args.reload) {
    steps.push({ kind: 'run', argv: ['sysctl', ...(args.ignoreErrors ? ['-e'] : []), '-p', args.file], why: `reload ${args.file}` });
  }
  return { changed, steps };
}
