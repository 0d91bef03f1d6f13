#!/bin/bash
# Tests for util/zpack and the firmware decoder src/arch/x86/prefix/unzip.c.
#
#   tests/zpack/run.sh            (from anywhere; exits non-zero on failure)
#
# 1. zpack built with AddressSanitizer + UBSan round-trips a set of inputs
#    (empty, 1 byte, 1 MiB of zeros, pseudo-random data, text-like data,
#    /bin/bash, 32-bit x86 code compiled here) and compresses each twice
#    to check the output is deterministic.
# 2. The decoder built with the firmware flags has no undefined symbols,
#    no absolute relocations, no writable data and fits its size budget.
# 3. A sanitized in-process harness corrupts and truncates streams and
#    checks unzip() rejects them or at least stays inside its buffers.
# 4. If qemu-i386 is available, the -m32 -Os decoder itself decodes a
#    stream (32-bit binaries may not run natively here).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CC=${CC:-cc}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok:   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
note() { echo "note: $*"; }

UNZIP_DIR=$ROOT/src/arch/x86/prefix
SAN="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
FW_FLAGS="-m32 -march=i686 -Os -ffreestanding -fno-builtin -nostdinc -fpie
 -fvisibility=hidden -fno-stack-protector -fno-asynchronous-unwind-tables
 -mgeneral-regs-only"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1

# --- build ---------------------------------------------------------------
if $CC -O2 -Wall -Wextra -Werror -o "$WORK/zpack-plain" "$ROOT/util/zpack.c"; then
	ok "zpack builds with -O2 -Wall -Wextra -Werror"
else
	bad "zpack plain build"
fi
if ! $CC $SAN -Wall -Wextra -Werror -o "$WORK/zpack" "$ROOT/util/zpack.c"; then
	bad "zpack sanitized build"
	echo "$PASS passed, $FAIL failed"
	exit 1
fi
ok "zpack builds with -fsanitize=address,undefined"
ZPACK=$WORK/zpack

# --- inputs --------------------------------------------------------------
cat > "$WORK/gen.c" <<'EOF'
/* gen KIND SIZE SEED: deterministic test data on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static unsigned long long s;
static unsigned rnd(void)
{
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (unsigned)(s >> 11);
}
int main(int argc, char **argv)
{
	static const char *w[] = { "packet", "the", "dhcp", "boot", "tftp",
		"server", "ip", "route", "link", "up", "down", "\n", ", " };
	unsigned long n, i = 0;

	if (argc != 4)
		return 1;
	n = strtoul(argv[2], 0, 0);
	s = strtoull(argv[3], 0, 0) * 0x9e3779b97f4a7c15ull + 1;
	if (!strcmp(argv[1], "random")) {
		for (; i < n; i++)
			putchar(rnd() & 0xff);
	} else if (!strcmp(argv[1], "text")) {
		while (i < n) {
			const char *t = w[rnd() % 13];

			for (; *t && i < n; t++, i++)
				putchar(*t);
			if (i < n && rnd() % 3 == 0) {
				putchar(' ');
				i++;
			}
		}
	} else if (!strcmp(argv[1], "csrc")) {
		/* a C file full of small functions calling each other */
		unsigned f, nf = (unsigned)n;

		printf("struct s { int a, b; unsigned char c[8]; struct s *n; };\n");
		for (f = 0; f < nf; f++)
			printf("int f%u(struct s *p, int x);\n", f);
		for (f = 0; f < nf; f++) {
			unsigned k, nc = 1 + rnd() % 4;

			printf("int f%u(struct s *p, int x)\n{\n\tint r = x * %u;\n",
			       f, rnd() % 97);
			printf("\tswitch (x & 3) {\n\tcase 0: r += p->a; break;\n"
			       "\tcase 1: r ^= p->c[%u]; break;\n"
			       "\tdefault: r -= p->b >> %u;\n\t}\n",
			       rnd() % 8, rnd() % 5);
			for (k = 0; k < nc; k++)
				printf("\tif (r > %u)\n\t\tr += f%u(p->n, r - %u);\n",
				       rnd() % 1000, rnd() % nf, rnd() % 50);
			printf("\twhile (p && r-- > %u)\n\t\tp = p->n;\n",
			       rnd() % 7);
			printf("\treturn r + (p ? p->a : %u);\n}\n", rnd() % 9);
		}
	} else {
		return 1;
	}
	return 0;
}
EOF
$CC -O2 -o "$WORK/gen" "$WORK/gen.c" || { bad "generator build"; exit 1; }

