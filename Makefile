# dust: one non-recursive Makefile for every image, tool and test.
#
#   make              build every image into bin/ and print their sizes
#   make check        host unit tests, then the QEMU lab tests
#   make demo         a diskless client boots Linux over iSCSI through dust
#   make prompt       build and boot dust in QEMU to its dust> prompt
#   make unit         host unit tests only (ASan + UBSan)
#   make qemu-test    QEMU lab tests only
#   make fuzz         run every fuzz harness for a while
#   make bench        benchmarks against iPXE
#   make tcp-interop  dust's TCP against Linux's over a TUN device (root)
#
# Options: V=1 (show commands), CTRLB_MS=ms (Ctrl-B window, default 1000),
# USER_CLASS=text (DHCP option 77, default dust), FAIL_SHELL=1 (the command
# line instead of handing back to the BIOS when nothing boots), DEBUG=1
# (assertions on in the firmware).  Changing one rebuilds what it affects.

VERSION := 0.1.0

SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
export SOURCE_DATE_EPOCH
export LC_ALL := C
export TZ := UTC
GIT_REV := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
BUILD_DATE := $(shell date -u -d @$(SOURCE_DATE_EPOCH) +%Y-%m-%d)

CC := gcc
LD := ld
NASM := nasm
OBJCOPY := objcopy
HOSTCC := gcc
CTRLB_MS ?= 1000
USER_CLASS ?= dust
FAIL_SHELL ?= 0

BUILD := build
BIN := bin

ifeq ($(V),1)
Q :=
else
Q := @
endif

.SUFFIXES:
.DELETE_ON_ERROR:
.SECONDARY:

# ------------------------------------------------------------ sources
# The portable core: no hardware, runs on the host in unit tests too.
PORTABLE_SRCS := \
	src/core/console.c \
	src/core/div64.c \
	src/core/heap.c \
	src/core/init.c \
	src/core/iobuf.c \
	src/core/memmap_carve.c \
	src/core/process.c \
	src/core/random.c \
	src/core/string.c \
	src/core/timers.c \
	src/core/uri.c \
	src/core/umalloc.c \
	src/core/image.c \
	src/core/payload.c \
	src/core/downloader.c \
	src/core/script.c \
	src/crypto/md5.c \
	src/core/strerror.c \
	src/core/vsprintf.c \
	src/core/xfer.c \
	src/core/settings.c \
	src/core/settings_types.c \
	src/net/netdevice.c \
	src/net/tcpip.c \
	src/net/arp.c \
	src/net/ipv4.c \
	src/net/icmp.c \
	src/net/udp.c \
	src/net/tcp.c \
	src/net/udp/dhcppkt.c \
	src/net/udp/dhcp.c \
	src/net/udp/dnsmsg.c \
	src/net/udp/dns.c \
	src/net/udp/tftp.c \
	src/net/tcp/http.c \
	src/net/tcp/iscsi_text.c \
	src/net/tcp/iscsi.c \
	src/hci/readline.c \
	src/hci/shell.c \
	src/hci/commands/basic_cmd.c \
	src/hci/commands/ifmgmt_cmd.c \
	src/hci/commands/net_cmd.c \
	src/hci/commands/settings_cmd.c \
	src/hci/commands/image_cmd.c \
	src/drivers/block/blockdev.c \
	src/drivers/block/ibft.c

