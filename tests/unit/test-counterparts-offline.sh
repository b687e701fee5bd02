#!/bin/sh
# scripts/counterparts.sh with the archive unreachable: it must exit 0,
# leave NAME.skip with the reason for every counterpart and no NAME.env,
# so that CI reports the dependent tests as skipped (not failed, not
# passed).  The mirror is a closed port on loopback: nothing leaves the
# machine.
set -eu
script=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

COUNTERPARTS_MIRROR=http://127.0.0.1:9/debian COUNTERPARTS_TIMEOUT=60 \
    "$script" --dir "$dir" install all 2> "$dir/stderr"

for n in qemu linux libvirt; do
    if [ -e "$dir/$n.env" ]; then
        echo "FAIL: $n.env written although the archive is unreachable"
        exit 1
    fi
    if ! grep -q "unreachable" "$dir/$n.skip"; then
        echo "FAIL: $n.skip does not say why: $(cat "$dir/$n.skip" 2>/dev/null)"
        exit 1
    fi
    if ! "$script" --dir "$dir" status "$n" | grep -q "^$n: skipped: Debian archive unreachable"; then
        echo "FAIL: status does not report $n as skipped"
        exit 1
    fi
done
echo "ok: every counterpart skipped, saying why"
