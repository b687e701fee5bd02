#!/bin/sh
# Fetch the real counterparts the tests compare the project with, from
# Debian's archive (suite sid), into a private directory: nothing is
# installed system-wide and nothing fetched is committed.
#
#   scripts/counterparts.sh [--dir DIR] install NAME...   NAME: qemu linux libvirt all
#   scripts/counterparts.sh [--dir DIR] status [NAME...]
#
# DIR defaults to $COUNTERPARTS_DIR, else build/counterparts.  For each
# NAME it leaves exactly one of:
#   DIR/NAME.env   KEY=VALUE lines, values without spaces or quotes, so
#                  that a shell can source the file and C tests read it
#                  with tests/include/counterparts.h: VERSION, PACKAGE and
#                  the paths each install_NAME below writes;
#   DIR/NAME.skip  one line: why the counterpart is not there (e.g. the
#                  archive was unreachable).  Tests then exit 77 printing
#                  "SKIP: <that line>".
# It never fails because the network is down: it exits 0 and writes the
# .skip file, so that CI reports the dependent tests as skipped.
#
# sid binaries need a newer glibc than Debian 12's, so they run through
# the sysroot's own dynamic loader; DIR/bin/ holds wrapper scripts that do
# that (qemu-system-x86_64, qemu-system-aarch64, virsh, ...).  `install
# qemu` prints how to run it.
#
# Versions: each counterpart has a pinned upstream version (the one the
# project was measured against).  The script prefers it and otherwise
# takes the newest version the archive has, and says which it used.
set -eu

