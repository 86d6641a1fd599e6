/**
 * One SysV init script template for the daemons the installers put on hosts (vrrpd and a
 * source-built keepalived, whose 2.x tarball ships only a Red Hat script that needs
 * /etc/rc.d/init.d/functions, so none usable on Debian). It carries both header kinds: the
 * chkconfig lines RHEL's chkconfig reads and the LSB block Debian's update-rc.d/insserv reads.
 * Actions and exit codes follow the LSB: start/stop are idempotent (0 when already in the state),
 * status answers 0 running, 1 dead with a pid file, 3 stopped; reload of a stopped daemon is 7;
 * an unknown action is 2; a missing binary is 5, a missing or invalid config 6.
 */
export interface InitScriptSpec {
  /** Service name: /etc/init.d/<name>. */
  name: string;
  shortDescription: string;
  description: string;
  /** The daemon binary (it forks into the background and writes pidFile itself). */
  daemon: string;
  /** Arguments after the options variable, already shell words (values quoted by the caller). */
  args: string;
  pidFile: string;
  configFile: string;
  /** Command (shell words) that validates the config; run before reload/restart. */
  configTest?: string;
  /** Defaults file sourced for the options variable (/etc/default/<name> or /etc/sysconfig/<name>). */
  defaultsFile: string;
  /** Variable the defaults file may set with extra daemon options (e.g. KEEPALIVED_OPTIONS). */
  optionsVar: string;
  /** Text that must appear in the process's command line for the pid to count as ours. */
  processMatch: string;
  /** Seconds to wait after SIGTERM before SIGKILL (the VRRP daemons give up the VIP on TERM). */
  stopTimeoutSeconds: number;
  /** chkconfig start/stop priorities. */
  startPriority: number;
  stopPriority: number;
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const OPTIONS_VAR = /^[A-Z_][A-Z0-9_]*$/;

function sq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function renderInitScript(s: InitScriptSpec): string {
  if (!NAME.test(s.name)) throw new Error(`service name ${JSON.stringify(s.name)} is not valid`);
  if (!OPTIONS_VAR.test(s.optionsVar)) throw new Error(`options variable ${JSON.stringify(s.optionsVar)} is not valid`);
  for (const text of [s.shortDescription, s.description]) {
    if (text.includes('\n')) throw new Error('init script descriptions must be one line');
  }
  return `#!/bin/sh
# chkconfig: 2345 ${s.startPriority} ${s.stopPriority}
# description: ${s.description}
# processname: ${s.name}
# pidfile: ${s.pidFile}
### BEGIN INIT INFO
# Provides:          ${s.name}
# Required-Start:    $network $remote_fs $syslog
# Required-Stop:     $network $remote_fs $syslog
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: ${s.shortDescription}
# Description:       ${s.description}
### END INIT INFO
# Managed by haweb: local edits are replaced on the next run.

NAME=${sq(s.name)}
DAEMON=${sq(s.daemon)}
PIDFILE=${sq(s.pidFile)}
CONFIG=${sq(s.configFile)}
MATCH=${sq(s.processMatch)}
STOP_TIMEOUT=${s.stopTimeoutSeconds}
${s.optionsVar}=""
[ -r ${sq(s.defaultsFile)} ] && . ${sq(s.defaultsFile)}

PATH=/sbin:/usr/sbin:/bin:/usr/bin:/usr/local/sbin:/usr/local/bin
export PATH

read_pid() {
    pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
    case "$pid" in ''|*[!0-9]*) return 1 ;; esac
    echo "$pid"
}

# Alive = exists and is not a zombie waiting to be reaped.
alive() {
    state=$(sed -n 's/^.*) \\(.\\).*/\\1/p' /proc/"$1"/stat 2>/dev/null)
    [ -n "$state" ] && [ "$state" != Z ]
}

# Running = the pid file names a live process whose command line is ours (pids get reused).
is_running() {
    pid=$(read_pid) || return 1
    alive "$pid" || return 1
    tr '\\000' ' ' < /proc/"$pid"/cmdline 2>/dev/null | grep -qF -- "$MATCH"
}

config_test() {
${s.configTest ? `    ${s.configTest} >/dev/null 2>&1 || { echo "$NAME: $CONFIG is not valid:"; ${s.configTest} 2>&1 | head -20; return 6; }` : '    return 0'}
}

do_start() {
    if is_running; then echo "$NAME is already running (pid $(read_pid))"; return 0; fi
    [ -x "$DAEMON" ] || { echo "$NAME: $DAEMON is not installed"; return 5; }
    [ -r "$CONFIG" ] || { echo "$NAME: $CONFIG is missing"; return 6; }
    rm -f "$PIDFILE"
    echo "Starting $NAME"
    "$DAEMON" $${s.optionsVar} ${s.args} || { echo "$NAME failed to start"; return 1; }
    i=0
    while [ "$i" -lt 100 ]; do
        is_running && return 0
        sleep 0.1
        i=$((i + 1))
    done
    echo "$NAME did not come up (no live pid in $PIDFILE)"
    return 1
}

do_stop() {
    if ! is_running; then rm -f "$PIDFILE"; echo "$NAME is not running"; return 0; fi
    pid=$(read_pid)
    echo "Stopping $NAME"
    kill -TERM "$pid" 2>/dev/null
    i=0
    while [ "$i" -lt $((STOP_TIMEOUT * 10)) ]; do
        alive "$pid" || { rm -f "$PIDFILE"; return 0; }
        sleep 0.1
        i=$((i + 1))
    done
    echo "$NAME did not stop in $STOP_TIMEOUT s: killing pid $pid"
    kill -KILL "$pid" 2>/dev/null
    rm -f "$PIDFILE"
    return 0
}

do_reload() {
    is_running || { echo "$NAME is not running"; return 7; }
    config_test || return 6
    echo "Reloading $NAME"
    kill -HUP "$(read_pid)"
}

do_status() {
    if is_running; then echo "$NAME is running (pid $(read_pid))"; return 0; fi
    if [ -e "$PIDFILE" ]; then echo "$NAME is dead but $PIDFILE exists"; return 1; fi
    echo "$NAME is stopped"
    return 3
}

case "$1" in
    start) do_start ;;
    stop) do_stop ;;
    restart) config_test || exit 6; do_stop; do_start ;;
    try-restart|condrestart) if is_running; then config_test || exit 6; do_stop; do_start; fi ;;
    reload) do_reload ;;
    force-reload) if is_running; then do_reload; else do_start; fi ;;
    status) do_status ;;
    configtest) config_test ;;
    *) echo "Usage: $0 {start|stop|restart|try-restart|reload|force-reload|status|configtest}" >&2; exit 2 ;;
esac
exit $?
`;
}
