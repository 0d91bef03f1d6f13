/* INT 13h for SAN disks: the disk is drive 0x80 (the BIOS's disks move up
 * one and the BIOS data area's count grows), with the CHS calls, the EDD
 * 3.0 extensions and drive parameters; every other drive passes through
 * to the handler that was there before.  The handler keeps working after
 * the boot: it lives in the resident block and calls C, whose memory the
 * INT 15h hook hides. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>
#include <dust/blockdev.h>
#include <dust/int13.h>
#include <dust/list.h>
#include <bios/bootinfo.h>
#include <bios/realmode.h>

#define BDA_NUM_DISKS  0x75
#define BDA_DISK_STATUS 0x74

/* Status codes (returned in AH) */
#define INT13_OK             0x00
#define INT13_BAD_COMMAND    0x01
#define INT13_NOT_FOUND      0x04
#define INT13_TIMEOUT        0x80

#define INT13_MAX_DRIVES 4
#define SECTOR 512

struct int13_drive {
	struct block_device *bdev;
	uint8_t drive;
	uint32_t cylinders;
	uint8_t heads, sectors;
	uint8_t last_status;
};

static struct int13_drive drives[INT13_MAX_DRIVES];
static unsigned int ndrives;
static int hooked;

/* EDD 3.0 disk address packet (INT 13h AH=42h/43h) */
struct edd_dap {
	uint8_t size;
	uint8_t reserved;
	uint16_t count;
	uint16_t offset;
	uint16_t segment;
	uint64_t lba;
	uint64_t flat;           /* with size >= 0x18 and seg:off FFFF:FFFF */
} __packed;

/* EDD drive parameters (INT 13h AH=48h), through the EDD 3.0 part. */
struct edd_params {
	uint16_t size;
	uint16_t flags;
	uint32_t cylinders;
	uint32_t heads;
	uint32_t sectors;
	uint64_t total;
	uint16_t bytes_per_sector;
	uint32_t dpte;
	uint16_t key;            /* 0xBEDD */
	uint8_t path_len;        /* 36 */
	uint8_t reserved[3];
	char host_bus[4];
	char interface[8];
	uint8_t interface_path[8];
	uint8_t device_path[8];
	uint8_t reserved2;
	uint8_t checksum;
} __packed;

BUILD_ASSERT(sizeof(struct edd_params) == 0x42);

static struct int13_drive *find_drive(uint8_t drive)
{
	unsigned int i;

	for (i = 0; i < ndrives; i++)
		if (drives[i].drive == drive)
			return &drives[i];
	return NULL;
}

uint8_t int13_first_drive(void)
{
	return ndrives ? drives[0].drive : 0;
}

/* A geometry for CHS callers: 255 heads of 63 sectors, as disks larger
 * than a few hundred MiB have been described since the 1990s. */
static void guess_geometry(struct int13_drive *d)
{
	uint64_t blocks = d->bdev->blocks * (d->bdev->block_size / SECTOR);
	uint64_t cyl;

	d->heads = 255;
	d->sectors = 63;
	cyl = blocks / (255 * 63);
	if (!cyl)
		cyl = 1;
	d->cylinders = cyl > 1024 ? 1024 : (uint32_t)cyl;
}

static int set_status(struct int13_drive *d, struct bregs *r, uint8_t status)
{
	d->last_status = status;
	BDA[BDA_DISK_STATUS] = status;
	r->ah = status;
	if (status)
		r->eflags |= FLAG_CF;
	else
		r->eflags &= ~FLAG_CF;
	return status;
}

/* Read or write `count` 512-byte sectors at lba into the caller's
 * buffer at linear address `buf`. */
static uint8_t rw(struct int13_drive *d, uint64_t lba, uint32_t count,
		  uint32_t buf, int write)
{
	struct block_device *b = d->bdev;
	uint32_t per = b->block_size / SECTOR;
	int rc;

	if (!count)
		return INT13_OK;
	if (per != 1)
		return INT13_BAD_COMMAND;   /* 512-byte blocks only */
	if (lba + count > b->blocks || lba + count < lba)
		return INT13_NOT_FOUND;
	if ((uint64_t)buf + (uint64_t)count * SECTOR > 0x100000000ull)
		return INT13_BAD_COMMAND;
	rc = block_rw_sync(b, lba, count, (void *)(uintptr_t)buf, write);
	if (rc) {
		printf("dust: %s %s at %llu: %s\n", b->name,
		       write ? "write" : "read", (unsigned long long)lba,
		       strerror(rc));
		return rc_is(rc, ETIMEDOUT_K) ? INT13_TIMEOUT : INT13_NOT_FOUND;
	}
	return INT13_OK;
}

