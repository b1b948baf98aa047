#!/bin/sh
# Guest side of the systemd mode, run as PID 1 by ../boot.sh: puts the check unit in place and hands
# PID 1 over to systemd, which mounts the rest, starts the check once multi-user.target is up and
# powers the guest off when it ends. The root file system is a snapshot, so nothing here persists.
E=/etc/systemd/system
install -m 0644 /work/guest/systemd/ctaops-vm-check.service "$E/ctaops-vm-check.service"
mkdir -p "$E/multi-user.target.wants"
ln -sf "$E/ctaops-vm-check.service" "$E/multi-user.target.wants/ctaops-vm-check.service"
# Nothing may wait for a console answer (there is none), and the VTL's daemons and apt's timers
# only cost boot time under TCG.
for unit in systemd-firstboot.service tgt.service iscsid.service iscsid.socket open-iscsi.service \
    apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer; do
    ln -sf /dev/null "$E/$unit"
done
exec /lib/systemd/systemd
