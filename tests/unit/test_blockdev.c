/* Tests of the block-device layer's synchronous reads and writes and its
 * read-ahead, over a RAM disk whose commands complete a few main-loop
 * steps after they start (as a SAN protocol's would). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <dust/blockdev.h>
#include <dust/list.h>
#include <dust/process.h>
#include "unit.h"

#define BS 512
#define DISK_BLOCKS 4096                      /* 2 MiB */

struct ramdisk {
	struct block_device bdev;
	uint8_t *data;
	struct list_head queue;               /* commands not yet complete */
	unsigned int submits, in_flight, peak;
	const uint8_t *user;                  /* the test's own buffer */
	unsigned int direct;                  /* commands straight into it */
	unsigned int delay;                   /* steps until completion */
	uint64_t fail_lba;                    /* commands covering it fail */
	int stalled;                          /* never complete */
	int closed;
};

static struct ramdisk *rd;

static void complete(struct block_cmd *cmd, int rc)
{
	list_del(&cmd->list);
	rd->in_flight--;
	cmd->rc = rc;
	if (!rc && cmd->write)
		memcpy(rd->data + cmd->lba * BS, cmd->buf, cmd->count * BS);
	else if (!rc)
		memcpy(cmd->buf, rd->data + cmd->lba * BS, cmd->count * BS);
	cmd->done(cmd);
}

/* One main-loop step: the oldest command completes once it has waited
 * `delay` steps (cmd->ctx is the protocol's, the test keeps its count
 * in the list position instead: one completion per `delay` steps). */
static unsigned int ticks;

static void rd_step(void)
{
	struct block_cmd *cmd;

	if (!rd || rd->stalled || list_empty(&rd->queue))
		return;
	if (++ticks < rd->delay)
		return;
	ticks = 0;
	cmd = list_first_entry(&rd->queue, struct block_cmd, list);
	complete(cmd, cmd->lba <= rd->fail_lba &&
		 rd->fail_lba < cmd->lba + cmd->count ? -EIO : 0);
}
PERMANENT_PROCESS(rd_process) = { "ramdisk", rd_step };

static int rd_submit(struct block_device *bdev, struct block_cmd *cmd)
{
	(void)bdev;
	if (rd->closed)
		return -ENOTCONN;
	rd->submits++;
	if (rd->user && (const uint8_t *)cmd->buf >= rd->user &&
	    (const uint8_t *)cmd->buf < rd->user + 127 * BS)
		rd->direct++;
	rd->in_flight++;
	if (rd->in_flight > rd->peak)
		rd->peak = rd->in_flight;
	list_add_tail(&cmd->list, &rd->queue);
	return 0;
}

static void rd_close(struct block_device *bdev)
{
	(void)bdev;
	rd->closed = 1;
	while (!list_empty(&rd->queue))
		complete(list_first_entry(&rd->queue, struct block_cmd, list),
			 -ECANCELED);
}

static const struct block_device_ops rd_ops = {
	.submit = rd_submit,
	.close = rd_close,
};

static void rd_free(struct refcnt *r)
{
	struct ramdisk *d = container_of(r, struct ramdisk, bdev.refcnt);

	free(d->data);
	free(d);
	rd = NULL;
}

static struct block_device *rd_open(unsigned int delay)
{
	uint32_t i;

	rd = zalloc(sizeof(*rd));
	rd->data = malloc(DISK_BLOCKS * BS);
	for (i = 0; i < DISK_BLOCKS * BS / 4; i++)
		((uint32_t *)rd->data)[i] = i;
	INIT_LIST_HEAD(&rd->queue);
	ref_init(&rd->bdev.refcnt, rd_free);
	rd->bdev.op = &rd_ops;
	rd->bdev.blocks = DISK_BLOCKS;
	rd->bdev.block_size = BS;
	rd->bdev.max_count = 256;
	rd->delay = delay;
	rd->fail_lba = ~0ull;
	ticks = 0;
	return &rd->bdev;
}

/* Does buf hold blocks lba.. of the pristine pattern? */
static int pattern_ok(const uint8_t *buf, uint64_t lba, uint32_t count)
{
	uint32_t i, v;

	for (i = 0; i < count * BS / 4; i++) {
		memcpy(&v, buf + 4 * i, 4);
		if (v != (uint32_t)(lba * BS / 4 + i))
			return 0;
	}
	return 1;
}

UNIT_TEST(blockdev_sequential_reads_are_read_ahead)
{
	struct block_device *b = rd_open(3);
	uint8_t *buf = malloc(127 * BS);
	unsigned int calls = 0, bad = 0;
	uint64_t lba;
	uint32_t n;

	/* A boot loader's pattern: the boot sector, then 127-block reads
	 * to the end of the disk (the last one shorter). */
	rd->user = buf;
	check_eq(block_rw_sync(b, 0, 1, buf, 0), 0);
	check(pattern_ok(buf, 0, 1));
	for (lba = 1; lba < DISK_BLOCKS; lba += n) {
		n = (uint32_t)MIN(127u, DISK_BLOCKS - lba);
		memset(buf, 0xee, n * BS);
		if (block_rw_sync(b, lba, n, buf, 0) || !pattern_ok(buf, lba, n))
			bad++;
		calls++;
	}
	check_eq(bad, 0);
	/* Read-ahead kept several commands in flight ... */
	check(rd->peak >= BLOCK_RA_SLOTS);
	/* ... and fetched every block about once: 2 MiB in 64 KiB slots is
	 * 32 commands, plus the first few reads made directly. */
	check(rd->submits <= 32 + 4);
	/* Only the first reads waited for a command of their own. */
	check(calls > 30);
	check(rd->direct <= 2);
	block_close(b);
	check(rd == NULL);
	free(buf);
}

