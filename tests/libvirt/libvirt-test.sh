#!/bin/bash
# libvirt drives viommu-system: Debian's libvirt 12.8 (installed by
# scripts/counterparts.sh into a private sysroot) runs virsh in embedded
# mode (qemu:///embed?root=...) with <emulator> = our binary under the
# iommufd simulator, and for both domains of docs/devel/libvirt.md:
#   define, start, see the vIOMMU bound (qemu-monitor-command
#   x-query-viommu), hot-plug a second hostdev (attach-device), unplug it
#   (detach-device), destroy; then no VMM process and no simulator object
#   is left (the simulator's exit report says "live 0").
#
# Usage: libvirt-test.sh BUILD_DIR     (COUNTERPARTS_DIR from meson)
# Exit 0 pass, 1 fail, 77 skip ("SKIP: reason").
#
# What this container forbids, and how the set-up works around it (the
# same list is in docs/devel/libvirt.md):
#  - libvirt resolves its default QEMU user "libvirt-qemu" before it reads
#    qemu.conf, and the machine has no such user: a private mount
#    namespace bind-mounts a passwd/group that have it (qemu.conf then
#    runs the VMM as root).
#  - root here lacks CAP_SYS_RESOURCE.  libvirt sets iommufd memory
#    accounting (IOMMU_OPTION, which needs it) and raises RLIMIT_MEMLOCK.
#    virsh runs as root of a user namespace mapping ids 0-65535 onto
#    themselves, which holds the capability there (the simulator checks
#    the effective set; the kernel would check the initial namespace),
#    and the domains set <memtune><hard_limit> to the current hard
#    memlock limit, which libvirt then leaves alone.
#  - no cgroup controllers, no namespaces for the VMM, no security
#    driver: qemu.conf turns them off (libvirt supports all three off).
set -u

build=${1:?usage: libvirt-test.sh BUILD_DIR}
build=$(cd "$build" && pwd)
cpdir=${COUNTERPARTS_DIR:-$build/counterparts}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; failed=1; }

if [ ! -f "$cpdir/libvirt.env" ]; then
    skip "libvirt: $(cat "$cpdir/libvirt.skip" 2>/dev/null || echo "not installed (scripts/counterparts.sh install libvirt)")"
fi
. "$cpdir/libvirt.env"
# The embedded driver loads its module from the sysroot, not /usr.
export LIBVIRT_DRIVER_DIR
sim=$build/contrib/iommufd-sim/libiommufd-sim.so
[ -x "$VIRSH" ] || skip "libvirt: $VIRSH missing"
[ -f "$sim" ] || skip "the iommufd simulator is not built"
[ "$(id -u)" = 0 ] || skip "needs root to map a user namespace (see the header)"
command -v unshare >/dev/null || skip "unshare (util-linux) is missing"

T=$(mktemp -d /tmp/lvtest-XXXXXX)
failed=0
# Pids of VMMs this test started: their command lines name our directory.
our_vmms() {
    local p cmd
    for p in /proc/[0-9]*; do
        cmd=$( (tr '\0' ' ' < "$p/cmdline") 2>/dev/null)
        [[ $cmd == *viommu-system-*"$T"* ]] && echo "${p#/proc/}"
    done
}
cleanup() {
    local pid
    for pid in $(our_vmms); do
        kill -9 "$pid" 2>/dev/null
    done
    rm -rf "$T"
}
trap cleanup EXIT

mkdir -p "$T/root/etc"
cp /etc/passwd "$T/passwd"
cp /etc/group "$T/group"
grep -q '^libvirt-qemu:' "$T/passwd" ||
    echo 'libvirt-qemu:x:64055:64055::/nonexistent:/usr/sbin/nologin' >> "$T/passwd"
grep -q '^libvirt-qemu:' "$T/group" || echo 'libvirt-qemu:x:64055:' >> "$T/group"
grep -q '^kvm:' "$T/group" || echo 'kvm:x:64056:' >> "$T/group"

