#!/bin/sh
# make fuzz: build every libFuzzer harness in tests/fuzz and run each for
# FUZZ_SECONDS (default 60).  Needs clang and libclang-rt-14-dev.
# Findings (crash-*, leak-*) are left in build/fuzz/HARNESS/ and make the
# run fail.
set -eu
cd "$(dirname "$0")/../.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
OUT=build/fuzz
mkdir -p "$OUT"
GCCINC=$(gcc -print-file-name=include)
FUZZ="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
# dust's code is built against its own headers, as in the firmware; its
# malloc() and string functions resolve to the C library's here.
DUST="-std=gnu11 -nostdinc -isystem $GCCINC -include src/include/compiler.h
	-Isrc/include -Isrc/arch/x86/include -Isrc -ffreestanding"
failed=0
run() {
	name=$1
	shift
	echo "== $name"
	mkdir -p "$OUT/$name/corpus"
	# Seed inputs, if the harness has any.
	if [ -d "tests/fuzz/seeds/$name" ]; then
		find "tests/fuzz/seeds/$name" -type f ! -name '*.py' \
			-exec cp {} "$OUT/$name/corpus/" \;
	fi
	flags=$1
	shift
	# shellcheck disable=SC2086
	clang $FUZZ $flags -o "$OUT/$name/fuzzer" "$@"
	if ! (cd "$OUT/$name" && ./fuzzer -max_total_time="$SECONDS_EACH" \
		-print_final_stats=1 corpus 2>&1 | tail -5); then
		failed=1
	fi
	if ls "$OUT/$name"/crash-* "$OUT/$name"/leak-* >/dev/null 2>&1; then
		echo "FINDINGS in $OUT/$name"
		failed=1
	fi
}
run unzip "" tests/fuzz/fuzz_unzip.c
run dhcp "$DUST" tests/fuzz/fuzz_dhcp.c src/net/udp/dhcppkt.c
run dns "$DUST" tests/fuzz/fuzz_dns.c src/net/udp/dnsmsg.c
# TCP runs a whole connection and finds its receive entry in a linker
# table; clang's ASan would pad the table's entries, so globals are left
# uninstrumented there (heap and stack checks stay).
run tcp "$DUST -Wl,-T,tests/unit/tables.ld -mllvm -asan-globals=0" \
	tests/fuzz/fuzz_tcp.c \
	src/net/tcp.c src/core/xfer.c src/core/iobuf.c src/core/timers.c
run iscsi_keys "$DUST" tests/fuzz/fuzz_iscsi_keys.c src/net/tcp/iscsi_text.c \
	src/crypto/md5.c
run iscsi_pdu "$DUST" tests/fuzz/fuzz_iscsi_pdu.c src/net/tcp/iscsi_text.c \
	src/crypto/md5.c src/core/xfer.c src/core/iobuf.c src/core/timers.c
# HTTP and TFTP run whole transfers against fake servers in the harness;
# they link dust's own string and format code (dust_libc.h renames it so
# the fuzzer's runtime keeps the C library's) and count dust's blocks.
# That code's byte loops get no coverage feedback (coverage-ignore.txt):
# it would only slow the fuzzer down.
HOST="$DUST -include tests/fuzz/dust_libc.h -Wl,-T,tests/unit/tables.ld
	-mllvm -asan-globals=0
	-fsanitize-coverage-ignorelist=tests/fuzz/coverage-ignore.txt"
LIBDUST="tests/fuzz/dust_host.c src/core/string.c src/core/vsprintf.c
	src/core/xfer.c src/core/iobuf.c src/core/timers.c src/core/uri.c"
# shellcheck disable=SC2086
run http "$HOST" tests/fuzz/fuzz_http.c src/net/tcp/http.c $LIBDUST
# shellcheck disable=SC2086
run tftp "$HOST" tests/fuzz/fuzz_tftp.c src/net/udp/tftp.c $LIBDUST
exit $failed
