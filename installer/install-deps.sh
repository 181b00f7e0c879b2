#!/usr/bin/env bash
# Installs every Debian package Clearpost needs to build, run and test.
# Idempotent and non-interactive: safe to run twice, as root or through sudo.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build ccache pkg-config git
  # libraries
  libwxgtk3.2-dev libsqlite3-dev libssl-dev libcurl4-openssl-dev
  libboost-date-time-dev nlohmann-json3-dev libcli11-dev libicu-dev
  # team mode: the PostgreSQL client library; the server runs the store,
  # workflow and dispatcher tests a second time
  libpq-dev postgresql
  # charts and the PDF report (cairo; text laid out by Pango)
  libcairo2-dev libpango1.0-dev
  # the vault's desktop keyring (Secret Service) and its test: a private
  # D-Bus session with GNOME Keyring in it
  libsecret-1-dev dbus gnome-keyring
  # tests
  catch2 python3 sqlite3 tzdata
  # the studio's translation template (xgettext) and its check
  gettext
  # the PDF report test reads it back (pdfinfo, pdftotext)
  poppler-utils
  # the package tests: .deb (dpkg-shlibdeps, dpkg-deb), desktop entry and
  # AppStream checks, and a clean Debian 12 root to apt-get install it into
  dpkg-dev desktop-file-utils appstream debootstrap rpm cpio shared-mime-info libglib2.0-bin
  # GUI tests and the integration peers of later work
  xvfb xauth imagemagick fonts-dejavu-core fonts-noto-color-emoji trayer
  # integration tests (peer.sh and the Bluesky tests call curl); benchmarks (GNU time: peak RSS)
  curl time procps
  # the mail relay the notice e-mails are tested against
  python3-aiosmtpd
  # the Mastodon tests read recorded traffic (YAML)
  python3-yaml
)
# Node.js and npm run the integration peers. A machine may already carry a
# newer Node.js that bundles npm (Debian's npm package conflicts with it).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1; then
  sudo_cmd=(sudo)
else
  echo "install-deps: run as root or install sudo first" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
