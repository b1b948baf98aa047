#!/bin/sh
# Guest side of the test bed, run as init by the image's stub once /work (9p) is mounted: brings up
# udev and the VTL, installs the shared binary and wheel, then runs the mode the host asked for.
# The systemd mode hands PID 1 to systemd instead (systemd/boot.sh) before anything is mounted.
[ "$(cat /work/mode)" = systemd ] && exec /bin/sh /work/guest/systemd/boot.sh
export PATH=/opt/ctaops/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1
R=/work/results
mkdir -p /dev/pts /run /tmp "$R"
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t devpts devpts /dev/pts
mkdir -p /run/lock/iscsi /var/lock
ip link set lo up
hostname ctaops-vm
for m in sg st ch iscsi_tcp; do modprobe "$m"; done
/lib/systemd/systemd-udevd --daemon >/dev/null 2>&1

finish() {
    sync
    echo "ctaops-vm: done" > /dev/console
    echo o > /proc/sysrq-trigger
    sleep 30
}

start=$(date +%s)
[ "$(cat /work/mode)" = bench ] && export CTAOPS_VTL_CARTRIDGE_MIB=2304
if ! python3 /work/guest/vtl.py setup > "$R/vtl.log" 2>&1; then
    echo setup-failed > "$R/status"
    cat "$R/vtl.log" > /dev/console
    finish
fi
cp /run/ctaops-vm/devices.json "$R/devices.json"
install -m 755 /work/bin/ctaops /usr/local/bin/ctaops
python3 -m venv --system-site-packages /opt/ctaops
/opt/ctaops/bin/pip install -q --no-index --no-deps /work/wheel/*.whl > "$R/pip.log" 2>&1 || {
    echo install-failed > "$R/status"; finish; }
echo "setup $(( $(date +%s) - start )) s" > "$R/timings"

case "$(cat /work/mode)" in
test)
    cd /work/guest || finish
    python3 -m pytest -p no:cacheprovider -q -rfE tests --junitxml="$R/junit.xml" > "$R/pytest.log" 2>&1
    echo $? > "$R/pytest.rc"
    echo "tests $(( $(date +%s) - start )) s" >> "$R/timings"
    echo ran > "$R/status"
    ;;
bench)
    python3 /work/guest/bench_st.py > "$R/bench.json" 2> "$R/bench.log"
    echo $? > "$R/bench.rc"
    echo ran > "$R/status"
    ;;
serve)
    echo serving > "$R/status"
    echo "ctaops-vm: serving /work/cmd" > /dev/console
    while [ ! -e /work/cmd/stop ]; do
        for f in /work/cmd/*.sh; do
            [ -e "$f" ] || continue
            mv "$f" "$f.running"
            sh "$f.running" > "$f.out" 2>&1
            echo $? > "$f.rc"
            mv "$f.running" "$f.done"
        done
        sleep 0.3
    done
    ;;
esac
finish
