#!/bin/sh
# Build (warnings are errors) and run every test, twice: a plain build
# (with the tests against the real counterparts, fetched first by
# scripts/counterparts.sh) and an ASan+UBSan build (-Dsanitizers=true).  A third pass builds the
# libFuzzer targets with clang (-Dfuzzing=true) and fuzzes each of them
# briefly (suite fuzz-smoke, about 60 s of fuzzing in all).  A fourth
# runs the plain build's qtests with the binary under valgrind memcheck.
# Ends with
# "N passed, N failed" counted from meson's test logs.
#
# Usage: scripts/run-tests.sh [BUILDDIR]   (default: build; the sanitizer
#        build goes to BUILDDIR-asan, the fuzzing build to BUILDDIR-fuzz).
#        SANITIZERS=0 skips the second pass, FUZZ=0 the third, VALGRIND=0
#        the fourth.
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}

./scripts/install-deps.sh

# configure_and_build DIR [meson options...]
configure_and_build() {
    dir=$1
    shift
    if [ -f "$dir/build.ninja" ]; then
        meson configure "$dir" -Dwerror=true "$@" >/dev/null
    else
        meson setup "$dir" -Dwerror=true "$@" >/dev/null
    fi
    ninja -C "$dir"
}

status=0
logs=""
configure_and_build "$BUILD"
# The real counterparts (upstream QEMU, the kernel's iommufd selftest,
# libvirt), fetched from Debian's archive into the build directory.  Never
# fatal here: a counterpart that could not be fetched makes the tests of
# suite 'counterparts' skip, saying why, and the summary counts them.
./scripts/counterparts.sh --dir "$BUILD/counterparts" install all || true
./scripts/counterparts.sh --dir "$BUILD/counterparts" status
meson test -C "$BUILD" --print-errorlogs --num-processes 2 || status=1
logs="$BUILD/meson-logs/testlog.json"
# The models' qtests once more with the simulator answering as Linux
# 6.11..7.1 (too-small reads return 0 rather than 7.2's EINVAL).
meson test -C "$BUILD" --setup kernel611 --suite qtest --print-errorlogs \
    --num-processes 2 || status=1
logs="$logs $BUILD/meson-logs/testlog-kernel611.json"

if [ "${SANITIZERS:-1}" != 0 ]; then
    configure_and_build "$BUILD-asan" -Dsanitizers=true
    # The counterparts run against the plain build only.
    meson test -C "$BUILD-asan" --no-suite counterparts --print-errorlogs \
        --num-processes 2 || status=1
    logs="$logs $BUILD-asan/meson-logs/testlog.json"
fi

if [ "${FUZZ:-1}" != 0 ]; then
    # clang only; meson test builds what the fuzz-smoke suite needs.
    if [ -f "$BUILD-fuzz/build.ninja" ]; then
        meson configure "$BUILD-fuzz" -Dwerror=true -Dfuzzing=true >/dev/null
    else
        CC=clang meson setup "$BUILD-fuzz" -Dwerror=true -Dfuzzing=true >/dev/null
    fi
    rm -f "$BUILD-fuzz/meson-logs/testlog.json"
    meson test -C "$BUILD-fuzz" --suite fuzz-smoke --print-errorlogs \
        --num-processes 2 || status=1
    logs="$logs $BUILD-fuzz/meson-logs/testlog.json"
fi

if [ "${VALGRIND:-1}" != 0 ]; then
    # The plain build's qtests again, each binary they start under
    # memcheck: errors and definite leaks fail (meson.build's 'valgrind'
    # setup).  meson names its log after the setup: testlog-valgrind.
    meson test -C "$BUILD" --setup valgrind --suite qtest --print-errorlogs \
        --num-processes 2 || status=1
    logs="$logs $BUILD/meson-logs/testlog-valgrind.json"
fi

# The count comes from meson's own logs, so a run that executed no test
# shows "0 passed" (and fails).
if python3 - $logs <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            for line in f:
                r = json.loads(line).get('result')
                if r in ('OK', 'EXPECTEDFAIL'):
                    passed += 1
                elif r == 'SKIP':
                    skipped += 1
                else:
                    failed += 1
    except FileNotFoundError:
        failed += 1
print('%d passed, %d failed' % (passed, failed) +
      (', %d skipped' % skipped if skipped else ''))
sys.exit(1 if failed or not passed else 0)
PY
then
    :
else
    status=1
fi
exit $status