UNIT_TEST(blockdev_random_reads_do_not_read_ahead)
{
	struct block_device *b = rd_open(1);
	uint8_t buf[8 * BS];
	static const uint64_t where[] = { 7, 900, 3, 2000, 100, 4000, 50 };
	unsigned int i;

	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		check_eq(block_rw_sync(b, where[i], 8, buf, 0), 0);
		check(pattern_ok(buf, where[i], 8));
	}
	check_eq(rd->submits, i);
	check_eq(rd->peak, 1);
	block_close(b);
}

UNIT_TEST(blockdev_writes_make_read_ahead_stale)
{
	struct block_device *b = rd_open(2);
	uint8_t buf[64 * BS], w[4 * BS];
	uint32_t v;

	/* Two sequential reads: read-ahead from block 128 on is in flight. */
	check_eq(block_rw_sync(b, 0, 64, buf, 0), 0);
	check_eq(block_rw_sync(b, 64, 64, buf, 0), 0);
	check(rd->in_flight > 0);
	/* A write inside the read-ahead while it is in flight ... */
	memset(w, 0xa5, sizeof(w));
	check_eq(block_rw_sync(b, 130, 4, w, 1), 0);
	/* ... and one inside read-ahead that has arrived. */
	while (rd->in_flight)
		step();
	memset(w, 0x5a, sizeof(w));
	check_eq(block_rw_sync(b, 200, 4, w, 1), 0);
	/* Reading on in sequence sees both writes, and the rest intact. */
	check_eq(block_rw_sync(b, 128, 64, buf, 0), 0);
	check(pattern_ok(buf, 128, 2));
	memcpy(&v, buf + 2 * BS, 4);
	check_eq(v, 0xa5a5a5a5);
	check(pattern_ok(buf + 6 * BS, 134, 58));
	check_eq(block_rw_sync(b, 192, 64, buf, 0), 0);
	check(pattern_ok(buf, 192, 8));
	memcpy(&v, buf + 8 * BS, 4);
	check_eq(v, 0x5a5a5a5a);
	check(pattern_ok(buf + 12 * BS, 204, 52));
	block_close(b);
}

UNIT_TEST(blockdev_failed_read_ahead_is_read_again)
{
	struct block_device *b = rd_open(1);
	uint8_t buf[64 * BS];

	check_eq(block_rw_sync(b, 0, 64, buf, 0), 0);
	/* Read-ahead of the block range holding 300 will fail ... */
	rd->fail_lba = 300;
	check_eq(block_rw_sync(b, 64, 64, buf, 0), 0);
	while (rd->in_flight)
		step();
	/* ... which does not stop reads before it, */
	check_eq(block_rw_sync(b, 128, 64, buf, 0), 0);
	check(pattern_ok(buf, 128, 64));
	/* the read of it reports the error, read directly, */
	check_eq(block_rw_sync(b, 192, 127, buf, 0) != 0, 1);
	/* and once the disk is well again the same read works. */
	rd->fail_lba = ~0ull;
	check_eq(block_rw_sync(b, 192, 64, buf, 0), 0);
	check(pattern_ok(buf, 192, 64));
	block_close(b);
}

UNIT_TEST(blockdev_close_with_read_ahead_in_flight)
{
	struct block_device *b = rd_open(5);
	uint8_t buf[64 * BS];

	check_eq(block_rw_sync(b, 0, 64, buf, 0), 0);
	check_eq(block_rw_sync(b, 64, 64, buf, 0), 0);
	check(rd->in_flight > 0);
	block_close(b);          /* the leak check shows nothing is left */
	check(rd == NULL);
}

/* The clock moves on by a second every step while the disk stalls. */
static int clock_runs;
static void clock_step(void)
{
	if (clock_runs)
		host_advance_ms(1000);
}
PERMANENT_PROCESS(clock_process) = { "clock", clock_step };

UNIT_TEST(blockdev_stalled_device_times_out)
{
	struct block_device *b = rd_open(1);
	uint8_t buf[64 * BS];

	check_eq(block_rw_sync(b, 0, 64, buf, 0), 0);
	check_eq(block_rw_sync(b, 64, 64, buf, 0), 0);
	rd->stalled = 1;
	clock_runs = 1;
	/* Waiting for read-ahead in flight, and for a plain read. */
	check(rc_is(block_rw_sync(b, 128, 64, buf, 0), ETIMEDOUT_K));
	check(rd->closed);
	check_eq(rd->in_flight, 0);
	clock_runs = 0;
	check(rc_is(block_rw_sync(b, 1000, 1, buf, 0), ENOTCONN_K));
	check(rc_is(block_rw_sync(b, DISK_BLOCKS, 1, buf, 0), ERANGE_K));
	block_close(b);
}