static void int13_chs(struct int13_drive *d, struct bregs *r, int write)
{
	uint32_t cyl = (uint32_t)r->ch | ((uint32_t)(r->cl & 0xc0) << 2);
	uint32_t sect = r->cl & 0x3f, head = r->dh, count = r->al;
	uint64_t lba;
	uint8_t st;

	if (!sect || sect > d->sectors || head >= d->heads ||
	    cyl >= d->cylinders) {
		r->al = 0;
		set_status(d, r, INT13_NOT_FOUND);
		return;
	}
	lba = ((uint64_t)cyl * d->heads + head) * d->sectors + sect - 1;
	st = rw(d, lba, count, ((uint32_t)r->es << 4) + r->bx, write);
	if (st)
		r->al = 0;
	set_status(d, r, st);
}

static void int13_ext_rw(struct int13_drive *d, struct bregs *r, int write)
{
	struct edd_dap *dap = real_ptr(r->ds, r->si);
	uint32_t buf;
	uint8_t st;

	if (dap->size < 0x10) {
		set_status(d, r, INT13_BAD_COMMAND);
		return;
	}
	if (dap->segment == 0xffff && dap->offset == 0xffff && dap->size >= 0x18) {
		if (dap->flat >= 0x100000000ull) {
			dap->count = 0;
			set_status(d, r, INT13_BAD_COMMAND);
			return;
		}
		buf = (uint32_t)dap->flat;
	} else {
		buf = ((uint32_t)dap->segment << 4) + dap->offset;
	}
	st = rw(d, dap->lba, dap->count, buf, write);
	if (st)
		dap->count = 0;
	set_status(d, r, st);
}

static void int13_params(struct int13_drive *d, struct bregs *r)
{
	struct edd_params *p = real_ptr(r->ds, r->si);
	uint16_t size = p->size;
	struct edd_params tmp;
	uint8_t sum = 0;
	size_t i;

	if (size < 0x1a) {
		set_status(d, r, INT13_BAD_COMMAND);
		return;
	}
	memset(&tmp, 0, sizeof(tmp));
	tmp.flags = 0x0002;                  /* CHS information valid */
	tmp.cylinders = d->cylinders;
	tmp.heads = d->heads;
	tmp.sectors = d->sectors;
	tmp.total = d->bdev->blocks;
	tmp.bytes_per_sector = SECTOR;
	tmp.dpte = 0xffffffff;
	tmp.key = 0xbedd;
	tmp.path_len = 36;
	memcpy(tmp.host_bus, "PCI ", 4);
	memcpy(tmp.interface, "SCSI    ", 8);
	for (i = offsetof(struct edd_params, key);
	     i < offsetof(struct edd_params, checksum); i++)
		sum += ((uint8_t *)&tmp)[i];
	tmp.checksum = (uint8_t)-sum;
	if (size > sizeof(tmp))
		size = sizeof(tmp);
	if (size < 0x42)
		size = size >= 0x1e ? 0x1e : 0x1a;
	tmp.size = size;
	memcpy(p, &tmp, size);
	set_status(d, r, INT13_OK);
}

static void int13_ours(struct int13_drive *d, struct bregs *r)
{
	switch (r->ah) {
	case 0x00:                       /* reset */
		set_status(d, r, INT13_OK);
		break;
	case 0x01:                       /* status of last operation */
		r->ah = d->last_status;
		r->eflags &= ~FLAG_CF;
		break;
	case 0x02:
		int13_chs(d, r, 0);
		break;
	case 0x03:
		int13_chs(d, r, 1);
		break;
	case 0x04:                       /* verify */
	case 0x0c:                       /* seek */
	case 0x0d:                       /* alternate reset */
	case 0x10:                       /* ready? */
	case 0x11:                       /* recalibrate */
	case 0x44:                       /* extended verify */
	case 0x47:                       /* extended seek */
		set_status(d, r, INT13_OK);
		break;
	case 0x08: {                     /* drive parameters */
		uint32_t maxcyl = d->cylinders - 1;

		r->ch = (uint8_t)maxcyl;
		r->cl = (uint8_t)(d->sectors | ((maxcyl >> 2) & 0xc0));
		r->dh = d->heads - 1;
		r->dl = BDA[BDA_NUM_DISKS];
		r->bl = 0;
		r->es = 0;
		r->di = 0;
		set_status(d, r, INT13_OK);
		break;
	}
	case 0x15: {                     /* disk type: a fixed disk */
		uint64_t n = d->bdev->blocks;

		if (n > 0xffffffffu)
			n = 0xffffffffu;
		r->cx = (uint16_t)(n >> 16);
		r->dx = (uint16_t)n;
		set_status(d, r, INT13_OK);
		r->ah = 0x03;
		break;
	}
	case 0x41:                       /* EDD installation check */
		if (r->bx != 0x55aa) {
			set_status(d, r, INT13_BAD_COMMAND);
			break;
		}
		r->bx = 0xaa55;
		r->cx = 0x0005;          /* fixed disk access, EDD support */
		set_status(d, r, INT13_OK);
		r->ah = 0x30;            /* EDD 3.0 */
		break;
	case 0x42:
		int13_ext_rw(d, r, 0);
		break;
	case 0x43:
		int13_ext_rw(d, r, 1);
		break;
	case 0x48:
		int13_params(d, r);
		break;
	default:
		set_status(d, r, INT13_BAD_COMMAND);
		break;
	}
}