cat > "$T/root/etc/qemu.conf" <<EOF
security_driver = "none"
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
EOF

# Two simulated functions per host: one at start, one to hot-plug.
sim_conf() {    # TYPE SID1 SID2
    cat <<EOF
[iommu]
type=$1
nesting=true

[device 0000:02:00.0]
vendor-id=0x8086
device-id=0x1234
class=0x020000
pasid-width=20
pri=true
ats=true
stream-id=$2

[device 0000:03:00.0]
vendor-id=0x8086
device-id=0x1235
class=0x020000
pasid-width=20
pri=true
ats=true
stream-id=$3
EOF
}
sim_conf intel-vtd 0 0 > "$T/sim-vtd.conf"
sim_conf arm-smmuv3 0x200 0x300 > "$T/sim-smmu.conf"

# The emulator libvirt runs: our binary under its per-target name, with
# the simulator preloaded (libvirt passes the VMM a clean environment).
for arch in x86_64 aarch64; do
    conf=$T/sim-vtd.conf
    [ $arch = aarch64 ] && conf=$T/sim-smmu.conf
    # Only a domain's VMM (libvirt names it with -name guest=...) writes
    # the exit report, not the capability probes.
    cat > "$T/emu-$arch" <<EOF
#!/bin/sh
export LD_PRELOAD=$sim
export IOMMUFD_SIM_CONFIG=$conf
case " \$* " in
*" guest="*) export IOMMUFD_SIM_EXIT_REPORT=$T/exit-$arch ;;
esac
exec $build/viommu-system-$arch "\$@"
EOF
    chmod +x "$T/emu-$arch"
done

memlock=$(ulimit -Hl)
memtune=
if [ "$memlock" != unlimited ]; then
    memtune="<memtune><hard_limit unit='KiB'>$memlock</hard_limit></memtune>"
fi

hostdev() {
    cat <<EOF
    <hostdev mode='subsystem' type='pci' managed='no'>
      <driver name='vfio' iommufd='yes'/>
      <source><address domain='0x0000' bus='$1' slot='0x00' function='0x0'/></source>
    </hostdev>
EOF
}

cat > "$T/q35.xml" <<EOF
<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>vtd</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  $memtune
  <iommufd enabled='yes'/>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>$T/emu-x86_64</emulator>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
    <iommu model='intel'>
      <driver intremap='off' caching_mode='on' iotlb='on'/>
    </iommu>
$(hostdev 0x02)
  </devices>
  <qemu:override>
    <qemu:device alias='iommu0'>
      <qemu:frontend>
        <qemu:property name='scalable-mode' type='bool' value='true'/>
        <qemu:property name='fsts' type='bool' value='true'/>
        <qemu:property name='svm' type='bool' value='true'/>
        <qemu:property name='pasid-bits' type='unsigned' value='20'/>
      </qemu:frontend>
    </qemu:device>
  </qemu:override>
</domain>
EOF

cat > "$T/virt.xml" <<EOF
<domain type='qemu'>
  <name>smmu</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  $memtune
  <iommufd enabled='yes'/>
  <os><type arch='aarch64' machine='virt'>hvm</type></os>
  <features><gic version='3'/></features>
  <devices>
    <emulator>$T/emu-aarch64</emulator>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
    <iommu model='smmuv3'>
      <driver pciBus='0' accel='on' ats='on' ril='on' ssidsize='20' oas='48'/>
    </iommu>
$(hostdev 0x02)
  </devices>
</domain>
EOF
hostdev 0x03 > "$T/hostdev2.xml"

