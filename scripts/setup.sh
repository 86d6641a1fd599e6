#!/usr/bin/env bash
# One-time set-up on a Debian 12 machine, as root: the Debian packages the lab, the tests and the
# baselines need, then the npm dependencies (exactly as locked) and the build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "scripts/setup.sh: run as root (the lab builds network namespaces, mounts and a Debian image)" >&2
  exit 1
fi

node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number);console.log(a>20||(a===20&&b>=19)?1:0)' 2>/dev/null || echo 0)
if [ "$node_ok" != 1 ]; then
  echo "scripts/setup.sh: Node.js 20.19 or newer is required (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "Debian 12's own nodejs is 18; install Node 20 (e.g. your distribution's backport or NodeSource) first." >&2
  exit 1
fi

echo "== Debian packages"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer once, non-interactively.
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
apt-get update -qq
# debootstrap+zstd: the lab's host image; iproute2/iptables/nftables/util-linux/procps: namespaces and
# their networks; keepalived: interoperability peer and baseline; ansible and ansible-mitogen
# (strategy mitogen_linear): the provisioning baselines of bench/provision;
# tshark: decodes our VRRP adverts; arping/ping/curl/openssh-client: checks from the controller.
# systemd-container: systemd-nspawn boots the lab's systemd hosts; dpkg-dev (dpkg-scanpackages) and
# python3 (http.server) index and serve the lab LAN's package repository for minimal-image hosts.
# gpg, gpg-agent, pinentry-curses, python3-apt: the git, apt_key and apt_repository/package_facts
# comparisons re-pack them (with git) from this machine for the lab hosts, which stay offline.
apt-get install -y -qq --no-install-recommends \
  debootstrap zstd iproute2 iptables nftables util-linux procps keepalived ansible ansible-mitogen tshark \
  iputils-arping iputils-ping curl ca-certificates openssh-client git \
  systemd-container dpkg-dev python3 gpg gpg-agent pinentry-curses python3-apt >/dev/null

echo "== npm ci"
npm ci --no-audit --no-fund

echo "== build"
npm run build
