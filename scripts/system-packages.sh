#!/bin/sh
# Installs the Debian packages the desk and its tests need, when run as root and any is missing.
# Not root: prints what is missing and carries on (the desk may still run if the libraries are there).
set -eu
PACKAGES="libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0 \
libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0 libxcb-render-util0 libxcb-image0 \
libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libasound2 fonts-dejavu-core xvfb xauth"
# The PostgreSQL server (initdb, pg_ctl, postgres) that tests/store/test_postgresql.py starts.
PACKAGES="$PACKAGES postgresql"
# OBS Studio (obs-websocket 5) for the broadcast tests and bench; Chromium prints the
# post-incident report to PDF (and the tests check the HTML slide page a browser source shows).
PACKAGES="$PACKAGES obs-studio chromium"
# pdftotext and pdftoppm (poppler): tests/report reads the report's PDF back, text and pages.
PACKAGES="$PACKAGES poppler-utils"
# nginx with its RTMP module: the local RTMP server the live-stream tests stream to.
PACKAGES="$PACKAGES nginx libnginx-mod-rtmp"

command -v dpkg-query >/dev/null 2>&1 || exit 0
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "Installing system packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "Missing system packages (install them as root):$missing" >&2
fi
