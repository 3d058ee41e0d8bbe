#!/usr/bin/env bash
# Debian packages used by the tests and the app. Idempotent: installs only what is missing, as root
# (or through sudo when available). Called by `make sysdeps` / `make test`.
set -euo pipefail

PACKAGES=(chromium postgresql ffmpeg espeak-ng sox libreoffice-writer-nogui fonts-noto-cjk poppler-utils)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "sysdeps: not a Debian/Ubuntu system; install manually: ${PACKAGES[*]}" >&2
  exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "sysdeps: all present (${PACKAGES[*]})"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "sysdeps: missing ${missing[*]}; run this script as root" >&2
  exit 1
fi

echo "sysdeps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
