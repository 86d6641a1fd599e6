import { shellQuote, type Fact } from '@haweb/core';

/** nginx's process as seen through its pid file (inside the host's own pid namespace). */
export const nginxRunningFact: Fact<{ pidFile: string }, { running: boolean; pid?: number }> = {
  name: 'nginx_running',
  command({ pidFile }) {
    const f = shellQuote(pidFile);
    return `pid=$(cat ${f} 2>/dev/null); if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q '^nginx' /proc/"$pid"/comm 2>/dev/null; then echo "running $pid"; else echo stopped; fi`;
  },
  parse(stdout) {
    const m = /^running (\d+)/.exec(stdout.trim());
    return m ? { running: true, pid: Number(m[1]) } : { running: false };
  },
};

export type NginxState = 'started' | 'stopped' | 'reloaded' | 'restarted';

/** Pure: the shell to reach a state, or undefined when nothing is to be done. */
export function planNginxControl(state: NginxState, running: boolean, nginx: string, conf: string, pidFile: string): string | undefined {
  const bin = `${shellQuote(nginx)} -c ${shellQuote(conf)}`;
  const waitPid = `i=0; while [ $i -lt 50 ]; do [ -s ${shellQuote(pidFile)} ] && exit 0; sleep 0.1; i=$((i+1)); done; echo 'nginx did not write its pid file' >&2; exit 1`;
  const waitGone = `i=0; while [ $i -lt 100 ]; do [ -e ${shellQuote(pidFile)} ] || break; sleep 0.1; i=$((i+1)); done`;
  switch (state) {
    case 'started':
      return running ? undefined : `${bin} && ${waitPid}`;
    case 'stopped':
      return running ? `${bin} -s quit && ${waitGone}` : undefined;
    case 'reloaded':
      return running ? `${bin} -s reload` : `${bin} && ${waitPid}`;
    case 'restarted':
      return running ? `${bin} -s quit; ${waitGone}; ${bin} && ${waitPid}` : `${bin} && ${waitPid}`;
  }
}