PIN_QEMU=11.1.3
PIN_LINUX=7.2
PIN_LIBVIRT=12.8.0
MIRROR=${COUNTERPARTS_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# Seconds allowed for each network step: a hung mirror must end in a skip,
# not in a CI time-out.
NET_TIMEOUT=${COUNTERPARTS_TIMEOUT:-600}

top=$(cd "$(dirname "$0")/.." && pwd)
DIR=${COUNTERPARTS_DIR:-$top/build/counterparts}
if [ "${1:-}" = "--dir" ]; then
    DIR=$2
    shift 2
fi
cmd=${1:-}
[ $# -gt 0 ] && shift

usage() {
    sed -n '6,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
R=$DIR/sid
SYS=$R/sys
LIBDIR=$SYS/usr/lib/x86_64-linux-gnu
LOADER=$LIBDIR/ld-linux-x86-64.so.2

say() { echo "counterparts: $*" >&2; }

# skip NAME REASON: record why NAME is unavailable.
skip() {
    rm -f "$DIR/$1.env"
    echo "$2" > "$DIR/$1.skip"
    say "$1: not available: $2"
}

# The options that make apt-get and apt-cache work on the private root R
# alone (word-split on purpose: DIR must not contain spaces).
APT_OPTS="-o Dir=$R -o Dir::State::status=$R/var/lib/dpkg/status
    -o Dir::Etc::SourceParts=/dev/null -o Dir::Etc::Parts=/dev/null
    -o APT::Architecture=amd64 -o Debug::NoLocking=1
    -o Acquire::Retries=2 -o Acquire::http::Timeout=60"
APT_GET="timeout $NET_TIMEOUT apt-get -q $APT_OPTS"

apt_cache_r() {
    apt-cache $APT_OPTS "$@"
}

# Prepare R and fetch sid's package lists, once per run (a stamp younger
# than a day is reused).  Returns non-zero, with $why set, on failure.
sysroot_update() {
    mkdir -p "$R/etc/apt/preferences.d" "$R/etc/apt/apt.conf.d" \
        "$R/var/lib/apt/lists/partial" "$R/var/cache/apt/archives/partial" \
        "$R/var/lib/dpkg" "$SYS"
    [ -f "$R/var/lib/dpkg/status" ] || : > "$R/var/lib/dpkg/status"
    if [ ! -f "$KEYRING" ]; then
        why="no Debian archive keyring at $KEYRING"
        return 1
    fi
    echo "deb [signed-by=$KEYRING] $MIRROR sid main" > "$R/etc/apt/sources.list"
    if [ -n "$(find "$R/updated.stamp" -mmin -1440 2>/dev/null)" ]; then
        return 0
    fi
    if ! $APT_GET update > "$DIR/apt-update.log" 2>&1; then
        why="Debian archive unreachable ($(grep -E '^(E|W|Err):' "$DIR/apt-update.log" | head -n 1 | cut -c1-160))"
        return 1
    fi
    # apt-get update exits 0 even when every source failed to download.
    if grep -qE '^(Err:|E: Failed to fetch|W: Failed to fetch)' "$DIR/apt-update.log"; then
        why="Debian archive unreachable ($(grep -E '^(Err:|E:|W:)' "$DIR/apt-update.log" | head -n 1 | cut -c1-160))"
        return 1
    fi
    touch "$R/updated.stamp"
}

# pick_version PKG PIN: print the archive's version of PKG whose upstream
# part starts with PIN, else the newest one; nothing if PKG is unknown.
pick_version() {
    versions=$(apt_cache_r madison "$1" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}')
    [ -n "$versions" ] || return 0
    for v in $versions; do
        up=${v#*:}
        case "$up" in
        "$2"*) echo "$v"; return 0 ;;
        esac
    done
    echo "$versions" | head -n 1
}

# note_version NAME PKG PIN VERSION: say which version is used.
note_version() {
    up=${4#*:}
    case "$up" in
    "$3"*) say "$1: using $2 $4 (the pinned $3)" ;;
    *) say "$1: pinned $3 is not in the archive; using the newest, $2 $4" ;;
    esac
}

# fetch_closure PKG=VER...: download the packages with their dependency
# closure and unpack every .deb fetched into $SYS.
fetch_closure() {
    if ! DEBIAN_FRONTEND=noninteractive $APT_GET install -y --download-only \
            --no-install-recommends "$@" > "$DIR/apt-install.log" 2>&1; then
        why="download failed ($(grep -E '^(E|W|Err):' "$DIR/apt-install.log" | head -n 1 | cut -c1-160))"
        return 1
    fi
    for deb in "$R"/var/cache/apt/archives/*.deb; do
        [ -e "$deb" ] || continue
        stamp=$R/unpacked/$(basename "$deb")
        [ -e "$stamp" ] && continue
        dpkg-deb -x "$deb" "$SYS"
        mkdir -p "$R/unpacked"
        : > "$stamp"
    done
}

# wrapper NAME PROGRAM: DIR/bin/NAME runs PROGRAM through the sysroot's
# loader with its libraries; "$@" passes through.  SYSROOT_PRELOAD names a
# library to preload (the simulator), as LD_PRELOAD would.
wrapper() {
    mkdir -p "$DIR/bin"
    cat > "$DIR/bin/$1" <<EOF
#!/bin/sh
# Generated by scripts/counterparts.sh: run the sid build of $1 from the
# private sysroot.  SYSROOT_PRELOAD=LIB preloads LIB (e.g. the simulator).
exec "$LOADER" --library-path "$LIBDIR:$LIBDIR/libvirt:$LIBDIR/ceph" \\
    \${SYSROOT_PRELOAD:+--preload "\$SYSROOT_PRELOAD"} --argv0 "$1" "$2" "\$@"
EOF
    chmod +x "$DIR/bin/$1"
}

install_qemu() {
    v=$(pick_version qemu-system-x86 "$PIN_QEMU")
    if [ -z "$v" ]; then
        skip qemu "qemu-system-x86 is not in the archive"
        return 0
    fi
    va=$(pick_version qemu-system-arm "$PIN_QEMU")
    note_version qemu qemu-system-x86 "$PIN_QEMU" "$v"
    if ! fetch_closure "qemu-system-x86=$v" ${va:+"qemu-system-arm=$va"}; then
        skip qemu "$why"
        return 0
    fi
    wrapper qemu-system-x86_64 "$SYS/usr/bin/qemu-system-x86_64"
    [ -x "$SYS/usr/bin/qemu-system-aarch64" ] &&
        wrapper qemu-system-aarch64 "$SYS/usr/bin/qemu-system-aarch64"
    if ! "$DIR/bin/qemu-system-x86_64" -version > "$DIR/qemu-version.txt" 2>&1; then
        skip qemu "the sid qemu-system-x86_64 does not run here: $(head -n 1 "$DIR/qemu-version.txt")"
        return 0
    fi
    cat > "$DIR/qemu.env" <<EOF
VERSION=${v#*:}
PACKAGE=qemu-system-x86
LOADER=$LOADER
LIBRARY_PATH=$LIBDIR
QEMU_X86_64=$DIR/bin/qemu-system-x86_64
QEMU_AARCH64=$([ -x "$DIR/bin/qemu-system-aarch64" ] && echo "$DIR/bin/qemu-system-aarch64")
QEMU_X86_64_REAL=$SYS/usr/bin/qemu-system-x86_64
QEMU_AARCH64_REAL=$SYS/usr/bin/qemu-system-aarch64
QEMU_MODULE_DIR=$LIBDIR/qemu
QEMU_FIRMWARE_DIRS=$SYS/usr/share/seabios:$SYS/usr/share/qemu
EOF
    rm -f "$DIR/qemu.skip"
    say "qemu: $(head -n 1 "$DIR/qemu-version.txt")"
    cat >&2 <<EOF
counterparts: run upstream QEMU by hand under the simulator with:
    QEMU_MODULE_DIR=$LIBDIR/qemu SYSROOT_PRELOAD=\$PWD/build/contrib/iommufd-sim/libiommufd-sim.so \\
        $DIR/bin/qemu-system-x86_64 -L $SYS/usr/share/seabios -L $SYS/usr/share/qemu ...
EOF
}

install_libvirt() {
    v=$(pick_version libvirt-clients "$PIN_LIBVIRT")
    if [ -z "$v" ]; then
        skip libvirt "libvirt-clients is not in the archive"
        return 0
    fi
    vd=$(pick_version libvirt-daemon-driver-qemu "$PIN_LIBVIRT")
    note_version libvirt libvirt-clients "$PIN_LIBVIRT" "$v"
    if ! fetch_closure "libvirt-clients=$v" ${vd:+"libvirt-daemon-driver-qemu=$vd"}; then
        skip libvirt "$why"
        return 0
    fi
    wrapper virsh "$SYS/usr/bin/virsh"
    if ! "$DIR/bin/virsh" --version > "$DIR/libvirt-version.txt" 2>&1; then
        skip libvirt "the sid virsh does not run here: $(head -n 1 "$DIR/libvirt-version.txt")"
        return 0
    fi
    cat > "$DIR/libvirt.env" <<EOF
VERSION=${v#*:}
PACKAGE=libvirt-clients
LOADER=$LOADER
LIBRARY_PATH=$LIBDIR
SYSROOT=$SYS
VIRSH=$DIR/bin/virsh
VIRSH_REAL=$SYS/usr/bin/virsh
LIBVIRT_DRIVER_DIR=$LIBDIR/libvirt/connection-driver
LIBVIRT_STORAGE_BACKEND_DIR=$LIBDIR/libvirt/storage-backend
EOF
    rm -f "$DIR/libvirt.skip"
    say "libvirt: virsh $(head -n 1 "$DIR/libvirt-version.txt")"
}

# The kernel tree: only the selftest, the headers it includes and the uAPI.
LINUX_PATHS="tools/testing/selftests/iommu tools/testing/selftests/kselftest.h
    tools/testing/selftests/kselftest_harness.h tools/testing/selftests/lib.mk
    tools/include include/uapi arch/x86/include/uapi
    drivers/iommu/iommufd/iommufd_test.h"

install_linux() {
    pkg=$(apt_cache_r pkgnames linux-source- 2>/dev/null |
          grep -E '^linux-source-[0-9]+\.[0-9]+$' | sort -V | tail -n 1)
    want=linux-source-$PIN_LINUX
    if apt_cache_r pkgnames "$want" 2>/dev/null | grep -qx "$want"; then
        pkg=$want
    fi
    if [ -z "$pkg" ]; then
        skip linux "no linux-source-* package in the archive"
        return 0
    fi
    v=$(pick_version "$pkg" "")
    note_version linux "$pkg" "$PIN_LINUX" "${pkg#linux-source-}:$v"
    src=$DIR/linux-src
    if [ -f "$src/.version" ] && [ "$(cat "$src/.version")" = "$pkg $v" ]; then
        :
    else
        dl=$DIR/linux-deb
        rm -rf "$dl" "$src"
        mkdir -p "$dl" "$src"
        if ! (cd "$dl" && $APT_GET download "$pkg=$v") \
                > "$DIR/apt-download.log" 2>&1; then
            skip linux "download of $pkg failed ($(grep -E '^(E|W|Err):' "$DIR/apt-download.log" | head -n 1 | cut -c1-160))"
            return 0
        fi
        deb=$(ls "$dl"/*.deb | head -n 1)
        tarball=$(dpkg-deb -c "$deb" | awk '{print $6}' | grep -E 'linux-source-.*\.tar\.(xz|bz2|gz)$' | head -n 1)
        if [ -z "$tarball" ]; then
            skip linux "$pkg holds no source tarball"
            return 0
        fi
        top_dir=$(basename "$tarball" | sed 's/\.tar\..*//')
        members=""
        for p in $LINUX_PATHS; do
            members="$members $top_dir/$p"
        done
        # Only the paths the tests need leave the tarball; tar warns about
        # a member the tree lacks (older kernels), which is not fatal.
        dpkg-deb --fsys-tarfile "$deb" | tar -xO "$tarball" |
            tar -xJ -C "$src" --strip-components=1 $members 2> "$DIR/linux-extract.log" || true
        rm -rf "$dl"
        if [ ! -f "$src/tools/testing/selftests/iommu/iommufd.c" ]; then
            skip linux "$pkg has no tools/testing/selftests/iommu/iommufd.c"
            return 0
        fi
        echo "$pkg $v" > "$src/.version"
    fi
    cat > "$DIR/linux.env" <<EOF
VERSION=${v#*:}
PACKAGE=$pkg
LINUX_SRC=$src
EOF
    rm -f "$DIR/linux.skip"
}

do_install() {
    names=$*
    [ "$names" = all ] && names="qemu linux libvirt"
    for n in $names; do
        case "$n" in
        qemu|linux|libvirt) ;;
        *) usage ;;
        esac
    done
    # One fetch at a time: parallel tests may ask together.
    exec 9> "$DIR/.lock"
    flock 9
    if ! sysroot_update; then
        for n in $names; do
            skip "$n" "$why"
        done
        return 0
    fi
    for n in $names; do
        "install_$n"
    done
}

do_status() {
    names=${*:-qemu linux libvirt}
    for n in $names; do
        if [ -f "$DIR/$n.env" ]; then
            echo "$n: $(grep '^VERSION=' "$DIR/$n.env" | cut -d= -f2-)"
        elif [ -f "$DIR/$n.skip" ]; then
            echo "$n: skipped: $(cat "$DIR/$n.skip")"
        else
            echo "$n: not installed (scripts/counterparts.sh install $n)"
        fi
    done
}

case "$cmd" in
install) [ $# -gt 0 ] || usage; do_install "$@" ;;
status) do_status "$@" ;;
*) usage ;;
esac
