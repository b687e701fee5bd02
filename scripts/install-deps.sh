#!/bin/sh
# Install the Debian packages the project builds and tests with.
# Safe to run repeatedly; needs root (or sudo) when something is missing.
set -e

PKGS="meson ninja-build pkg-config gcc python3 libglib2.0-dev libjson-glib-dev libfdt-dev valgrind
      clang libclang-rt-14-dev libcap-dev xz-utils"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
