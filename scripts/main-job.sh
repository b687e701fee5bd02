#!/bin/sh
# The main job: a scripted VT-d guest against the iommufd simulator.
#
#   scripts/main-job.sh BUILDDIR
#
# Writes a simulator config (one Intel VT-d host IOMMU with nesting, one
# PASID/PRI/ATS-capable device at 0000:02:00.0) into a temporary
# directory and runs BUILDDIR/tests/qtest/vtd-guest-demo, which starts
# BUILDDIR/viommu-system itself (through libqtest) with the simulator
# preloaded.  Nothing else is started here.  Exit status is the demo's.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 BUILDDIR" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
demo="$build/tests/qtest/vtd-guest-demo"
lib="$build/contrib/iommufd-sim/libiommufd-sim.so"
bin="$build/viommu-system"

for f in "$demo" "$lib" "$bin"; do
    if [ ! -e "$f" ]; then
        echo "$0: $f is missing; run 'ninja -C $1' first" >&2
        exit 1
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vtd-main-job.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

cat > "$tmp/sim.conf" <<'EOF'
[iommu]
type = intel-vtd
nesting = true

[device 0000:02:00.0]
vendor-id = 0x8086
device-id = 0x1234
pasid-width = 20
pri = true
pri-capacity = 64
ats = true
EOF

QTEST_QEMU_BINARY="$bin" "$demo" "$lib" "$tmp/sim.conf" "$tmp/sim.sock"
