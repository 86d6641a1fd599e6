/**
 * The health check both VRRP engines run as `vrrp_script chk_nginx { weight -20 }`.
 *
 * The seed's nginx_check.sh restarts a stopped nginx and, if it cannot start, runs `killall
 * keepalived`. This one keeps the first half and replaces the second with an exit status: 0 while
 * nginx runs (or was just started again), 1 when it cannot be started. The VRRP daemon subtracts 20
 * from the node's priority while the check fails (100 - 20 = 80 < the backup's 90), so the backup
 * takes the VIP through an ordinary election and the master gives it up when it hears the higher
 * priority: exactly one node holds the VIP at any time, the daemon keeps running (and keeps
 * checking, so the VIP comes back once nginx does), and no process outside this host is touched
 * (`killall` in a shared pid namespace would hit other nodes' daemons).
 */
export interface NginxCheckSettings {
  /** nginx binary. */
  nginx: string;
  /** nginx's pid file (logs/nginx.pid under the prefix unless nginx.conf says otherwise). */
  pid_file: string;
  /** How long to wait for a restarted nginx to write its pid, in tenths of a second. */
  start_wait_tenths: number;
}

function sq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function renderNginxCheck(s: NginxCheckSettings): string {
  return `#!/bin/sh
# Managed by haweb: nginx health check for the VRRP daemon (vrrp_script, weight -20).
# Exit 0: nginx is running (or was started again). Exit 1: nginx is down and cannot start,
# so this node's priority drops below the backup's and the VIP moves there.
NGINX=${sq(s.nginx)}
PIDFILE=${sq(s.pid_file)}

nginx_running() {
    [ -s "$PIDFILE" ] || return 1
    pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
    case "$pid" in ''|*[!0-9]*) return 1 ;; esac
    kill -0 "$pid" 2>/dev/null || return 1
    # The pid must still be an nginx (pid files survive crashes; pids are reused).
    case "$(cat /proc/"$pid"/comm 2>/dev/null)" in nginx*) return 0 ;; esac
    return 1
}

# In the background, its descriptors closed: the VRRP daemon waits for this check's verdict (and for
# its output pipes to close), and a logger under load takes 5-35 ms that the clients would wait too.
say() { logger -t nginx_check "$1" </dev/null >/dev/null 2>&1 & }

# An nginx that is still exiting: nginx removes its pid file before it closes its listening sockets, so
# a start in that window fails with "Address already in use" and would fail the check (and move the
# VIP) for a restart that works a moment later. Its processes are named exactly nginx (this script is
# nginx_check.sh); \`read\` is a builtin, so the scan forks nothing.
nginx_exiting() {
    for d in /proc/[0-9]*; do
        read -r comm 2>/dev/null < "$d/comm" || continue
        [ "$comm" = nginx ] || continue
        # a zombie holds no socket any more (field 3 of stat; the name in field 2 has no blank here)
        read -r _pid _name state _rest 2>/dev/null < "$d/stat" || continue
        [ "$state" != Z ] && return 0
    done
    return 1
}

nginx_running && exit 0

# Wait (at most 1 s) for an exiting nginx to be gone before starting a new one.
waits=0
while [ "$waits" -lt 50 ] && nginx_exiting; do
    sleep 0.02
    waits=$((waits + 1))
done
nginx_running && exit 0

say "nginx is not running: starting it"
if ! "$NGINX" >/dev/null 2>&1; then
    # nginx itself said it cannot start (bad config, port taken): no point waiting for a pid.
    say "nginx cannot start: failing the check so the VIP moves"
    exit 1
fi
tries=0
while [ "$tries" -lt ${s.start_wait_tenths} ]; do
    nginx_running && exit 0
    sleep 0.1
    tries=$((tries + 1))
done
say "nginx cannot start: failing the check so the VIP moves"
exit 1
`;
}
