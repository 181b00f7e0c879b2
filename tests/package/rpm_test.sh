#!/usr/bin/env bash
# Builds the .rpm from a build tree with CPack and checks what an RPM-based
# hospital IT team would get: Requires computed from the shared libraries,
# the service user made on install, the programs, plugins, rule packs,
# desktop files and units in the file list without claiming system folders;
# then unpacks it (rpm2cpio) into an empty root and runs the packaged
# clearpostctl from there. No Fedora or RHEL system can run here, so it is
# not installed with dnf: that is said in the README.
# Usage: rpm_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in cpack rpmbuild rpm rpm2cpio cpio; do
  command -v "$tool" >/dev/null || fail "missing $tool: run installer/install-deps.sh"
done

(cd "$work" && cpack -G RPM --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1) \
  || { cat "$work/cpack.log"; fail "cpack could not build the RPM"; }
rpm_file=$(ls "$work"/out/clearpost-*.rpm)
echo "built $(basename "$rpm_file")"

requires=$(rpm -qp --requires "$rpm_file" 2>/dev/null)
for lib in 'libsqlite3.so.0()(64bit)' 'libcurl.so.4()(64bit)' 'libcrypto.so.3()(64bit)' 'libicuuc.so.72()(64bit)' tzdata; do
  grep -qF -- "$lib" <<<"$requires" || fail "Requires does not name $lib: $requires"
done
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
gui=$(sed -n 's/^CLEARPOST_BUILD_GUI:BOOL=//p' "$build/CMakeCache.txt")
if [ "$gui" = ON ]; then
  grep -q 'libwx_gtk3u_core-3.2.so' <<<"$requires" || fail "Requires does not name wxWidgets"
fi
rpm -qp --scripts "$rpm_file" 2>/dev/null | grep -q "useradd --system" || fail "the RPM makes no service user"

rpm -qlp "$rpm_file" 2>/dev/null > "$work/files"
expect() { grep -qx -- "$1" "$work/files" || fail "the RPM has no $1"; }
expect "$prefix/bin/clearpostctl"
expect "$prefix/lib/systemd/system/clearpost-run.service"
expect "$prefix/share/man/man1/clearpostctl.1"
grep -q "^$prefix/share/clearpost/rules/" "$work/files" || fail "the RPM has no rule packs"
grep -q "^$prefix/lib.*/clearpost/publishers/bluesky.so$" "$work/files" || fail "the RPM has no Bluesky publisher"
if [ "$gui" = ON ]; then
  expect "$prefix/bin/clearpost"
  expect "$prefix/share/applications/org.clearpost.Clearpost.desktop"
fi
# Folders every system has belong to the system's own packages.
for dir in "$prefix/lib/systemd/system" "$prefix/share/man/man1" "$prefix/share/applications"; do
  ! grep -qx -- "$dir" "$work/files" || fail "the RPM claims $dir"
done

root=$work/root
mkdir -p "$root"
(cd "$root" && rpm2cpio "$rpm_file" | cpio -idm --quiet) || fail "the RPM's payload does not unpack"
ctl=$root$prefix/bin/clearpostctl
export XDG_DATA_HOME=$work/data XDG_CONFIG_HOME=$work/config HOME=$work
export CLEARPOST_ASSETS_DIR=$root$prefix/share/clearpost
"$ctl" --version | grep -q "0\." || fail "the packaged clearpostctl --version"
cat > "$work/org.json" <<'ORG'
{"name": "Harbor Clinics", "public_phones": [], "public_emails": [], "addresses": [], "domains": [],
 "staff": [], "public_figures": []}
ORG
out=$("$ctl" --json check --org "$work/org.json" "Get well soon to our patient Maria Lopez in Room 418!" 2>&1 || true)
[[ "$out" == *'"block"'* ]] || fail "the packaged engine did not block a patient's name and room: $out"
echo "rpm ok: $(basename "$rpm_file"), $(wc -l < "$work/files") entries"
