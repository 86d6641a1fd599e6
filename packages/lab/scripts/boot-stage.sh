#!/bin/bash
# Boot stage of one lab host. Runs as PID 1 of the host's fresh pid/mount/uts/ipc namespaces, inside the
# host's network namespace (started by supervisor.sh). It builds the host's private view of the system,
# pivots into the host's own root filesystem and hands PID 1 over to the host's own /sbin/init.
# Everything mounted here lives in the host's private mount namespace: it vanishes with the host.
set -euo pipefail
: "${LAB_LOWER:?}" "${LAB_UPPER:?}" "${LAB_WORK:?}" "${LAB_MERGED:?}" "${LAB_CONSOLE:?}" "${LAB_HOSTNAME:?}"

exec </dev/null >"$LAB_CONSOLE" 2>&1
root=$LAB_MERGED

mount -t overlay overlay -o "lowerdir=$LAB_LOWER,upperdir=$LAB_UPPER,workdir=$LAB_WORK" "$root"

# proc of the new pid namespace. /proc/sys reaches the shared kernel, so it is read-only except net.*,
# which belongs to the host's own network namespace. sysrq-trigger could reboot the real machine.
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount --bind "$root/proc/sys" "$root/proc/sys"
mount -o remount,bind,ro,nosuid,nodev,noexec "$root/proc/sys"
mount --bind "$root/proc/sys/net" "$root/proc/sys/net"
mount -o remount,bind,rw,nosuid,nodev,noexec "$root/proc/sys/net"
if [ -e "$root/proc/sysrq-trigger" ]; then
  mount --bind "$root/proc/sysrq-trigger" "$root/proc/sysrq-trigger"
  mount -o remount,bind,ro "$root/proc/sysrq-trigger"
fi

# sysfs mounted from inside the netns shows only this host's network devices; read-only.
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"

# A private /dev: only harmless nodes, a new devpts instance, and the console FIFO read by the supervisor.
mount -t tmpfs -o nosuid,noexec,mode=0755,size=4m tmpfs "$root/dev"
mknod -m 666 "$root/dev/null" c 1 3
mknod -m 666 "$root/dev/zero" c 1 5
mknod -m 666 "$root/dev/full" c 1 7
mknod -m 666 "$root/dev/random" c 1 8
mknod -m 666 "$root/dev/urandom" c 1 9
mknod -m 666 "$root/dev/tty" c 5 0
mkdir -m 755 "$root/dev/pts"
mkdir -m 1777 "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5,nosuid,noexec devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
touch "$root/dev/console"
mount --bind "$LAB_CONSOLE" "$root/dev/console"

# A fresh /run per boot, and a per-boot boot_id (tools use it to notice a reboot).
mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs "$root/run"
cat /proc/sys/kernel/random/uuid > "$root/run/.haweb-boot-id"
mount --bind "$root/run/.haweb-boot-id" "$root/proc/sys/kernel/random/boot_id"

hostname "$LAB_HOSTNAME"

cd "$root"
pivot_root . .
umount -l .
cd /

# Capabilities that reach the shared machine (clock, kernel modules, raw I/O, kernel log, wake alarms)
# are dropped from the bounding set of everything the host will ever run.
exec /usr/bin/setpriv --bounding-set -sys_time,-sys_module,-sys_rawio,-syslog,-wake_alarm -- /sbin/init
