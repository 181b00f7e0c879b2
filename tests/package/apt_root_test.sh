#!/usr/bin/env bash
# Installs the .deb the way a hospital's IT team would, into a clean Debian 12
# root made with debootstrap: `apt-get install ./clearpost_*.deb` resolves its
# Depends from Debian. Then, inside that root, clearpostctl shows its
# version, creates a database, blocks a post naming a patient and runs one
# publishing round. Removing the package leaves the user's data in place.
# Needs root (debootstrap and chroot) and Debian's mirror.
# Usage: apt_root_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "this test makes a Debian root with debootstrap and chroot: run it as root"
for tool in cpack debootstrap chroot; do
  command -v "$tool" >/dev/null || fail "missing $tool: run installer/install-deps.sh"
done
mirror=${CLEARPOST_DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d)
root=$work/root
cleanup() {
  mountpoint -q "$root/proc" 2>/dev/null && umount -l "$root/proc"
  # Never follows a mount that is still there into the host's files.
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1) \
  || { cat "$work/cpack.log"; fail "cpack could not build the package"; }
deb=$(ls "$work"/out/clearpost_*.deb)
echo "built $(basename "$deb")"

# Debian 12 with nothing but apt and its essentials. The downloaded packages
# are kept between runs, so a second run reads them from disk.
cache=${XDG_CACHE_HOME:-$HOME/.cache}/clearpost-debootstrap
mkdir -p "$cache"
debootstrap --variant=minbase --cache-dir="$cache" bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log"; fail "debootstrap could not make a Debian 12 root from $mirror"; }
# debootstrap made the device nodes; apt and dpkg want /proc too.
mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
cp "$deb" "$root/tmp/"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

in_root apt-get update -q >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get update in the clean root"; }
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/tmp/$(basename "$deb")" >>"$work/apt.log" 2>&1 \
  || { tail -40 "$work/apt.log"; fail "apt-get install ./$(basename "$deb") did not resolve its dependencies"; }
echo "installed with $(grep -c '^Setting up' "$work/apt.log") packages set up"

prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
ctl=$prefix/bin/clearpostctl
in_root "$ctl" --version | grep -q "0\." || fail "clearpostctl --version in the clean root"
pw="ada has a long password"
in_root env CLEARPOST_PASSWORD="$pw" "$ctl" --db /root/clearpost.db init --admin ada --org "Harbor Clinics" \
  --zone America/New_York >/dev/null || fail "clearpostctl init in the clean root"
cat > "$root/root/org.json" <<'ORG'
{"name": "Harbor Clinics", "public_phones": [], "public_emails": [], "addresses": [], "domains": [],
 "staff": [], "public_figures": []}
ORG
status=0
out=$(in_root "$ctl" --json check --org /root/org.json "Get well soon to our patient Maria Lopez in Room 418!" 2>&1) \
  || status=$?
[ "$status" -ne 2 ] || fail "clearpostctl check refused its command line: $out"
[[ "$out" == *'"block"'* ]] || fail "the installed engine did not block a patient's name and room: $out"
in_root env CLEARPOST_PASSWORD="$pw" "$ctl" --db /root/clearpost.db --as ada run --once >"$work/run.log" 2>&1 \
  || { cat "$work/run.log"; fail "clearpostctl run --once in the clean root"; }
in_root env CLEARPOST_PASSWORD="$pw" "$ctl" --db /root/clearpost.db --as ada plugins list 2>&1 | grep -q bluesky \
  || fail "the installed clearpostctl does not find the installed Bluesky publisher"
if [ -x "$root$prefix/bin/clearpost" ]; then
  in_root "$prefix/bin/clearpost" --help >/dev/null 2>&1 || true  # links: ldd finds every library
  ! in_root ldd "$prefix/bin/clearpost" | grep -q "not found" || fail "the studio misses a library in the clean root"
fi

in_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q clearpost >>"$work/apt.log" 2>&1 \
  || fail "apt-get remove clearpost"
[ ! -e "$root$ctl" ] || fail "clearpostctl is still there after the package was removed"
[ -s "$root/root/clearpost.db" ] || fail "removing the package took the user's database with it"
echo "apt root ok: $(basename "$deb") installed into a clean Debian 12 root, used, removed; the data stayed"