IN=$WORK/in
mkdir -p "$IN"
: > "$IN/empty"
printf 'A' > "$IN/one"
head -c 1048576 /dev/zero > "$IN/zero1m"
"$WORK/gen" random 307200 1 > "$IN/random300k"
"$WORK/gen" text 200000 2 > "$IN/text200k"
cat "$IN/one" "$IN/random300k" "$IN/text200k" "$IN/one" > "$IN/mixed"
if [ -r /bin/bash ]; then
	head -c 1048576 /bin/bash > "$IN/bash1m"
else
	note "no /bin/bash, skipping that input"
fi

# 32-bit x86 code: generated C compiled -m32 -Os, both as a relocatable
# object and linked to a flat binary (where call targets are resolved).
"$WORK/gen" csrc 800 3 > "$WORK/code.c"
HAVE_M32=0
if $CC -m32 -Os -ffreestanding -fno-pie -c -o "$IN/code32.o" "$WORK/code.c" 2>/dev/null; then
	HAVE_M32=1
	if $CC -m32 -no-pie -nostdlib -static -Wl,-e,f0 \
	    -o "$WORK/code32.elf" "$IN/code32.o" 2>/dev/null &&
	    objcopy -O binary -j .text -j .rodata "$WORK/code32.elf" \
		"$IN/code32.bin"; then
		:
	else
		note "could not link the 32-bit test code; object only"
	fi
	# and a real program: zpack itself, 32-bit -Os
	$CC -m32 -Os -c -o "$IN/zpack32.o" "$ROOT/util/zpack.c" 2>/dev/null ||
		note "could not compile zpack.c with -m32"
else
	note "$CC -m32 unavailable: no 32-bit code inputs"
fi

# --- round trips -----------------------------------------------------------
for f in "$IN"/*; do
	name=$(basename "$f")
	if ! "$ZPACK" "$f" "$WORK/$name.dz" 2> "$WORK/err"; then
		bad "compress $name: $(head -c 400 "$WORK/err")"
		continue
	fi
	if ! "$ZPACK" -d "$WORK/$name.dz" "$WORK/$name.out" 2> "$WORK/err"; then
		bad "decompress $name: $(head -c 400 "$WORK/err")"
		continue
	fi
	if cmp -s "$f" "$WORK/$name.out"; then
		ok "round trip $name ($(stat -c %s "$f") -> $(stat -c %s "$WORK/$name.dz"))"
	else
		bad "round trip $name: output differs"
	fi
	# a second, independent build must produce the very same bytes
	if "$WORK/zpack-plain" "$f" "$WORK/$name.dz2" &&
	    cmp -s "$WORK/$name.dz" "$WORK/$name.dz2"; then
		ok "deterministic $name"
	else
		bad "deterministic $name: two runs differ"
	fi
done

# other options must round-trip too
f=$IN/text200k
for opt in "-F" "-X" "-p 0,0,0" "-p 1,2,3" "-p 0,3,1" "-e" "-X -p 2,1,1"; do
	if "$ZPACK" $opt "$f" "$WORK/opt.dz" &&
	    "$ZPACK" -d "$WORK/opt.dz" "$WORK/opt.out" && cmp -s "$f" "$WORK/opt.out"; then
		ok "round trip with $opt"
	else
		bad "round trip with $opt"
	fi
done

# --- firmware build of the decoder --------------------------------------------
if [ "$HAVE_M32" = 1 ] && gcc $FW_FLAGS -c -o "$WORK/unzip32.o" "$UNZIP_DIR/unzip.c"; then
	ok "unzip.c builds with the firmware flags"
	undef=$(nm -u "$WORK/unzip32.o")
	[ -z "$undef" ] && ok "no undefined symbols" || bad "undefined symbols: $undef"
	if readelf -r "$WORK/unzip32.o" | grep -q 'R_386_32 '; then
		bad "absolute R_386_32 relocations present"
	else
		ok "no R_386_32 relocations"
	fi
	# any allocated, writable section with a non-zero size is a problem
	wr=$(readelf -SW "$WORK/unzip32.o" | awk '
		/^ *\[ *[0-9]+\]/ {
			sub(/^ *\[ *[0-9]+\] */, "")
			if ($7 ~ /W/ && $7 ~ /A/ && $5 !~ /^0+$/) print $1
		}')
	if [ -z "$wr" ]; then
		ok "no writable data sections"
	else
		bad "writable sections: $wr"
	fi
	text=$(size -A "$WORK/unzip32.o" | awk '$1 == ".text" { print $2 }')
	if [ "${text:-99999}" -le 2048 ]; then
		ok "decoder .text is $text bytes (budget 2048)"
	else
		bad "decoder .text is $text bytes (budget 2048)"
	fi