# run_in_ns SIMCONF CMD...: as root of a user namespace mapping ids
# 0-65535 onto themselves, in a mount namespace with our passwd/group.
run_in_ns() {
    local conf=$1 fifo=$T/go pid me i
    shift
    mkfifo "$fifo"
    IOMMUFD_SIM_CONFIG=$conf SYSROOT_PRELOAD=$sim \
    unshare -U -m bash -c 'read _ < "$0"; mount --bind "$1/passwd" /etc/passwd &&
        mount --bind "$1/group" /etc/group || exit 2; shift; exec "$@"' \
        "$fifo" "$T" "$@" &
    pid=$!
    me=$(readlink /proc/self/ns/user)
    for i in $(seq 500); do
        [ "$(readlink /proc/$pid/ns/user 2>/dev/null)" != "$me" ] && break
        sleep 0.01
    done
    if ! echo '0 0 65536' > /proc/$pid/uid_map ||
       ! echo '0 0 65536' > /proc/$pid/gid_map; then
        echo x > "$fifo"
        wait $pid
        rm -f "$fifo"
        return 125
    fi
    echo go > "$fifo"
    wait $pid
    local rc=$?
    rm -f "$fifo"
    return $rc
}

uri="qemu:///embed?root=$T/root"
qv='{"execute":"x-query-viommu"}'

# One virsh process per domain, so that libvirt never has to reconnect.
check_domain() {
    local name=$1 xml=$2 conf=$3 arch=$4 vtype=$5 out=$T/$1.out
    local cmds="define $xml; start $name;"
    rm -f "$T/exit-$arch"
    cmds+=" qemu-monitor-command $name '$qv';"
    cmds+=" attach-device $name $T/hostdev2.xml --live;"
    cmds+=" qemu-monitor-command $name '$qv';"
    cmds+=" detach-device $name $T/hostdev2.xml --live;"
    cmds+=" qemu-monitor-command $name '$qv';"
    cmds+=" destroy $name; undefine $name"

    run_in_ns "$conf" "$VIRSH" -q -c "$uri" "$cmds" > "$out" 2>&1
    case $? in
    0) ;;
    125) skip "cannot map a user namespace here (see the header)" ;;
    *) fail "$name: virsh failed:"; sed 's/^/  /' "$out"
       tail -20 "$T/root/log/qemu/$name.log" 2>/dev/null | sed 's/^/  vmm: /'
       return ;;
    esac
    # The three x-query-viommu answers, one per line.
    mapfile -t answers < <(grep '^{"return"' "$out")
    if [ ${#answers[@]} != 3 ]; then
        fail "$name: expected 3 x-query-viommu answers"; sed 's/^/  /' "$out"
        return
    fi
    bound='"bound":true,"attached":true'
    n0=$(grep -o "$bound" <<< "${answers[0]}" | wc -l)
    n1=$(grep -o "$bound" <<< "${answers[1]}" | wc -l)
    n2=$(grep -o "$bound" <<< "${answers[2]}" | wc -l)
    [ "$n0.$n1.$n2" = 1.2.1 ] ||
        fail "$name: bound devices at start/after attach/after detach: $n0/$n1/$n2 (want 1/2/1)"
    grep -q "\"viommu-type\":\"$vtype\"" <<< "${answers[1]}" ||
        fail "$name: devices not behind $vtype: ${answers[1]}"
    grep -q '"qdev_id":"hostdev1"' <<< "${answers[1]}" ||
        fail "$name: hot-plugged hostdev1 missing"
    grep -q '"qdev_id":"hostdev1"' <<< "${answers[2]}" &&
        fail "$name: hostdev1 still there after detach-device"
    # Destroyed: the VMM went through its cleanup and the simulator saw
    # every object it created freed.
    if [ "$(head -1 "$T/exit-$arch" 2>/dev/null)" != "live 0" ]; then
        fail "$name: simulator objects left: $(tr '\n' ' ' < "$T/exit-$arch" 2>/dev/null)"
    fi
    echo "ok: $name: start, vIOMMU bound ($vtype), attach, detach, destroy"
}

check_domain vtd "$T/q35.xml" "$T/sim-vtd.conf" x86_64 intel-iommu
check_domain smmu "$T/virt.xml" "$T/sim-smmu.conf" aarch64 arm-smmuv3

for pid in $(our_vmms); do
    fail "a VMM is still running after destroy: pid $pid"
done
[ $failed = 0 ] && echo "libvirt: all passed"
exit $failed
