#!/bin/sh
# make prompt: boot dust in QEMU on this terminal, as a newcomer would see it.
#
# On a terminal it is interactive: type at the dust> prompt, `exit` hands
# back to the BIOS, Ctrl-A X quits QEMU.  Without a terminal (a pipe, CI) it
# types a few commands itself and stops.
set -eu
cd "$(dirname "$0")/../.."

qemu() {
	qemu-system-x86_64 -no-reboot -m 128 \
		-kernel bin/dust.lkrn -nic none -device e1000,romfile= "$@"
}

if [ -t 0 ]; then
	echo "Booting bin/dust.lkrn in QEMU.  Quit with Ctrl-A X."
	sleep 1
	qemu -nographic
else
	# Scripted: wait for the prompt, then type a few commands.
	{
		sleep 6
		for cmd in version pciscan memmap help exit; do
			printf '%s\r' "$cmd"
			sleep 2
		done
	} | timeout 40 qemu -display none -serial stdio -monitor none 2>/dev/null ||
		[ $? -eq 124 ]
fi
