/**
 * debconf answers as Ansible's debconf module reads and sets them: `debconf-show <package>` parsed
 * into question -> value (the `*` of asked questions dropped), a question changed when it is missing
 * or its value differs (booleans compared without case), set with `debconf-set-selections [-u]`.
 * Both tools come with debconf itself. Pure parser and plan; one fact.
 */
import { shellQuote, type Fact } from '@haweb/core';
import { outputSections } from '../util/sections.js';

/** Ansible's get_selections on debconf-show's output. */
export function parseDebconfShow(out: string): Record<string, string> {
  const selections: Record<string, string> = {};
  for (const line of out.split(/\r\n|\n|\r/)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    selections[line.slice(0, i).replace(/^\*+|\*+$/g, '').trim()] = line.slice(i + 1).trim();
  }
  return selections;
}

/** Whether setting question to value changes anything (Ansible's comparison). */
export function debconfChanges(prev: Record<string, string>, question: string, vtype: string, value: string): boolean {
  if (!(question in prev)) return true;
  return vtype === 'boolean' ? value.toLowerCase() !== prev[question].toLowerCase() : value !== prev[question];
}

/** The line debconf-set-selections reads (booleans True/False as true/false, as Ansible writes them). */
export function debconfSelection(pkg: string, question: string, vtype: string, value: string): string {
  const v = vtype === 'boolean' && value === 'True' ? 'true' : vtype === 'boolean' && value === 'False' ? 'false' : value;
  return [pkg, question, vtype, v].join(' ');
}

const MARK = '@@haweb-debconf@@';

export interface DebconfFacts {
  /** debconf-show is there. */
  tool: boolean;
  rc: number;
  stdout: string;
  stderr: string;
}

/** `debconf-show <package>` (the package name split on spaces, as Ansible's command string is). */
export const debconfState: Fact<{ pkg: string }, DebconfFacts> = {
  name: 'debconf.state',
  command({ pkg }) {
    const args = pkg.split(' ').filter(Boolean).map(shellQuote).join(' ');
    return [
      'PATH="$PATH:/usr/sbin:/sbin"; export PATH',
      'if ! command -v debconf-show >/dev/null 2>&1; then exit 0; fi',
      `echo ${MARK}tool; e=$(mktemp); o=$(debconf-show ${args} 2>"$e"); rc=$?`,
      `echo ${MARK}rc; echo "$rc"; echo ${MARK}stderr; cat "$e"; rm -f "$e"; echo ${MARK}stdout; printf '%s\\n' "$o"`,
      'exit 0',
    ].join('\n');
  },
  parse(stdout) {
    const s = outputSections(stdout, MARK);
    return { tool: s.has('tool'), rc: Number((s.get('rc') ?? '0').trim()), stdout: s.get('stdout') ?? '', stderr: s.get('stderr') ?? '' };
  },
};
