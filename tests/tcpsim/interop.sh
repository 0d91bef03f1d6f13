#!/bin/sh
# make tcp-interop: dust's TCP against the Linux kernel's.  Needs root: a
# private network namespace gets a TUN device (10.9.0.1 is Linux, 10.9.0.2
# is dust) and a Linux server (interop_server.py); build/tcp-interop runs
# dust's TCP on the host and drops the given share of packets each way.
# Scenarios: 64 KiB reads one at a time and two at a time (iSCSI-like),
# and a 4 MiB upload, without loss and with 10 % loss each way.
set -eu
cd "$(dirname "$0")/../.."
NS=dust-interop-$$
SRV=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip tuntap add dev dtun mode tun
ip netns exec "$NS" ip addr add 10.9.0.1/24 dev dtun
ip netns exec "$NS" ip link set dtun up
ip netns exec "$NS" python3 tests/tcpsim/interop_server.py 10.9.0.1 &
SRV=$!
sleep 1
failed=0
for args in "0 65536 128 1" "10 65536 128 1" "0 65536 128 2" \
	    "10 65536 128 2" "0 65536 64 up" "10 65536 64 up"; do
	# shellcheck disable=SC2086
	ip netns exec "$NS" build/tcp-interop $args || failed=1
done
exit $failed
