#!/usr/bin/env bash
# Installs what the demo, the tests and the benchmarks need, only where it is missing:
# libvirt from Debian's packages, the user and group a root libvirtd expects, and Deno from the
# npm package `deno` (pinned) into .tools/ when no Deno 2 is on PATH. Prints the deno to use.
set -euo pipefail

DENO_VERSION=2.9.6
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Runs a command as root: directly when we are root, else through sudo (which may prompt).
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "setup: '$*' needs root: run this as root or install sudo" >&2
    exit 1
  fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]} from Debian's packages" >&2
  as_root apt-get update -qq >&2
  # Through env: sudo would drop a plain variable assignment.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

apt_install libvirt0 libvirt-daemon libvirt-clients libvirt-dev
# The real-guest tests: QEMU (TCG is enough) and the libvirt driver for it.
apt_install qemu-system-x86 libvirt-daemon-driver-qemu
# The qemu+ssh and qemu+tls tests: a loopback sshd, nc for libvirt's netcat proxy, certtool.
apt_install openssh-server netcat-openbsd gnutls-bin
if [ "${1:-}" = "--peers" ]; then
  # The benchmark's peers: libvirt's Python and Perl bindings, and Debian's own python3.
  apt_install python3-libvirt libsys-virt-perl
fi

# A root libvirtd drops QEMU processes to the user and group `libvirt-qemu` (Debian's built-in
# default when libvirt-daemon-system's qemu.conf is absent); its QEMU driver, and with it the
# whole daemon, refuses to start when they do not exist. `kvm` owns /dev/kvm.
getent group kvm >/dev/null || as_root groupadd --system kvm
getent group libvirt-qemu >/dev/null || as_root groupadd --system libvirt-qemu
getent passwd libvirt-qemu >/dev/null ||
  as_root useradd --system --gid libvirt-qemu --groups kvm --no-create-home \
    --home-dir /var/lib/libvirt --shell /usr/sbin/nologin libvirt-qemu
# Where no udev runs (containers), /dev/kvm may stay root-only; libvirt then re-probes QEMU (over
# a minute) at every domain start, as its cached "KVM usable" disagrees with the QEMU user's view.
# Debian's udev rule: group kvm, mode 0660.
if [ -c /dev/kvm ] && [ "$(stat -c %G:%a /dev/kvm)" != kvm:660 ]; then
  as_root chgrp kvm /dev/kvm && as_root chmod 0660 /dev/kvm
fi

# A deno on PATH is used when it is Deno 2 (the module relies on Deno 2's FFI and test runner).
if command -v deno >/dev/null 2>&1 && deno --version 2>/dev/null | grep -q '^deno 2\.'; then
  command -v deno
  exit 0
fi
deno="$root/.tools/node_modules/@deno/linux-x64-glibc/deno"
if [ ! -x "$deno" ] || ! "$deno" --version | grep -q "^deno $DENO_VERSION "; then
  echo "setup: installing deno $DENO_VERSION from the npm registry into .tools/" >&2
  mkdir -p "$root/.tools"
  npm install --prefix "$root/.tools" --no-save --no-audit --no-fund --loglevel=error \
    "deno@$DENO_VERSION" >&2
fi
[ -x "$deno" ] || deno="$root/.tools/node_modules/.bin/deno"
echo "$deno"