# Everything every firmware image links.
CORE_SRCS := $(PORTABLE_SRCS) \
	src/core/assert.c \
	src/core/main.c \
	src/core/malloc.c \
	src/core/version.c \
	src/usr/autoboot.c \
	src/usr/sanboot.c \
	src/hci/commands/sanboot_cmd.c \
	src/drivers/bus/pci.c \
	src/hci/commands/pci_cmd.c \
	$(wildcard src/arch/x86/core/*.c) \
	$(wildcard src/arch/x86/interface/pcbios/*.c) \
	$(wildcard src/arch/x86/hci/*.c) \
	$(wildcard src/arch/x86/image/*.c) \
	src/arch/x86/interface/pxe/pxe_api.c \
	src/arch/x86/interface/pxe/pxe_entry.c

# Not in the option ROMs, which must stay within 64 KiB: the link test
# responder (ifecho) and sha256sum.  Host unit tests build them too.
FULL_SRCS := src/net/ethecho.c src/crypto/sha256.c \
	src/hci/commands/sha256sum_cmd.c

# NIC drivers per payload variant: "all" goes into .iso/.usb/.lkrn/.pxe.
DRIVERS_e1000 := src/drivers/net/e1000.c
DRIVERS_rtl8139 := src/drivers/net/rtl8139.c
DRIVERS_virtio := src/drivers/bus/virtio-pci.c src/drivers/net/virtio-net.c
DRIVERS_all := $(DRIVERS_e1000) $(DRIVERS_rtl8139) $(DRIVERS_virtio)
DRIVERS_undi :=
DRIVERS_all += $(FULL_SRCS)
DRIVERS_undi += $(FULL_SRCS)
VARIANTS := all e1000 rtl8139 virtio undi

# The client side of the ROM's PXE stack: dust.pxe unloads the stack it was
# loaded by, undionly.kpxe drives the NIC through it (UNDI).
PXE_CLIENT_SRCS := src/arch/x86/interface/pxe/pxe_call.c \
	src/arch/x86/interface/pxe/pxe_struct.c
DRIVERS_all += $(PXE_CLIENT_SRCS) src/arch/x86/interface/pxe/pxe_unload.c
DRIVERS_undi += $(PXE_CLIENT_SRCS) src/drivers/net/undi.c
# The PXE API's TFTP services: everywhere but in the PCI option ROMs,
# which have no room left for them.
PXE_TFTP_SRCS := src/arch/x86/interface/pxe/pxe_tftp.c
DRIVERS_all += $(PXE_TFTP_SRCS)
DRIVERS_undi += $(PXE_TFTP_SRCS)

STUB_SRCS := src/arch/x86/prefix/install.c src/arch/x86/prefix/unzip.c

ALL_FW_SRCS := $(sort $(CORE_SRCS) $(foreach v,$(VARIANTS),$(DRIVERS_$(v))))

# Each source file gets a number that error codes carry (see errno.h).
# The numbering lives in a file that changes only when the list does, so
# objects are rebuilt exactly when their numbers move.
ERRFILE_LIST := $(ALL_FW_SRCS)
_errn :=
$(foreach s,$(ERRFILE_LIST),$(eval _errn += x)$(eval ERRFILE_$(s) := $(words $(_errn))))
# The stamp also carries the build options given to make (they reach the
# compiler as -D flags): changing one builds the objects again.
ERRFILE_STAMP := $(BUILD)/errfiles.list
$(shell mkdir -p $(BUILD) && \
	echo '$(ERRFILE_LIST) | $(CTRLB_MS) $(USER_CLASS) $(FAIL_SHELL) $(DEBUG)' \
	> $(ERRFILE_STAMP).new && \
	(cmp -s $(ERRFILE_STAMP).new $(ERRFILE_STAMP) || \
	 mv $(ERRFILE_STAMP).new $(ERRFILE_STAMP)))
# The commit and date that version shows: only version.o depends on them.
BUILDINFO_STAMP := $(BUILD)/buildinfo
$(shell echo '$(GIT_REV) $(BUILD_DATE)' > $(BUILDINFO_STAMP).new && \
	(cmp -s $(BUILDINFO_STAMP).new $(BUILDINFO_STAMP) || \
	 mv $(BUILDINFO_STAMP).new $(BUILDINFO_STAMP)))

# ------------------------------------------------------------ flags
GCC_INC := $(shell $(CC) -print-file-name=include)
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
COMMON_CFLAGS := -std=gnu11 -nostdinc -isystem $(GCC_INC) \
	-include src/include/compiler.h -Isrc/include -Isrc/arch/x86/include \
	-Isrc -I$(BUILD)/include $(WARN) \
	-DDUST_VERSION='"$(VERSION)"' \
	-DDUST_BUILD='"$(GIT_REV), $(BUILD_DATE)"' \
	-DCONFIG_CTRLB_MS=$(CTRLB_MS) \
	-DCONFIG_USER_CLASS='"$(USER_CLASS)"' \
	-DCONFIG_AUTOBOOT_FAIL_SHELL=$(FAIL_SHELL)
FW_CFLAGS := $(COMMON_CFLAGS) -m32 -march=i686 -Os -ffreestanding -fno-builtin \
	-fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -mgeneral-regs-only -fno-common -ffunction-sections \
	-fdata-sections -fno-tree-loop-distribute-patterns -fno-strict-aliasing \
	-mpreferred-stack-boundary=2 -mregparm=3 \
	--param=min-pagesize=0
ifeq ($(DEBUG),1)
FW_CFLAGS += -DDUST_ASSERT
endif
STUB_CFLAGS := $(COMMON_CFLAGS) -m32 -march=i686 -Os -ffreestanding \
	-fno-builtin -fpie -fvisibility=hidden -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -mgeneral-regs-only \
	-fno-jump-tables -fno-tree-loop-distribute-patterns -Isrc/arch/x86/prefix
NASMFLAGS := -f bin -w+all -w-unknown-warning -Werror -Isrc/arch/x86/prefix/ -Isrc/arch/x86/transitions/ \
	-I$(BUILD)/include/

HOST_TOOL_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror

# ------------------------------------------------------------ images
ROMS := $(BIN)/e1000.rom $(BIN)/rtl8139.rom $(BIN)/virtio-net.rom
IMAGES := $(BIN)/dust.lkrn $(BIN)/dust.pxe $(BIN)/undionly.kpxe \
	$(BIN)/dust.usb $(BIN)/dust.iso $(ROMS)

# Size limits, with what they protect.
ROM_MAX := 65536
NBP_MAX := 458752
DISK_MAX := 458752
LKRN_SETUP_MAX := 32768

all: $(IMAGES)
	@sh util/sizes.sh $(IMAGES)

TOOLS := $(BUILD)/tools/mkpayload $(BUILD)/tools/romfix $(BUILD)/tools/zpack \
	$(BUILD)/tools/isofix

$(BUILD)/tools/%: util/%.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(HOST_TOOL_CFLAGS) -o $@ $<

$(BUILD)/tools/zpack: util/zpack.c src/arch/x86/prefix/unzip.c src/arch/x86/prefix/unzip.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(HOST_TOOL_CFLAGS) -Isrc/arch/x86/prefix -o $@ util/zpack.c

# resident.h holds only #defines; nasm reads the same file as %defines.
$(BUILD)/include/resident.inc: src/arch/x86/include/bios/resident.h
	@mkdir -p $(dir $@)
	$(Q)sed -n 's/^#define[ \t]\+\([A-Za-z0-9_]\+\)[ \t]\+\([^/]*\).*/%define \1 \2/p' $< > $@

$(BUILD)/resident.bin: src/arch/x86/transitions/resident.asm $(BUILD)/include/resident.inc
	@mkdir -p $(dir $@)
	@echo "  NASM    $@"
	$(Q)$(NASM) $(NASMFLAGS) -MD $@.d -o $@ $<

# ---- the install stub
STUB_OBJS := $(patsubst src/%.c,$(BUILD)/stub/%.o,$(STUB_SRCS))
$(BUILD)/stub/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(STUB_CFLAGS) -MMD -c -o $@ $<

$(BUILD)/stub.elf: $(STUB_OBJS) src/arch/x86/scripts/stub.ld $(BUILD)/tools/mkpayload
	@echo "  LD      $@"
	$(Q)$(LD) -m elf_i386 -T src/arch/x86/scripts/stub.ld -q --no-warn-rwx-segments \
		-o $@ $(STUB_OBJS)
	$(Q)$(BUILD)/tools/mkpayload check-pic $@

$(BUILD)/stub.bin: $(BUILD)/stub.elf
	$(Q)$(OBJCOPY) -O binary $< $@

# ---- the core, one link per variant
$(BUILD)/include/errfiles.c: Makefile $(ERRFILE_STAMP)
	@mkdir -p $(dir $@)
	$(Q)( echo '/* Generated: source file names by ERRFILE number. */'; \
	  echo 'const char *const errfile_names[] = { "?",'; \
	  $(foreach s,$(ERRFILE_LIST),echo '"$(notdir $(s))",';) \
	  echo '};'; \
	  echo 'const unsigned int errfile_count = sizeof(errfile_names) / sizeof(errfile_names[0]);' \
	) > $@

$(BUILD)/fw/errfiles.o: $(BUILD)/include/errfiles.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(FW_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

# Objects depend on their ERRFILE numbers (and the flags in the Makefile).
$(BUILD)/fw/%.o: src/%.c Makefile $(ERRFILE_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(FW_CFLAGS) -DERRFILE=$(ERRFILE_$<) -MMD -c -o $@ $<

# The commit and date in the version text.
$(BUILD)/fw/core/version.o $(BUILD)/host/src/core/version.o: $(BUILDINFO_STAMP)

fw_objs = $(patsubst src/%.c,$(BUILD)/fw/%.o,$(CORE_SRCS) $(DRIVERS_$(1))) \
	$(BUILD)/fw/errfiles.o

define core_variant
$(BUILD)/core-$(1).elf: $(call fw_objs,$(1)) src/arch/x86/scripts/core.ld
	@echo "  LD      $$@"
	$(Q)$(LD) -m elf_i386 -T src/arch/x86/scripts/core.ld -q --gc-sections \
		--no-warn-rwx-segments \
		-Map $(BUILD)/core-$(1).map -o $$@ $(call fw_objs,$(1))

$(BUILD)/payload-$(1).bin: $(BUILD)/core-$(1).elf $(BUILD)/tools/mkpayload $(BUILD)/tools/zpack
	@echo "  PAYLOAD $$@"
	$(Q)$(BUILD)/tools/mkpayload split $$< $(BUILD)/core-$(1).raw $(BUILD)/core-$(1).hdr
	$(Q)$(BUILD)/tools/zpack $(BUILD)/core-$(1).raw $(BUILD)/core-$(1).z
	$(Q)$(BUILD)/tools/mkpayload join $(BUILD)/core-$(1).hdr $(BUILD)/core-$(1).z $$@
endef
$(foreach v,$(VARIANTS),$(eval $(call core_variant,$(v))))

PREFIX_DEPS := $(BUILD)/resident.bin $(BUILD)/stub.bin $(BUILD)/include/resident.inc

# assemble_prefix SOURCE, PAYLOAD-VARIANT, OUTPUT, EXTRA-FLAGS
define assemble_prefix
	@mkdir -p $(dir $(3))
	@echo "  NASM    $(3)"
	$(Q)$(NASM) $(NASMFLAGS) -DRESIDENT_BIN='"$(BUILD)/resident.bin"' \
		-DSTUB_BIN='"$(BUILD)/stub.bin"' \
		-DPAYLOAD_BIN='"$(BUILD)/payload-$(2).bin"' $(4) \
		-MD $(BUILD)/$(notdir $(3)).d -MT $(3) -o $(3) $(1)
endef

# check_size FILE, LIMIT, WHAT
define check_size
	$(Q)size=$$(stat -c %s $(1)); if [ $$size -gt $(2) ]; then \
		echo "error: $(1) is $$size bytes, over the $(2)-byte limit of $(3)" >&2; \
		rm -f $(1); exit 1; fi
endef

$(BIN)/dust.lkrn: src/arch/x86/prefix/lkrnprefix.asm $(BUILD)/payload-all.bin $(PREFIX_DEPS)
	$(call assemble_prefix,$<,all,$@,)
	$(Q)setup=$$(( ($$(od -An -tu1 -j497 -N1 $@) + 1) * 512 )); \
	if [ $$setup -gt $(LKRN_SETUP_MAX) ]; then \
		echo "error: $@ setup part is $$setup bytes, over the $(LKRN_SETUP_MAX)-byte limit boot loaders accept" >&2; \
		rm -f $@; exit 1; fi

$(BIN)/dust.pxe: src/arch/x86/prefix/pxeprefix.asm $(BUILD)/payload-all.bin $(PREFIX_DEPS)
	$(call assemble_prefix,$<,all,$@,)
	$(call check_size,$@,$(NBP_MAX),a PXE program in base memory)

$(BIN)/undionly.kpxe: src/arch/x86/prefix/pxeprefix.asm $(BUILD)/payload-undi.bin $(PREFIX_DEPS)
	$(call assemble_prefix,$<,undi,$@,-DKEEP_PXE)
	$(call check_size,$@,$(NBP_MAX),a PXE program in base memory)

# Padded to a multiple of 32 KiB: SeaBIOS derives no usable geometry for a
# USB disk of 33-63 sectors (it reports 0 cylinders and cannot read
# sector 0); whole multiples of 32 sectors get one.  The loader reads only
# the image itself (the partition entry's size), never the padding.
$(BIN)/dust.usb: src/arch/x86/prefix/diskprefix.asm $(BUILD)/payload-all.bin $(PREFIX_DEPS)
	$(call assemble_prefix,$<,all,$@,)
	$(call check_size,$@,$(DISK_MAX),a disk image loaded into base memory)
	$(Q)truncate -s %32K $@

$(BIN)/dust.iso: $(BIN)/dust.usb $(BUILD)/tools/isofix
	@echo "  ISO     $@"
	$(Q)rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso
	$(Q)cp $< $(BUILD)/iso/dust.img
	$(Q)head -c 512 $< > $(BUILD)/isombr.bin
	$(Q)touch -d @$(SOURCE_DATE_EPOCH) $(BUILD)/iso $(BUILD)/iso/dust.img
	$(Q)xorriso -as mkisofs -quiet -o $@ -V DUST -sysid dust \
		-b dust.img -no-emul-boot -boot-load-size 4 -boot-info-table \
		-isohybrid-mbr $(BUILD)/isombr.bin $(BUILD)/iso 2>&1 | \
		grep -v 'libisofs: NOTE' >&2 || true
	$(Q)test -s $@
	$(Q)$(BUILD)/tools/isofix $@

# rom_image NAME, VARIANT, VENDOR, DEVICE
define rom_image
$(BIN)/$(1).rom: src/arch/x86/prefix/romprefix.asm $(BUILD)/payload-$(2).bin $(PREFIX_DEPS) $(BUILD)/tools/romfix
	$$(call assemble_prefix,$$<,$(2),$$@,-DPCI_VENDOR=$(3) -DPCI_DEVICE=$(4))
	$$(call check_size,$$@,$(ROM_MAX),a PCI option ROM)
	$(Q)$(BUILD)/tools/romfix $$@
endef
$(eval $(call rom_image,e1000,e1000,0x8086,0x100e))
$(eval $(call rom_image,rtl8139,rtl8139,0x10ec,0x8139))
$(eval $(call rom_image,virtio-net,virtio,0x1af4,0x1000))

# ------------------------------------------------------------ host unit tests
# dust's code is freestanding on the host too (its own libc headers);
# AddressSanitizer skips globals in named sections, so linker tables stay
# packed.
HOST_CFLAGS := $(COMMON_CFLAGS) -DDUST_HOST -ffreestanding -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-builtin -fno-tree-loop-distribute-patterns
UNIT_TEST_SRCS := $(wildcard tests/unit/test_*.c)
# Pure parts of platform code the unit tests also check.
UNIT_EXTRA_SRCS := src/arch/x86/interface/pxe/pxe_struct.c $(FULL_SRCS) \
	src/arch/x86/interface/pxe/pxe_api.c \
	src/arch/x86/interface/pxe/pxe_tftp.c
UNIT_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(PORTABLE_SRCS) $(UNIT_EXTRA_SRCS) $(UNIT_TEST_SRCS) \
	tests/unit/runner.c tests/unit/hostcon.c tests/unit/fake_platform.c \
	tests/unit/fakenet.c) $(BUILD)/host/errfiles.o $(BUILD)/host/hostshim.o

$(BUILD)/host/errfiles.o: $(BUILD)/include/errfiles.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(BUILD)/host/hostshim.o: tests/unit/hostshim.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -std=gnu11 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined \
		-c -o $@ $<

$(BUILD)/host/%.o: %.c Makefile $(ERRFILE_STAMP)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -DERRFILE=$(or $(ERRFILE_$<),0) -MMD -c -o $@ $<

$(BUILD)/unit-tests: $(UNIT_OBJS) tests/unit/tables.ld
	@echo "  LINK    $@"
	$(Q)$(HOSTCC) -fsanitize=address,undefined -Wl,-T,tests/unit/tables.ld -o $@ $(UNIT_OBJS)

# The TCP simulator: two TCP ends over a simulated lossy link, with its
# own network layer and clock (tests/tcpsim/).
TCPSIM_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,src/net/tcp.c src/core/xfer.c \
	src/core/iobuf.c src/core/timers.c src/core/random.c src/core/string.c \
	tests/tcpsim/sim.c) $(BUILD)/host/simhost.o

$(BUILD)/host/simhost.o: tests/tcpsim/simhost.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -std=gnu11 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined \
		-c -o $@ $<

$(BUILD)/tcp-sim: $(TCPSIM_OBJS) tests/unit/tables.ld
	@echo "  LINK    $@"
	$(Q)$(HOSTCC) -fsanitize=address,undefined -Wl,-T,tests/unit/tables.ld -o $@ $(TCPSIM_OBJS)

# Interop with the Linux kernel's TCP over a TUN device (manual: needs
# root, so not part of check).  Built without sanitizers: it measures.
INTEROP_CFLAGS := $(COMMON_CFLAGS) -DDUST_HOST -ffreestanding -O2 -fno-builtin \
	-fno-tree-loop-distribute-patterns
INTEROP_OBJS := $(patsubst %.c,$(BUILD)/interop/%.o,src/net/tcp.c src/core/xfer.c \
	src/core/iobuf.c src/core/timers.c src/core/random.c src/core/string.c \
	tests/tcpsim/interop.c) $(BUILD)/interop/tunhost.o $(BUILD)/interop/simhost.o

$(BUILD)/interop/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(INTEROP_CFLAGS) -DERRFILE=$(or $(ERRFILE_$<),0) -c -o $@ $<

$(BUILD)/interop/tunhost.o $(BUILD)/interop/simhost.o: $(BUILD)/interop/%.o: tests/tcpsim/%.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -c -o $@ $<

$(BUILD)/tcp-interop: $(INTEROP_OBJS) tests/unit/tables.ld
	@echo "  LINK    $@"
	$(Q)$(HOSTCC) -Wl,-T,tests/unit/tables.ld -o $@ $(INTEROP_OBJS)

tcp-interop: $(BUILD)/tcp-interop
	$(Q)sh tests/tcpsim/interop.sh

unit: $(BUILD)/unit-tests $(BUILD)/tcp-sim
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $<
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(BUILD)/tcp-sim

# ------------------------------------------------------------ QEMU tests
qemu-test: all
	$(Q)python3 tests/qemu/run.py

check: unit qemu-test

demo: all
	$(Q)python3 tests/qemu/demo.py

prompt: all
	$(Q)sh tests/qemu/prompt.sh

bench: all
	$(Q)python3 tests/qemu/bench.py

fuzz:
	$(Q)sh tests/fuzz/run.sh

clean:
	rm -rf $(BUILD) $(BIN)

.PHONY: all unit qemu-test check demo prompt bench fuzz clean tcp-interop

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