else
	note "skipping firmware-flag checks (no -m32 toolchain)"
fi

# --- corruption and truncation -------------------------------------------------
cat > "$WORK/corrupt.c" <<'EOF'
/*
 * corrupt STREAM ORIGINAL SEED: unzip() must decode STREAM to ORIGINAL,
 * reject it when dstcap is too small or the stream is truncated, and
 * never step outside its buffers when bytes are flipped (each buffer is
 * heap-allocated to its exact size so ASan sees any overrun).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unzip.c"

static unsigned long long s;
static unsigned rnd(void)
{
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (unsigned)(s >> 11);
}

static unsigned char *load(const char *name, size_t *len)
{
	FILE *f = fopen(name, "rb");
	unsigned char *b;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0)
		exit(2);
	rewind(f);
	b = malloc(n ? (size_t)n : 1);
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n)
		exit(2);
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Decode a private copy of src[0..len) into a dst of exactly cap bytes. */
static long run(const unsigned char *src, size_t len, size_t cap,
		unsigned char **outp)
{
	unsigned char *in = malloc(len ? len : 1);
	unsigned char *out = malloc(cap ? cap : 1);
	void *work = malloc(UNZIP_WORKSPACE_SIZE);
	long r;

	memcpy(in, src, len);
	r = unzip(in, len, out, cap, work);
	free(in);
	free(work);
	if (outp)
		*outp = out;
	else
		free(out);
	return r;
}

