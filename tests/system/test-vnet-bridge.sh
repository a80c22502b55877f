#!/usr/bin/env bash
# vnet bridged to the outside (issue 6): the host bridges vnet0 with its
# eth0, QEMU's user networking on the same subnet (box/box.sh), so the
# partitions reach QEMU's gateway and, through it, this machine.
#
#  - ping QEMU's gateway (10.77.0.254, "gateway") from the host and from
#    every partition, and its IPv6 address (fd77::fe) from a partition;
#  - every partition downloads 8 MiB over HTTP from a server on this
#    machine's loopback (QEMU forwards the gateway's TCP ports to it), and
#    one partition uploads 8 MiB to a sink here: SHA-256 compared at both
#    ends. QEMU's TCP checks every checksum, so this also shows that frames
#    sent with vnet's partial checksums are completed on their way out.
. "$(dirname "$0")/lib.sh"

www=$(mktemp -d)
sink_pid=
httpd_pid=
trap 'kill $httpd_pid $sink_pid 2>/dev/null; rm -rf "$www"' EXIT
head -c 8M /dev/urandom > "$www/blob"
down_sum=$(sha256sum < "$www/blob" | cut -d' ' -f1)

# Free loopback ports for the web server and the upload sink.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
sink_port=$(free_port)
busybox httpd -f -p "127.0.0.1:$http_port" -h "$www" & httpd_pid=$!
python3 - "$sink_port" "$www/upload" <<'PY' & sink_pid=$!
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
s.settimeout(600)
c, _ = s.accept()
with open(sys.argv[2], "wb") as f:
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        f.write(b)
PY
sleep 0.5

box "$box_on
echo @@PING
for n in host p1 p2 p3; do on \$n 'ping -c 1 -W 10 gateway >/dev/null 2>&1 && echo ok \$(hostname)'; done
on p1 'ping6 -c 1 -W 10 fd77::fe >/dev/null 2>&1 && echo ok6 \$(hostname)'
echo @@DOWN
for n in p1 p2 p3; do on \$n 'wget -q -O - http://gateway:$http_port/blob | sha256sum | sed \"s/ .*/ \$(hostname)/\"'; done
echo @@UP
on p2 'dd if=/dev/urandom of=/tmp/up bs=1M count=8 2>/dev/null; sha256sum < /tmp/up; nc gateway $sink_port < /tmp/up && echo sent'
echo @@STATS
cat /sys/class/net/vnet0/statistics/rx_errors
echo @@END"
check "box command succeeded (rc=$rc)" test "$rc" = 0
for n in host p1 p2 p3; do
    check "$n pings QEMU's gateway through the bridge" grep -qx "ok $n" <<<"$(section PING)"
done
check "p1 pings the gateway's IPv6 address" grep -qx "ok6 p1" <<<"$(section PING)"
for n in p1 p2 p3; do
    check "$n downloads 8 MiB from outside, SHA-256 intact" grep -qx "$down_sum $n" <<<"$(section DOWN)"
done
up=$(section UP)
check "p2 uploads 8 MiB to outside" grep -qx sent <<<"$up"
wait "$sink_pid"
check "the upload's SHA-256 is the same at both ends" \
    test "$(sha256sum < "$www/upload" | cut -d' ' -f1)" = "$(grep -m1 -oE '^[0-9a-f]{64}' <<<"$up")"
check "the host's vnet0 counted no ring errors" test "$(section STATS | head -1)" = 0
pass