static void int13_handler(struct bregs *r)
{
	struct int13_drive *d = find_drive(r->dl);
	uint8_t dl = r->dl, ah = r->ah;

	if (d) {
		int13_ours(d, r);
		return;
	}
	/* A BIOS disk: it moved up by the number of ours below it. */
	if (dl >= 0x80) {
		unsigned int i, below = 0;

		for (i = 0; i < ndrives; i++)
			if (drives[i].drive < dl)
				below++;
		r->dl = (uint8_t)(dl - below);
	}
	hook_chain(HOOK_INT13, r);
	if (ah == 0x08 && dl >= 0x80 && !(r->eflags & FLAG_CF))
		r->dl = BDA[BDA_NUM_DISKS];
	else if (ah != 0x08)
		r->dl = dl;
}

int int13_hook(struct block_device *bdev, uint8_t drive)
{
	struct int13_drive *d;

	if (bdev->block_size != SECTOR) {
		printf("%s: %u-byte blocks: only 512-byte disks can be BIOS "
		       "drives\n", bdev->name, bdev->block_size);
		return -ENOTSUP;
	}
	if (find_drive(drive))
		return -EEXIST;
	if (ndrives == INT13_MAX_DRIVES)
		return -ENOSPC;
	d = &drives[ndrives++];
	memset(d, 0, sizeof(*d));
	d->bdev = bdev;
	ref_get(&bdev->refcnt);
	d->drive = drive;
	guess_geometry(d);
	if (!hooked) {
		hook_set_handler(HOOK_INT13, int13_handler);
		hook_interrupt(0x13, HOOK_INT13);
		hooked = 1;
	}
	BDA[BDA_NUM_DISKS]++;
	printf("%s is drive %#02x (%llu MiB, %s)\n", bdev->name, drive,
	       (unsigned long long)(bdev->blocks * bdev->block_size >> 20),
	       bdev->model);
	return 0;
}

int int13_unhook(uint8_t drive)
{
	struct int13_drive *d = find_drive(drive);
	int rc;

	if (!d)
		return -ENOENT;
	ref_put(&d->bdev->refcnt);
	*d = drives[--ndrives];
	BDA[BDA_NUM_DISKS]--;
	if (!ndrives && hooked) {
		rc = unhook_interrupt(0x13, HOOK_INT13);
		if (rc)
			return rc;      /* someone hooked over us: stay */
		hooked = 0;
	}
	return 0;
}

int int13_boot(uint8_t drive)
{
	struct bregs r;
	uint8_t *mbr = (uint8_t *)0x7c00;

	/* Read the boot sector through INT 13h itself, as the BIOS would. */
	memset(&r, 0, sizeof(r));
	r.ah = 0x02;
	r.al = 1;
	r.ch = 0;
	r.cl = 1;
	r.dh = 0;
	r.dl = drive;
	r.es = 0;
	r.bx = 0x7c00;
	r.eflags = FLAG_IF;
	real_int(0x13, &r);
	if (r.eflags & FLAG_CF) {
		printf("dust: cannot read the boot sector of drive %#02x "
		       "(status %#02x)\n", drive, r.ah);
		return -EIO;
	}
	if (mbr[510] != 0x55 || mbr[511] != 0xaa) {
		printf("dust: drive %#02x has no boot signature (55 AA) in "
		       "its first sector\n", drive);
		return -ENOEXEC;
	}
	printf("Booting from SAN drive %#02x\n", drive);
	bootinfo_keep_resident();
	memset(&r, 0, sizeof(r));
	r.dl = drive;
	r.eflags = FLAG_IF;
	real_far_call(0, 0x7c00, &r, NULL, 0);
	/* The boot sector came back (unusual: most call INT 18h). */
	printf("dust: the boot sector of drive %#02x returned\n", drive);
	return -ECANCELED;
}
