#!/bin/sh
# Run the kernel's own iommufd selftest (tools/testing/selftests/iommu/
# iommufd.c of Debian's linux-source package) against the iommufd
# simulator: built against that kernel's uAPI headers, LD_PRELOADing the
# simulator, with the simulator's IOMMU_TEST_CMD mock standing in for
# CONFIG_IOMMUFD_TEST.
#
#   scripts/kernel-selftest.sh [--fetch] [--table FILE] SIM_LIB OUTDIR
#
# The source comes from $COUNTERPARTS_DIR/linux.env (scripts/counterparts.sh
# install linux; --fetch runs that first).  Without it: "SKIP: reason",
# exit 77.  Two runs:
#   - the fixtures the simulator must pass (IN_SCOPE below): any failure
#     fails the script;
#   - the whole selftest, which must run to its end (a crash or a hang
#     fails the script); its pass count is reported, not judged.
# --table FILE writes the per-test result table for docs/devel/iommufd-sim.rst.
set -u

fetch=0
table=
while [ $# -gt 0 ]; do
    case "$1" in
    --fetch) fetch=1; shift ;;
    --table) table=$2; shift 2 ;;
    --) shift; break ;;
    -*) echo "usage: $0 [--fetch] [--table FILE] SIM_LIB OUTDIR" >&2; exit 2 ;;
    *) break ;;
    esac
done
if [ $# -ne 2 ]; then
    echo "usage: $0 [--fetch] [--table FILE] SIM_LIB OUTDIR" >&2
    exit 2
fi
sim_lib=$(realpath "$1")
out=$2
here=$(dirname "$(realpath "$0")")
cp_dir=${COUNTERPARTS_DIR:-$here/../build/counterparts}

# Fixtures (and tests) the simulator must pass; "FIXTURE" or
# "FIXTURE.*.TEST" (every variant).
IN_SCOPE="iommufd_viommu iommufd_device_pasid iommufd_ioas.*.alloc_hwpt_nested"

if [ "$fetch" = 1 ] && [ ! -f "$cp_dir/linux.env" ]; then
    "$here/counterparts.sh" --dir "$cp_dir" install linux >&2 || true
fi
if [ ! -f "$cp_dir/linux.env" ]; then
    echo "SKIP: $(cat "$cp_dir/linux.skip" 2>/dev/null ||
        echo "the kernel source is not fetched (scripts/counterparts.sh install linux)")"
    exit 77
fi
# KEY=VALUE lines; values may hold blanks, so no sourcing
env_get() {
    sed -n "s/^$1=//p" "$cp_dir/linux.env" | head -n 1
}
src=$(env_get LINUX_SRC)
st=$src/tools/testing/selftests
echo "kernel selftest: $(env_get PACKAGE) $(env_get VERSION)"

mkdir -p "$out" || exit 1
bin=$out/iommufd

# The uAPI headers straight from the tree: no headers_install, so __user
# is defined away and <linux/stddef.h> brings __counted_by.
if ! ${CC:-cc} -O2 -Wall -Wno-unused-function -D_GNU_SOURCE \
        -D__user= -D__EXPORTED_HEADERS__= -I"$st" \
        -isystem "$src/include/uapi" -isystem "$src/arch/x86/include/uapi" \
        -include linux/stddef.h -o "$bin" "$st/iommu/iommufd.c" -lcap \
        >"$out/build.log" 2>&1; then
    cat "$out/build.log" >&2
    echo "FAIL: the selftest does not build (libcap-dev installed?)" >&2
    exit 1
fi

# No PCI functions: the selftest brings its own mock devices.
cat >"$out/sim.conf" <<EOF
[iommu]
type=intel-vtd
nesting=true
EOF

run() {
    log=$1
    shift
    LD_PRELOAD=$sim_lib IOMMUFD_SIM_CONFIG=$out/sim.conf \
        timeout 300 "$bin" "$@" >"$log" 2>&1
    echo $?
}

# Harness filters add up: -f takes a fixture, -t a test name (the
# in-scope test names are unique to their fixture, so all its variants).
filters=
for pat in $IN_SCOPE; do
    case "$pat" in
    *.*) filters="$filters -t ${pat##*.}" ;;
    *) filters="$filters -f $pat" ;;
    esac
done

status=0
# shellcheck disable=SC2086
rc=$(run "$out/in-scope.log" $filters)
totals=$(grep '^# Totals' "$out/in-scope.log")
echo "in scope: ${totals#\# }"
case "$totals" in
*fail:0\ *error:0*) [ "$rc" = 0 ] || status=1 ;;
*) status=1 ;;
esac
if [ "$status" != 0 ]; then
    grep -E '^not ok|^# .*iommufd.c:[0-9]+:' "$out/in-scope.log" >&2
    echo "FAIL: in-scope selftests failed (exit $rc), see $out/in-scope.log" >&2
fi

rc=$(run "$out/all.log")
totals=$(grep '^# Totals' "$out/all.log")
# every test the harness ran, FIXTURE[.VARIANT].TEST
sed -n 's/^\(not \)\{0,1\}ok [0-9]* \([^ ]*\).*/\2/p' "$out/all.log" \
    >"$out/tests.txt"
ntests=$(grep -c . "$out/tests.txt")
if [ -z "$totals" ] || [ "$rc" -gt 1 ]; then
    tail -5 "$out/all.log" >&2
    echo "FAIL: the whole selftest did not run to its end (exit $rc)" >&2
    status=1
else
    echo "whole selftest ($ntests tests): ${totals#\# }"
fi

if [ -n "$table" ]; then
    "$here/kernel-selftest-table.py" "$out/all.log" "$out/tests.txt" \
        "$IN_SCOPE" >"$table" || status=1
fi
exit $status
