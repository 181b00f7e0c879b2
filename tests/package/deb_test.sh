#!/usr/bin/env bash
# Builds the .deb from a build tree with CPack and checks what a hospital's
# IT team would get: Depends computed from the shared libraries, the
# programs, plugins, rule packs, desktop entry, AppStream metainfo, icons,
# man pages and systemd units in place; then unpacks it into an empty root
# and runs the packaged clearpostctl from there (version, init, a compliance
# check, run --once).
# Usage: deb_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in cpack dpkg-deb dpkg-shlibdeps appstreamcli update-mime-database gio; do
  command -v "$tool" >/dev/null || fail "missing $tool: run installer/install-deps.sh"
done

(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1) \
  || { cat "$work/cpack.log"; fail "cpack could not build the package"; }
deb=$(ls "$work"/out/clearpost_*.deb)
echo "built $(basename "$deb")"

prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
gui=$(sed -n 's/^CLEARPOST_BUILD_GUI:BOOL=//p' "$build/CMakeCache.txt")
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libsqlite3-0 libcurl4 libssl3 libicu72 libcairo2 tzdata; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends does not name $lib"
done
if [ "$gui" = ON ]; then
  [[ "$depends" == *libwxgtk3.2* ]] || fail "Depends does not name wxWidgets"
fi

dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' > "$work/files"
expect() { grep -qx -- "$1" "$work/files" || fail "the package has no $1"; }
expect "$prefix/bin/clearpostctl"
grep -q "^$prefix/share/clearpost/rules/" "$work/files" || fail "the package has no rule packs"
grep -q "^$prefix/share/clearpost/dictionaries/" "$work/files" || fail "the package has no dictionaries"
grep -q "^$prefix/lib.*/clearpost/publishers/bluesky.so$" "$work/files" || fail "the package has no Bluesky publisher"
grep -q "^$prefix/include/clearpost/publisher.h$" "$work/files" || fail "the package has no plugin SDK header"
expect "$prefix/share/man/man1/clearpostctl.1"
expect "$prefix/lib/systemd/system/clearpost-run.service"
expect "$prefix/lib/systemd/user/clearpost-run.service"
if [ "$gui" = ON ]; then
  expect "$prefix/bin/clearpost"
  expect "$prefix/share/applications/org.clearpost.Clearpost.desktop"
  expect "$prefix/share/metainfo/org.clearpost.Clearpost.metainfo.xml"
  expect "$prefix/share/icons/hicolor/scalable/apps/org.clearpost.Clearpost.svg"
  expect "$prefix/share/icons/hicolor/48x48/apps/org.clearpost.Clearpost.png"
  expect "$prefix/share/man/man1/clearpost.1"
  expect "$prefix/share/mime/packages/org.clearpost.Clearpost.xml"
fi

# Unpacked into an empty root: the files as apt would place them.
root=$work/root
dpkg-deb -x "$deb" "$root"
grep -q "^ExecStart=$prefix/bin/clearpostctl " "$root$prefix/lib/systemd/system/clearpost-run.service" \
  || fail "the system unit does not start the installed clearpostctl"
grep -q "^NoNewPrivileges=yes" "$root$prefix/lib/systemd/system/clearpost-run.service" || fail "the unit lost its hardening"
if [ "$gui" = ON ]; then
  appstreamcli validate --no-net "$root$prefix/share/metainfo/org.clearpost.Clearpost.metainfo.xml" \
    || fail "the AppStream metainfo does not validate"
  # The calendar export's file type: a *.clearpost.json file is one, and
  # the desktop entry opens it.
  mkdir -p "$work/mimedb/mime/packages"
  cp "$root$prefix/share/mime/packages/org.clearpost.Clearpost.xml" "$work/mimedb/mime/packages/"
  update-mime-database "$work/mimedb/mime" || fail "the MIME type definition does not load"
  echo '{"posts": []}' > "$work/backup.clearpost.json"
  type=$(XDG_DATA_DIRS=$work/mimedb XDG_DATA_HOME=$work/none gio info -a standard::content-type \
           "$work/backup.clearpost.json" | sed -n 's/.*standard::content-type: //p')
  [ "$type" = application/vnd.clearpost.export+json ] || fail "a .clearpost.json file is typed '$type'"
  grep -q "^MimeType=application/vnd.clearpost.export+json;" \
    "$root$prefix/share/applications/org.clearpost.Clearpost.desktop" || fail "the desktop entry opens no export"
  if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$root$prefix/share/applications/org.clearpost.Clearpost.desktop" \
      || fail "the desktop entry does not validate"
  fi
fi
dpkg-deb -e "$deb" "$work/control"
[ -x "$work/control/postinst" ] || fail "the package has no postinst for the service user"

ctl=$root$prefix/bin/clearpostctl
export XDG_DATA_HOME=$work/data XDG_CONFIG_HOME=$work/config HOME=$work
export CLEARPOST_ASSETS_DIR=$root$prefix/share/clearpost
export CLEARPOST_PUBLISHERS_DIR=$(dirname "$(grep "/clearpost/publishers/bluesky.so$" "$work/files" | sed "s|^|$root|")")
"$ctl" --version | grep -q "0\." || fail "clearpostctl --version"
CLEARPOST_PASSWORD="ada has a long password" "$ctl" init --admin ada --org "Harbor Clinics" --zone America/New_York \
  >/dev/null || fail "clearpostctl init"
cat > "$work/org.json" <<'ORG'
{"name": "Harbor Clinics", "public_phones": [], "public_emails": [], "addresses": [], "domains": [],
 "staff": [], "public_figures": []}
ORG
status=0
out=$("$ctl" --json check --org "$work/org.json" "Get well soon to our patient Maria Lopez in Room 418!" 2>&1) \
  || status=$?
[ "$status" -ne 2 ] || fail "clearpostctl check refused its command line: $out"
[[ "$out" == *'"block"'* ]] || fail "the packaged engine did not block a patient's name and room: $out"
CLEARPOST_PASSWORD="ada has a long password" "$ctl" --as ada run --once >"$work/run.log" 2>&1 \
  || { cat "$work/run.log"; fail "clearpostctl run --once"; }
CLEARPOST_PASSWORD="ada has a long password" "$ctl" --as ada plugins list 2>&1 | grep -q bluesky \
  || fail "the packaged clearpostctl does not find the packaged Bluesky publisher"
echo "package ok: $(basename "$deb"), $(wc -l < "$work/files") entries"
