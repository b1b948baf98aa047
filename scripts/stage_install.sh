#!/bin/sh
# Lays out what the ctaops packages install under a staging root, for the RPM (%install of
# packaging/rpm/ctaops.spec) and the .deb (scripts/build_deb.sh) alike:
#   scripts/stage_install.sh DESTROOT WHEEL WHEELS_DIR UNITDIR
# Run from a directory holding LICENSE, requirements.txt, packaging/ and docs/ (the source tree or
# the RPM's unpacked sources). WHEELS_DIR holds the dependency wheels of requirements.txt;
# nothing is fetched. $PYTHON (default /usr/bin/python3) makes the venv: the packages are tied
# to it, so it must be the target distribution's interpreter.
# Owners are left to the packaging (%attr in the spec, postinst for the .deb).
set -eu
if [ $# -ne 4 ]; then
    echo "usage: $0 DESTROOT WHEEL WHEELS_DIR UNITDIR" >&2
    exit 2
fi
root=$1
wheel=$2
wheels=$3
unitdir=$4
python=${PYTHON:-/usr/bin/python3}
venv=/opt/ctaops
doc=/usr/share/doc/ctaops

"$python" -m venv "$root$venv"
# No index: exactly the wheels given, pinned by requirements.txt.
"$root$venv/bin/python" -m pip install -q --no-index --no-compile --disable-pip-version-check \
    --find-links "$wheels" "$wheel" -r requirements.txt
# The venv was built under the staging root: make its scripts and activation files name $venv.
grep -rlI --null -- "$root" "$root$venv" | xargs -0 -r sed -i "s|$root||g"
# pip records where the wheel came from (a path in this build); the installed package does not.
find "$root$venv" -name direct_url.json -delete
# -f: the venv's own pip was compiled under the staging path too.
"$root$venv/bin/python" -m compileall -f -q -s "$root" -p / "$root$venv/lib"

install -d "$root/etc/cta-ops" "$root$unitdir" "$root$doc"
install -m 0640 packaging/cta-ops-config.yaml "$root/etc/cta-ops/cta-ops-config.yaml"
install -m 0644 packaging/error-messages.yaml "$root/etc/cta-ops/error-messages.yaml"
install -m 0644 packaging/systemd/*.service packaging/systemd/*.timer "$root$unitdir/"
cp -r packaging/cron packaging/rundeck packaging/logrotate "$root$doc/"
install -m 0644 docs/install.md docs/scheduling.md LICENSE "$root$doc/"
