#!/usr/bin/env bash
# Debian packages used by the tests and the app. Idempotent: installs only what is missing, as root
# (or through sudo when available). Called by `make sysdeps` / `make test`.
set -euo pipefail

PACKAGES=(chromium postgresql ffmpeg espeak-ng sox libreoffice-writer-nogui fonts-noto-cjk fonts-arphic-gbsn00lp poppler-utils)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "sysdeps: not a Debian/Ubuntu system; install manually: ${PACKAGES[*]}" >&2
  exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

FONTCONF_SRC="$(dirname "$0")/fontconfig/65-zhifa-gbt9704.conf"
FONTCONF_DST=/etc/fonts/conf.d/65-zhifa-gbt9704.conf

install_fontconf() {
  # GB/T 9704 font names → an installed Song face, so LibreOffice renders drafts in a serif face.
  cmp -s "$FONTCONF_SRC" "$FONTCONF_DST" && return 0
  if [[ $(id -u) -eq 0 ]]; then
    install -m 0644 "$FONTCONF_SRC" "$FONTCONF_DST" && fc-cache -f >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo install -m 0644 "$FONTCONF_SRC" "$FONTCONF_DST" && sudo fc-cache -f >/dev/null
  else
    echo "sysdeps: cannot install $FONTCONF_DST (not root); PDF renders will use a sans fallback" >&2
  fi
}

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "sysdeps: all present (${PACKAGES[*]})"
  install_fontconf
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
install_fontconf
