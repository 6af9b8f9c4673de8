#!/usr/bin/env bash
# Installs what the demo, the tests and the benchmarks need, only where it is missing:
# libvirt from Debian's packages, the user and group a root libvirtd expects, and Deno from the
# npm package `deno` (pinned) into .tools/ when no `deno` is on PATH. Prints the deno to use.
set -euo pipefail

DENO_VERSION=2.9.6
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]} from Debian's packages" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
}

apt_install libvirt0 libvirt-daemon libvirt-clients libvirt-dev
if [ "${1:-}" = "--peers" ]; then
  # The benchmark's peers: libvirt's Python and Perl bindings, and Debian's own python3.
  apt_install python3-libvirt libsys-virt-perl
fi

# A root libvirtd drops QEMU processes to this user and group; the daemon refuses to start
# its QEMU driver when they do not exist.
getent group kvm >/dev/null || $sudo groupadd --system kvm
getent passwd libvirt-qemu >/dev/null ||
  $sudo useradd --system --gid kvm --home-dir /var/lib/libvirt --shell /usr/sbin/nologin libvirt-qemu

if command -v deno >/dev/null 2>&1; then
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
