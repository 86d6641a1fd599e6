/** A kernel parameter's running value and the sysctl file that sets it: one command, a pure parser. */
import { shellQuote, type Fact } from '@haweb/core';
import type { SysctlFacts } from '../plans/sysctl.js';
import { outputSections } from '../util/sections.js';

const MARK = '@@haweb-sysctl@@';

export const sysctlState: Fact<{ name: string; file: string }, SysctlFacts> = {
  name: 'sysctl.state',
  command({ name, file }) {
    const f = shellQuote(file);
    return [
      'PATH="$PATH:/sbin:/usr/sbin"; export PATH',
      `if v=$(LANG=C LC_ALL=C sysctl -e -n ${shellQuote(name)} 2>/dev/null); then echo ${MARK}running; printf '%s\\n' "$v"; fi`,
      `if [ -f ${f} ]; then echo ${MARK}mode; stat -c %a ${f}; echo ${MARK}content; cat ${f}; fi`,
      'exit 0',
    ].join('\n');
  },
  parse(stdout) {
    const sections = outputSections(stdout, MARK);
    const running = sections.get('running');
    return {
      running: running === undefined ? undefined : running.replace(/\n$/, ''),
      content: sections.get('content'),
      mode: sections.has('mode') ? parseInt(sections.get('mode')!.trim(), 8) : undefined,
    };
  },
};
