/**
 * keepalived's process model at the cost of a shell: the vrrpd command claims its pid file and then
 * replaces itself (execv, same pid) with this POSIX sh loop, which starts the Node VRRP worker and
 * watches it. A second Node process as supervisor cost ~50 MB of RSS for a few lines of logic.
 *
 * - SIGTERM/SIGINT: forwarded as SIGTERM (the worker sends priority 0 and removes its VIPs); after
 *   STOP_GRACE seconds, SIGKILL. Then the VIPs still recorded are removed and the pid files go.
 * - SIGHUP (reload), SIGUSR1 (state dump): forwarded.
 * - The worker dies on its own (kill -9, crash): every VIP in the worker's VIP state file (one
 *   "address/prefix interface" per line, written atomically by the worker: its configured VIPs, and any
 *   other address before it adds it; see vip-record.ts) is removed at once with `ip addr del`, and a
 *   new worker is started;
 *   after MAX_EARLY_DEATHS deaths within 10 s of their start inside a minute, it gives up (exit 1).
 * - Worker exit 78: the configuration was refused; VIPs removed, exit 1.
 *
 * Positional parameters: node, worker script, worker options (JSON), main pid file, worker pid file,
 * VIP state file, log mode (console|file|syslog), log file, then V8 flags for the worker.
 */
export const SUPERVISOR_SH = `
node=$1 worker=$2 options=$3 pid_file=$4 vrrp_pid_file=$5 vip_file=$6 log_mode=$7 log_file=$8
shift 8
STOP_GRACE=10 EARLY_DEATH=10 MAX_EARLY_DEATHS=5 EXIT_CONFIG=78

log() {
    case $log_mode in
        console) echo "vrrpd[$$]: $1" >&2 ;;
        file) echo "$(date '+%Y-%m-%dT%H:%M:%S') vrrpd[$$]: $1" >> "$log_file" ;;
        *) logger -t "vrrpd[$$]" -p daemon.notice -- "$1" 2>/dev/null || echo "vrrpd[$$]: $1" >&2 ;;
    esac
}
now() { read -r up _ < /proc/uptime; echo "\${up%.*}"; }
remove_vips() {
    [ -f "$vip_file" ] || return 0
    while read -r addr dev; do
        [ -n "$addr" ] && [ -n "$dev" ] || continue
        ip addr del "$addr" dev "$dev" 2>/dev/null && log "removed VIP $addr dev $dev"
    done < "$vip_file"
    rm -f "$vip_file"
}
remove_pid_file() { [ "$(cat "$1" 2>/dev/null)" = "$2" ] && rm -f "$1"; }

stopped() {
    [ -n "$killer" ] && kill "$killer" 2>/dev/null
    remove_vips
    log "Stopped vrrpd"
    remove_pid_file "$pid_file" "$$"
    exit 0
}

child= stopping=0 killer=
on_stop() {
    [ "$stopping" = 1 ] && return
    stopping=1
    # The worker's priority-0 advert starts the backup's takeover: forward first, log after.
    [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
    log "Stopping vrrpd ($1)"
    [ -n "$child" ] || return
    # The watchdog takes its sleep down with it when cancelled, so nothing outlives the supervisor.
    ( trap 'kill "$s" 2>/dev/null; exit 0' TERM; sleep "$STOP_GRACE" & s=$!; wait "$s" && kill -KILL "$child" 2>/dev/null ) &
    killer=$!
}
trap 'on_stop SIGTERM' TERM
trap 'on_stop SIGINT' INT
trap '[ -n "$child" ] && log "Reloading: forwarding SIGHUP to the VRRP child process" && kill -HUP "$child" 2>/dev/null' HUP
trap '[ -n "$child" ] && kill -USR1 "$child" 2>/dev/null' USR1

deaths=
while :; do
    started=$(now)
    "$node" "$@" "$worker" "$options" &
    child=$!
    log "Starting VRRP child process, pid=$child"
    echo "$child" > "$vrrp_pid_file.tmp" && mv -f "$vrrp_pid_file.tmp" "$vrrp_pid_file"
    # wait returns early (status > 128) when a trapped signal arrives; wait again while the worker lives.
    while :; do
        wait "$child"
        code=$?
        kill -0 "$child" 2>/dev/null || break
    done
    remove_pid_file "$vrrp_pid_file" "$child"
    [ "$stopping" = 1 ] && stopped
    if [ "$code" = "$EXIT_CONFIG" ]; then
        log "VRRP child process refused its configuration; stopping"
        remove_vips
        remove_pid_file "$pid_file" "$$"
        exit 1
    fi
    log "VRRP child process($child) died (status $code); removing VIPs and respawning"
    remove_vips
    t=$(now)
    [ $((t - started)) -lt "$EARLY_DEATH" ] && deaths="$deaths $t"
    recent= n=0
    for d in $deaths; do [ $((t - d)) -le 60 ] && recent="$recent $d" && n=$((n + 1)); done
    deaths=$recent
    if [ "$n" -ge "$MAX_EARLY_DEATHS" ]; then
        log "VRRP child process died $n times within a minute; giving up"
        remove_pid_file "$pid_file" "$$"
        exit 1
    fi
    [ "$n" -gt 1 ] && sleep 1
    [ "$stopping" = 1 ] && stopped
done
`;
