#!/bin/sh
# Runs as root under systemd (ctaops-vm-check.service): installs ctaops as the RPM does
# (packaging/rpm/ctaops.spec: venv /opt/ctaops, users, directories, units), runs the suite in
# tests/, and leaves everything the host asserts on in /work/results.
export PATH=/opt/ctaops/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1
R=/work/results
mkdir -p "$R"
echo "boot $(cut -d. -f1 /proc/uptime) s" > "$R/timings"
# The boot is not finished while this unit runs (multi-user.target wants it), so systemd-analyze
# has no total yet: the kernel's share is when userspace started.
systemctl show -p UserspaceTimestampMonotonic --value | awk '{printf "kernel %d s\n", $1 / 1000000}' >> "$R/timings"
ps -p 1 -o comm= > "$R/pid1"

done_() {
    # No iSCSI session may outlive its target when the unit's leftovers are killed (KillSignal=).
    iscsiadm -m node --logout > /dev/null 2>&1
    journalctl -b --no-pager -o short-monotonic > "$R/journal.log" 2>&1
    echo "$1" > "$R/status"
    sync
    exit 0
}

start=$(date +%s)
# As the RPM's %install: a venv of its own with the wheel and exactly the pinned dependency wheels.
/usr/bin/python3 -m venv /opt/ctaops
/opt/ctaops/bin/pip install -q --no-index --disable-pip-version-check --find-links /work/deps /work/wheel/*.whl \
    -r /work/deps/requirements.txt > "$R/pip.log" 2>&1 || done_ install-failed
getent group tape >/dev/null || groupadd -r tape
getent passwd tape-local >/dev/null ||
    useradd -r -g tape -d /var/lib/cta-ops -s /sbin/nologin -c "CTA operations automation" tape-local
install -d -m 2770 -o tape-local -g tape /var/log/cta-ops /var/log/cta-ops/repack /var/log/cta-ops/verification \
    /var/lib/cta-ops
install -d -m 0755 /etc/cta-ops
# No node_exporter here: no unit may need its textfile directory (ReadWritePaths=-... is optional).
install -m 0644 /work/units/*.service /work/units/*.timer /etc/systemd/system/
systemctl daemon-reload
echo "install $(( $(date +%s) - start )) s" >> "$R/timings"

# tgt's libraries behind the kernel's sg/st drivers (as in mode test), for the drive tools' units.
for m in sg st ch iscsi_tcp; do modprobe "$m"; done
/usr/bin/python3 /work/guest/vtl.py setup > "$R/vtl.log" 2>&1
echo "vtl $(( $(date +%s) - start )) s" >> "$R/timings"

cd /work/guest/systemd || done_ no-suite
/usr/bin/python3 -m pytest -p no:cacheprovider -q -rfE tests --junitxml="$R/junit.xml" > "$R/pytest.log" 2>&1
echo $? > "$R/pytest.rc"
echo "tests $(( $(date +%s) - start )) s" >> "$R/timings"
done_ ran
