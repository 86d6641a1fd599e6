#!/bin/bash
# Supervisor of one lab host: reads the host's console into its boot log, boots the host, and boots it
# again when the host reboots through its own init or its PID 1 is killed (`lab reboot`).
# sysvinit hosts (LAB_INIT=sysvinit): boot-stage.sh under unshare; `reboot` inside ends init with SIGHUP
# (exit 129), `halt` with SIGINT (130). systemd hosts (LAB_INIT=systemd): boot-nspawn.sh under
# systemd-nspawn; `systemctl reboot` makes nspawn exit 133, `systemctl poweroff` exits 0.
# Stops on SIGTERM (killing the host's PID 1 first), when the host halts, or after repeated failed boots.
# Usage: supervisor.sh HOST_DIR   (HOST_DIR/host.env holds the LAB_* settings written by the lab)
set -uo pipefail
dir=$1
# shellcheck source=/dev/null
set -a
source "$dir/host.env"
set +a
: "${LAB_NETNS:?}" "${LAB_ADDRESS:?}" "${LAB_PREFIX:?}" "${LAB_GATEWAY:?}" "${LAB_STAGE:?}" "${LAB_CONSOLE:?}"
init_kind=${LAB_INIT:-sysvinit}

log() { printf '%(%Y-%m-%dT%H:%M:%S)T haweb-supervisor: %s\n' -1 "$*" >> "$dir/boot.log"; }

[ -p "$LAB_CONSOLE" ] || mkfifo -m 600 "$LAB_CONSOLE"
# Held open read-write for the supervisor's whole life: writers never block and never see EOF/EPIPE.
exec 3<>"$LAB_CONSOLE"
(
  trap - TERM INT
  exec 1>>"$dir/boot.log"
  while IFS= read -r line <&3; do printf '%(%Y-%m-%dT%H:%M:%S)T %s\n' -1 "$line"; done
) &
reader=$!

stopping=0
child=
# True when PID is PID 1 of a pid namespace of its own (the last NSpid field is 1).
is_ns_init() {
  local fields
  fields=$(awk '/^NSpid:/ { print NF - 1, $NF }' "/proc/$1/status" 2>/dev/null) || return 1
  [ "${fields%% *}" -gt 1 ] && [ "${fields##* }" = 1 ]
}
# The host's PID 1: a child of the boot process we started (unshare, or systemd-nspawn, which reaps the
# container's init as its child).
find_init() {
  local kid
  for kid in $(cat "/proc/$child/task/$child/children" 2>/dev/null); do
    if is_ns_init "$kid"; then echo "$kid"; return 0; fi
  done
  return 1
}
init_pid() {
  local pid
  pid=$(cat "$dir/init.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -n "$child" ] || return 1
  [ "$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null)" = "$child" ] || return 1
  echo "$pid"
}
stop() {
  stopping=1
  local pid
  if pid=$(init_pid); then kill -KILL "$pid" 2>/dev/null; fi
}
trap stop TERM INT

# A real reboot gives the host a clean network: only its own address, route and no firewall rules.
net_setup() {
  local ns=$LAB_NETNS
  ip -n "$ns" link set lo up &&
    ip -n "$ns" addr flush dev eth1 &&
    ip -n "$ns" addr add "$LAB_ADDRESS/$LAB_PREFIX" dev eth1 &&
    ip -n "$ns" link set eth1 up &&
    ip -n "$ns" route replace default via "$LAB_GATEWAY" dev eth1 || return 1
  if command -v nft >/dev/null; then
    ip netns exec "$ns" nft flush ruleset 2>/dev/null || true
  fi
  # iptables-legacy tables live on in the namespace; flush only those the host instantiated (asking for
  # any other table would load a kernel module on the shared machine).
  if command -v iptables-legacy >/dev/null; then
    local table
    for table in $(ip netns exec "$ns" cat /proc/net/ip_tables_names 2>/dev/null); do
      ip netns exec "$ns" iptables-legacy -t "$table" -F && ip netns exec "$ns" iptables-legacy -t "$table" -X || true
      if [ "$table" = filter ]; then
        for chain in INPUT FORWARD OUTPUT; do ip netns exec "$ns" iptables-legacy -P "$chain" ACCEPT || true; done
      fi
    done
  fi
}

boot() {
  if [ "$init_kind" = systemd ]; then
    unshare --mount --propagation private -- "$LAB_STAGE" </dev/null >>"$dir/stage.log" 2>&1 &
  else
    ip netns exec "$LAB_NETNS" unshare --mount --pid --fork --uts --ipc --time --propagation private \
      -- "$LAB_STAGE" </dev/null >>"$dir/stage.log" 2>&1 &
  fi
  child=$!
}

# Exit statuses that mean "the host asked to stop" and "the host rebooted on purpose".
# (systemd-nspawn exits 1 when its container's PID 1 is killed, as for any failure: `lab reboot` says so.)
if [ "$init_kind" = systemd ]; then halted_status=0; reboot_statuses=" 133 "; else halted_status=130; reboot_statuses=" 129 137 "; fi

boots=0
fast_failures=0
while [ "$stopping" = 0 ]; do
  if ! net_setup; then log "network setup of $LAB_NETNS failed"; fi
  boots=$((boots + 1))
  log "boot $boots starting"
  started=$SECONDS
  boot
  for _ in $(seq 1 200); do
    if pid=$(find_init); then echo "$pid" > "$dir/init.pid"; break; fi
    kill -0 "$child" 2>/dev/null || break
    sleep 0.05
  done
  [ "$stopping" = 1 ] && stop
  rc=0
  wait "$child" || rc=$?
  # `wait` returns early when a trapped signal arrives: wait again until the host is really gone.
  while kill -0 "$child" 2>/dev/null; do rc=0; wait "$child" || rc=$?; done
  rm -f "$dir/init.pid"
  child=
  log "host stopped (exit status $rc)"
  [ "$stopping" = 1 ] && break
  if [ "$rc" = "$halted_status" ]; then log "host halted; not booting again"; break; fi
  # A requested reboot (through the host's init, or its PID 1 killed by `lab reboot`, which leaves a
  # reboot-requested file first) is not a failure.
  requested=0
  if [ -e "$dir/reboot-requested" ]; then requested=1; rm -f "$dir/reboot-requested"; fi
  if [ "$requested" = 0 ] && [[ "$reboot_statuses" != *" $rc "* ]] && ((SECONDS - started < 10)); then
    fast_failures=$((fast_failures + 1))
  else
    fast_failures=0
  fi
  if ((fast_failures >= 5)); then log "5 boots in a row ended within 10 s; giving up"; break; fi
done
log "supervisor exiting"
kill "$reader" 2>/dev/null
wait "$reader" 2>/dev/null
exit 0
