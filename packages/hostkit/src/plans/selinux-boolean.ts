/**
 * SELinux booleans as Ansible's seboolean module (ansible.posix) reads and sets them, through
 * libselinux's and policycoreutils' tools instead of their Python bindings: whether SELinux is on
 * (selinuxenabled), the runtime value (getsebool), the persistent value of the policy store (the
 * second value of `semanage boolean -l`), and the change (`setsebool [-P]`). Pure parsers; one fact.
 */
import { shellQuote, type Fact } from '@haweb/core';
import { outputSections } from '../util/sections.js';

const MARK = '@@haweb-sebool@@';

export interface SebooleanFacts {
  /** getsebool and setsebool are there (libselinux's tools). */
  tools: boolean;
  /** selinuxenabled exited 0. */
  enabled: boolean;
  /** The runtime value (getsebool), undefined when the boolean does not exist. */
  runtime?: boolean;
  /** The persistent value (semanage boolean -l), undefined when semanage is missing or silent. */
  persistent?: boolean;
  /** semanage is there (policycoreutils-python-utils). */
  semanage: boolean;
}

/** `getsebool NAME` prints `NAME --> on`; anything else (an error) means no such boolean. */
export function parseGetsebool(out: string, name: string): boolean | undefined {
  const m = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+-->\\s+(on|off)\\s*$`, 'm').exec(out);
  return m ? m[1] === 'on' : undefined;
}

/** `semanage boolean -l` prints `NAME (current , persistent) description`: the persistent value. */
export function parseSemanageBooleans(out: string, name: string): boolean | undefined {
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+\(\s*(on|off)\s*,\s*(on|off)\s*\)/.exec(line);
    if (m && m[1] === name) return m[3] === 'on';
  }
  return undefined;
}

/** The command that sets a boolean (persistently: -P writes the policy store and the runtime value). */
export function setseboolArgv(name: string, value: boolean, persistent: boolean): string[] {
  return ['setsebool', ...(persistent ? ['-P'] : []), name, value ? 'on' : 'off'];
}

export const sebooleanState: Fact<{ name: string; persistent: boolean }, SebooleanFacts> = {
  name: 'seboolean.state',
  command({ name, persistent }) {
    const n = shellQuote(name);
    return [
      'PATH="$PATH:/usr/sbin:/sbin"; export PATH',
      'if ! command -v getsebool >/dev/null 2>&1 || ! command -v setsebool >/dev/null 2>&1; then exit 0; fi',
      `echo ${MARK}tools`,
      `if selinuxenabled 2>/dev/null; then echo ${MARK}enabled; fi`,
      `echo ${MARK}getsebool; getsebool ${n} 2>&1`,
      ...(persistent ? [`if command -v semanage >/dev/null 2>&1; then echo ${MARK}semanage; semanage boolean -l 2>/dev/null | grep -E "^"${n}"[[:space:]]"; fi`] : []),
      'exit 0',
    ].join('\n');
  },
  parse(stdout, _code, { name }) {
    const s = outputSections(stdout, MARK);
    return {
      tools: s.has('tools'),
      enabled: s.has('enabled'),
      runtime: parseGetsebool(s.get('getsebool') ?? '', name),
      semanage: s.has('semanage'),
      persistent: s.has('semanage') ? parseSemanageBooleans(s.get('semanage') ?? '', name) : undefined,
    };
  },
};
