#!/bin/bash
# Issue 13's failover figures, client-observed, vrrpd and keepalived side by side in one run: the drill
# (packages/drill) against the real HA pair of playbooks/ha-nginx.yml (nginx built from source, each
# engine installed as a boot-time service), steps 2 (nginx stopped, restarted by the check), 3 (nginx
# cannot start), 4 (planned stop of the VRRP service), 5 (its start: failback) and 8 (`reboot` typed on
# the master). keepalived runs in its best configuration that works in the lab: the check every second,
# fall 1, weight 0 (a failed check is FAULT, which sends priority 0); its vrrp_track_process never fires
# inside a lab host's pid namespace (the netlink process connector serves the initial one only).
#
# Run as root from the repo root after `npm run build`:
#   bash bench/failover/drill-compare.sh [LAB [REPS [VERSION ADVERT_INT [STEPS]]]]
#   (defaults: lab hf, 3 repetitions, VRRPv2 with advert_int 1, steps 1,2,3,4,5,8)
# e.g. `bash bench/failover/drill-compare.sh fo 3 3 0.1` for a VRRPv3 pair advertising every 0.1 s.
# The lab must be up (`lab up --name LAB ...`, any host kind). It provisions the lab with both engines
# (the playbook, with ha_vrrp_version/ha_advert_int), rewrites keepalived's check settings on both
# hosts, then runs `drill --engine vrrpd,keepalived` REPS times.
# Results: bench/failover/results/drill-<time>/rep-N/drill-compare.json (one per repetition), and
# load.txt (the load average before and after each repetition).
set -euo pipefail
LAB=${1:-hf}
REPS=${2:-3}
VERSION=${3:-2}
ADVERT=${4:-1}
STEPS=${5:-1,2,3,4,5,8}
cd "$(dirname "$0")/../.."
STAMP=$(date -u +%Y-%m-%dT%H-%M-%SZ)
OUT=bench/failover/results/drill-$STAMP-v$VERSION
mkdir -p "$OUT"
lab() { node packages/lab/dist/cli.js "$@"; }
node packages/lab/dist/cli.js sources > /dev/null

# Both engines installed and configured by the playbook; keepalived last, so its build is there.
for engine in vrrpd keepalived; do
  node packages/cli/dist/provision.js run playbooks/ha-nginx.yml -i "/var/lib/haweb/lab/$LAB/inventory.yml" \
    -e "ha_engine=$engine" -e "ha_vrrp_version=$VERSION" -e "ha_advert_int=$ADVERT" > "$OUT/provision-$engine.log" 2>&1 ||
    { echo "provisioning $engine failed (see $OUT/provision-$engine.log)"; exit 1; }
done

# keepalived's best lab configuration, on both proxies (the playbook's file, check settings changed).
for host in edu-proxy-01 edu-proxy-02; do
  lab exec --name "$LAB" "$host" -- sh -c '
    f=/etc/keepalived/keepalived.conf
    sed -e "s/^\(\s*\)interval 2$/\1interval 1\n\1fall 1/" -e "s/^\(\s*\)weight -20$/\1weight 0/" "$f" > "$f.bench" &&
    chmod 600 "$f.bench" && mv -f "$f.bench" "$f" && grep -q "fall 1" "$f" && grep -q "weight 0" "$f" &&
    (service keepalived status >/dev/null 2>&1 && service keepalived restart >/dev/null || true)'
done

echo "VRRPv$VERSION advert_int $ADVERT, lab $LAB, $(date -u +%FT%TZ)" > "$OUT/load.txt"
for rep in $(seq "$REPS"); do
  echo "rep $rep start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/load.txt"
  node packages/drill/dist/cli.js --lab "$LAB" --engine vrrpd,keepalived --steps "$STEPS" --advert-int "$ADVERT" \
    --out "$OUT/rep-$rep" > "$OUT/rep-$rep.log" 2>&1 || echo "repetition $rep: some step failed (see $OUT/rep-$rep.log)"
  echo "rep $rep end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/load.txt"
done
# The timelines and per-engine results stay in the run's folder; the samples are left out of git.
find "$OUT" -name drill-result.json -delete
echo "$OUT"