int main(int argc, char **argv)
{
	size_t slen, olen, i, cut;
	unsigned char *src, *orig, *out, *buf;
	unsigned rejected = 0, accepted = 0, k;
	int fails = 0;
	long r;

	if (argc != 4)
		return 2;
	src = load(argv[1], &slen);
	orig = load(argv[2], &olen);
	s = strtoull(argv[3], 0, 0) * 0x9e3779b97f4a7c15ull + 7;

	r = run(src, slen, olen, &out);
	if (r != (long)olen || memcmp(out, orig, olen)) {
		printf("FAIL: clean stream does not decode\n");
		fails++;
	}
	free(out);
	if (unzip_length(src, slen) != (long)olen) {
		printf("FAIL: unzip_length\n");
		fails++;
	}
	if (olen && run(src, slen, olen - 1, NULL) >= 0) {
		printf("FAIL: accepted dstcap < length\n");
		fails++;
	}
	/* truncation at 100 places (always including 0 and len - 1) */
	for (k = 0; k < 100 && k < slen; k++) {
		cut = k == 0 ? 0 : k == 1 ? slen - 1 : rnd() % slen;
		if (run(src, cut, olen, NULL) >= 0) {
			printf("FAIL: accepted stream truncated to %zu of %zu\n",
			       cut, slen);
			fails++;
		}
	}
	/* 1000 damaged copies: 1..8 random bytes changed, random dstcap */
	buf = malloc(slen ? slen : 1);
	for (k = 0; k < 1000 && slen; k++) {
		unsigned nflip = 1 + rnd() % 8, j;
		size_t cap = olen;

		memcpy(buf, src, slen);
		for (j = 0; j < nflip; j++) {
			i = rnd() % slen;
			buf[i] ^= (unsigned char)(1 + rnd() % 255);
		}
		if (rnd() % 4 == 0)
			cap = olen ? rnd() % (olen + 1) : 0;
		r = run(buf, slen, cap, NULL);
		if (r >= 0 && (size_t)r > cap) {
			printf("FAIL: returned %ld > dstcap %zu\n", r, cap);
			fails++;
		}
		if (r < 0)
			rejected++;
		else
			accepted++;
	}
	/* arbitrary garbage behind a plausible header */
	for (k = 0; k < 200; k++) {
		size_t n = 6 + rnd() % 4096, cap = rnd() % 70000;
		unsigned char *g = malloc(n);

		for (i = 0; i < n; i++)
			g[i] = (unsigned char)rnd();
		g[0] = DZ_MAGIC;
		g[1] = (unsigned char)(rnd() % 4 | (rnd() % 4) << 5 |
				       (rnd() & 0x80));
		g[4] = g[5] = 0;
		r = run(g, n, cap, NULL);
		if (r >= 0 && (size_t)r > cap) {
			printf("FAIL: returned %ld > dstcap %zu\n", r, cap);
			fails++;
		}
		free(g);
	}
	free(buf);
	printf("damaged streams: %u rejected, %u decoded to something\n",
	       rejected, accepted);
	free(src);
	free(orig);
	return fails ? 1 : 0;
}
EOF
if $CC $SAN -Wall -Wextra -I"$UNZIP_DIR" -o "$WORK/corrupt" "$WORK/corrupt.c"; then
	seed=1
	for name in code32.bin code32.o zpack32.o text200k one empty; do
		[ -f "$WORK/$name.dz" ] || continue
		if "$WORK/corrupt" "$WORK/$name.dz" "$IN/$name" $seed > "$WORK/cres" 2>&1; then
			ok "corruption/truncation $name: $(tail -n 1 "$WORK/cres")"
		else
			bad "corruption/truncation $name: $(head -c 600 "$WORK/cres")"
		fi
		seed=$((seed + 1))
	done
else
	bad "corruption harness build"
fi

# --- the 32-bit firmware build, run under qemu-i386 if available -------------------
if [ "$HAVE_M32" = 1 ] && command -v qemu-i386 > /dev/null 2>&1 && [ -f "$WORK/unzip32.o" ]; then
	cat > "$WORK/fw.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unzip.h"
int main(int argc, char **argv)
{
	static unsigned char src[4 << 20], dst[4 << 20], ref[4 << 20];
	static unsigned short work[UNZIP_WORKSPACE_SIZE / 2];
	FILE *f = fopen(argv[1], "rb"), *g = fopen(argv[2], "rb");
	size_t n, m;
	long r;

	if (argc != 3 || !f || !g)
		return 2;
	n = fread(src, 1, sizeof(src), f);
	m = fread(ref, 1, sizeof(ref), g);
	r = unzip(src, n, dst, sizeof(dst), work);
	return !(r == (long)m && !memcmp(dst, ref, m));
}
EOF
	if $CC -m32 -O2 -static -I"$UNZIP_DIR" -o "$WORK/fw32" "$WORK/fw.c" "$WORK/unzip32.o" 2>/dev/null; then
		for name in code32.bin text200k mixed; do
			[ -f "$WORK/$name.dz" ] || continue
			if qemu-i386 "$WORK/fw32" "$WORK/$name.dz" "$IN/$name"; then
				ok "firmware-flag decoder (qemu-i386) decodes $name"
			else
				bad "firmware-flag decoder (qemu-i386) on $name"
			fi
		done
	else
		note "cannot link a static 32-bit test program; skipping qemu-i386 run"
	fi
else
	note "qemu-i386 not available: firmware-flag decoder not executed"
fi

echo "zpack: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
