#!/bin/sh
# Build (warnings are errors) and run every test; print "N passed, N failed".
# Usage: scripts/run-tests.sh [BUILDDIR]      (default: build)
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}

./scripts/install-deps.sh
if [ -f "$BUILD/build.ninja" ]; then
    meson configure "$BUILD" -Dwerror=true >/dev/null
else
    meson setup "$BUILD" -Dwerror=true >/dev/null
fi
ninja -C "$BUILD"

status=0
meson test -C "$BUILD" --print-errorlogs --num-processes 2 || status=$?

# The count comes from meson's own log, so a run that executed no test
# shows "0 passed".
python3 - "$BUILD/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
try:
    with open(sys.argv[1]) as f:
        for line in f:
            r = json.loads(line).get('result')
            if r in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            elif r == 'SKIP':
                skipped += 1
            else:
                failed += 1
except FileNotFoundError:
    pass
print('%d passed, %d failed' % (passed, failed) +
      (', %d skipped' % skipped if skipped else ''))
PY
exit $status
