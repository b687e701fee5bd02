#!/bin/sh
# The main job: scripted guests against the iommufd simulator, first the
# Intel VT-d scenario (page requests through the PRQ), then the Arm SMMUv3
# one (vEVENTs through the Event Queue).
#
#   scripts/main-job.sh [BUILDDIR]      (default: build)
#
# Installs what is missing (scripts/install-deps.sh), sets up and builds
# BUILDDIR if needed, then runs the demos.
# Writes a simulator config (one Intel VT-d host IOMMU with nesting, one
# PASID/PRI/ATS-capable device at 0000:02:00.0) into a temporary
# directory and runs BUILDDIR/tests/qtest/vtd-guest-demo, then
# smmuv3-guest-demo with an SMMUv3 host; each starts
# BUILDDIR/viommu-system itself (through libqtest) with the simulator
# preloaded.  Nothing else is started here.  It fails if either demo fails.
set -eu

if [ $# -gt 1 ]; then
    echo "usage: $0 [BUILDDIR]" >&2
    exit 2
fi
cd "$(dirname "$0")/.."
builddir=${1:-build}

# Set up and build first, so that this one command is enough on a fresh
# machine; an existing build directory is reused.
./scripts/install-deps.sh
if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" >/dev/null
fi
ninja -C "$builddir" >/dev/null

build=$(cd "$builddir" && pwd)
demo="$build/tests/qtest/vtd-guest-demo"
arm_demo="$build/tests/qtest/smmuv3-guest-demo"
lib="$build/contrib/iommufd-sim/libiommufd-sim.so"
bin="$build/viommu-system"

for f in "$demo" "$arm_demo" "$lib" "$bin"; do
    if [ ! -e "$f" ]; then
        echo "$0: $f is missing after the build" >&2
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
echo

cat > "$tmp/smmu.conf" <<'EOF'
[iommu]
type = arm-smmuv3
nesting = true

[device 0000:02:00.0]
vendor-id = 0x13b5
device-id = 0x0001
pasid-width = 16
stream-id = 0x200
EOF

QTEST_QEMU_BINARY="$bin" "$arm_demo" "$lib" "$tmp/smmu.conf" "$tmp/smmu.sock"
