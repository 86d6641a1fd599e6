#!/bin/bash
# Graceful stop under a packet capture: where the milliseconds go, for keepalived and vrrpd alike.
#
# The failover benchmark's prober opens a connection every 10 ms, coarser than the differences left
# between the daemons on a graceful stop. This script captures on the backup's interface (tshark)
# while the master is stopped with SIGTERM, and prints per stop: SIGTERM -> priority-0 advert on the
# wire, priority 0 -> the backup's first advert (Skew_Time, 648.4 ms at priority 90, plus the
# backup's delay), and priority 0 -> the backup's first gratuitous ARP; then the medians.
#
# Run as root from the repo root after the README's set-up (needs tshark and keepalived):
#   bash bench/failover/graceful-capture.sh [STOPS_PER_DAEMON]     (default 6, at most 20)
# LOG_DETAIL=1 runs both daemons with -D, as the failover benchmark does.
# It brings up its own lab `gcap` (198.18.71.0/24), and takes it down at the end. Every daemon and
# capture runs under `timeout`; only processes it started are signalled, by pid.
set -euo pipefail

STOPS=${1:-6}
[ "$STOPS" -ge 1 ] && [ "$STOPS" -le 20 ] || { echo "STOPS_PER_DAEMON must be 1..20" >&2; exit 2; }
REPO=$(cd "$(dirname "$0")/../.." && pwd)
LAB=gcap
SUBNET=198.18.71
VIP=$SUBNET.50
WORK=$(mktemp -d /tmp/graceful-capture.XXXXXX)
command -v tshark >/dev/null || { echo "tshark is needed (apt-get install tshark)" >&2; exit 2; }

cleanup() {
  for f in "$WORK"/*/main.pid; do [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true; done
  sleep 1
  node "$REPO/packages/lab/dist/cli.js" down --name "$LAB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

node "$REPO/packages/lab/dist/cli.js" up --name "$LAB" --subnet "$SUBNET.0/24" >/dev/null
MASTER_NS=$LAB-edu-proxy-01
BACKUP_NS=$LAB-edu-proxy-02

config() { # PRIORITY STATE
  cat <<EOF
vrrp_instance VI_1 {
    state $2
    interface eth1
    virtual_router_id 77
    priority $1
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        $VIP/24
    }
}
EOF
}
config 100 MASTER > "$WORK/master.conf"
config 90 BACKUP > "$WORK/backup.conf"

DETAIL=()
[ "${LOG_DETAIL:-0}" = 1 ] && DETAIL=(-D)

run_daemon() { # NS KIND CONF DIR
  mkdir -p "$4"
  if [ "$2" = keepalived ]; then
    set -- "$1" /usr/sbin/keepalived -n -l "${DETAIL[@]}" -P -f "$3" -p "$4/main.pid" -r "$4/vrrp.pid"
  else
    set -- "$1" node "$REPO/packages/vrrp/dist/bin/vrrpd.js" -n -l "${DETAIL[@]}" -f "$3" -p "$4/main.pid"
  fi
  local ns=$1; shift
  timeout -s KILL 60 ip netns exec "$ns" "$@" > /dev/null 2>&1 &
}

wait_for() { # what, test command...
  local what=$1; shift
  for _ in $(seq 1 100); do "$@" && return 0; sleep 0.1; done
  echo "timed out waiting for $what" >&2; return 1
}

one_stop() { # KIND N
  local kind=$1 dir=$WORK/$1-$2
  run_daemon "$BACKUP_NS" "$kind" "$WORK/backup.conf" "$dir/b"
  run_daemon "$MASTER_NS" "$kind" "$WORK/master.conf" "$dir/m"
  wait_for "the VIP on the master" sh -c "ip netns exec $MASTER_NS ip -4 addr show dev eth1 | grep -q ' $VIP/'"
  sleep 2.5
  timeout 6 ip netns exec "$BACKUP_NS" tshark -i eth1 -n -f "vrrp or arp" -T fields \
    -e frame.time_epoch -e vrrp.prio -e arp.src.proto_ipv4 > "$dir/capture.txt" 2>/dev/null &
  local capture=$!
  sleep 2
  local t0; t0=$(date +%s.%N)
  kill -TERM "$(cat "$dir/m/main.pid")"
  sleep 3
  kill -TERM "$(cat "$dir/b/main.pid")"
  wait "$capture" || true
  sleep 1
  awk -F'\t' -v t0="$t0" -v kind="$kind" '
    $2 == "0" && !p { p = $1 }
    p && $2 == "90" && !a { a = $1 }
    $3 != "" && a && !g { g = $1 }
    END { if (p && a && g) printf "%s %.2f %.2f %.2f\n", kind, (p - t0) * 1000, (a - p) * 1000, (g - p) * 1000 }
  ' "$dir/capture.txt"
}

results=$WORK/results.txt
for n in $(seq 1 "$STOPS"); do
  for kind in keepalived vrrpd; do one_stop "$kind" "$n" | tee -a "$results"; done
done

echo
echo "medians over $STOPS stops (ms): SIGTERM->prio0, prio0->backup advert, prio0->backup GARP, SIGTERM->GARP"
for kind in keepalived vrrpd; do
  awk -v kind="$kind" '
    function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    $1 == kind { n++; s[n] = $2; b[n] = $3; g[n] = $4; t[n] = $2 + $4 }
    END { printf "%-10s %7.2f %7.2f %7.2f %7.2f\n", kind, median(s, n), median(b, n), median(g, n), median(t, n) }
  ' "$results"
done
