#!/usr/bin/env bash
# The newcomer's entry point: installs what is missing, then runs a deno task.
#   ./run.sh demo   the demo on test:///default (no daemon needed)
#   ./run.sh test   the whole test suite (starts and stops its own private libvirtd)
#   ./run.sh check  fmt, lint, type check, doc lint and a publish dry run
#   ./run.sh bench  the benchmarks beside virsh, libvirt-python and Sys::Virt
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
task=${1:-demo}
shift || true
extra=()
[ "$task" = bench ] && extra=(--peers)
deno=$("$root/scripts/setup.sh" "${extra[@]}")
cd "$root"
exec "$deno" task "$task" "$@"
