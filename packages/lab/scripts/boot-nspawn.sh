#!/bin/bash
# Boot stage of a systemd lab host. Runs in a private mount namespace of its own (started by
# supervisor.sh with `unshare --mount --propagation private`): mounts the host's overlay there, so the
# mount vanishes with the host, and hands over to systemd-nspawn, which boots the host's own systemd as
# PID 1 of new pid/mount/uts/ipc namespaces joined to the host's network namespace on the lab bridge.
# nspawn keeps /proc/sys read-only except net.*, /sys read-only, gives a private /dev and a fresh boot id,
# and its default capability set has no clock, module, raw I/O or kernel log capability.
set -euo pipefail
: "${LAB_LOWER:?}" "${LAB_UPPER:?}" "${LAB_WORK:?}" "${LAB_MERGED:?}" "${LAB_CONSOLE:?}" "${LAB_HOSTNAME:?}" "${LAB_NETNS:?}"

# A cgroup of the host's own in each hierarchy nspawn uses (the unified one and systemd's named one on a
# hybrid machine): nspawn splits the cgroup it starts in into supervisor/ and payload/, and without this
# every host would share the root's. `lab down` removes these directories.
for hierarchy in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
  # (On a hybrid machine /sys/fs/cgroup itself is a tmpfs without cgroup.procs; on a unified one it is the hierarchy.)
  if [ -e "$hierarchy/cgroup.procs" ]; then
    mkdir -p "$hierarchy/haweb-lab/$LAB_NETNS"
    echo $$ > "$hierarchy/haweb-lab/$LAB_NETNS/cgroup.procs"
  fi
done

mount -t overlay overlay -o "lowerdir=$LAB_LOWER,upperdir=$LAB_UPPER,workdir=$LAB_WORK" "$LAB_MERGED"

# --keep-unit/--register=no: the machine runs no systemd of its own and has no machined to register with.
# The network namespace is ours (wired to the lab bridge), so nspawn does not grant CAP_NET_ADMIN by
# itself: iptables, firewalld and raw VRRP sockets need it and CAP_NET_RAW.
# nspawn leaves /proc/sys/net writable only for a network namespace it made itself; this one is the
# host's own too, so say so (the rest of /proc/sys stays read-only).
# The console (a pty) is copied read-only to the console FIFO the supervisor logs.
# nspawn shows only part of /sys (no /sys/module), where a real server has the kernel's module
# parameters; roles read /sys/module/ipv6/parameters/disable to know whether IPv6 is on (Oefenweb and
# evrardjp keepalived). Its value, read here, is bound as a plain read-only file: no kernel interface.
ipv6_disable="$(dirname "$LAB_UPPER")/ipv6-disable"
if [ -r /sys/module/ipv6/parameters/disable ]; then
  cat /sys/module/ipv6/parameters/disable > "$ipv6_disable"
  ipv6_bind=(--bind-ro="$ipv6_disable:/sys/module/ipv6/parameters/disable")
else
  ipv6_bind=()
fi

SYSTEMD_NSPAWN_API_VFS_WRITABLE=network exec systemd-nspawn \
  --directory="$LAB_MERGED" --boot --register=no --keep-unit --settings=no \
  --machine="$LAB_NETNS" --hostname="$LAB_HOSTNAME" \
  --network-namespace-path="/run/netns/$LAB_NETNS" --capability=CAP_NET_ADMIN,CAP_NET_RAW \
  --resolv-conf=off --timezone=off --link-journal=no \
  --console=read-only "${ipv6_bind[@]}" >"$LAB_CONSOLE"
