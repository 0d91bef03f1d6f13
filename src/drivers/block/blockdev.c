/* Block devices: opening one from a root-path, and synchronous reads and
 * writes for callers that must wait (INT 13h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <dust/blockdev.h>
#include <dust/console.h>
#include <dust/process.h>
#include <dust/timer.h>
#include <stdlib.h>

int block_open(const char *root_path, struct block_device **bdev)
{
	const struct san_protocol *p;
	const char *colon = strchr(root_path, ':');
	size_t n = colon ? (size_t)(colon - root_path) : 0;

	*bdev = NULL;
	for_each_table_entry(p, struct san_protocol, "san_protocols")
		if (n && strlen(p->scheme) == n &&
		    !strncasecmp(p->scheme, root_path, n))
			return p->open(root_path, bdev);
	printf("root-path \"%s\": dust has no SAN protocol for it "
	       "(expected iscsi:...)\n", root_path);
	return -EPROTONOSUPPORT;
}

/* ---------------------------------------------------------- read-ahead */

enum { RA_FREE, RA_BUSY, RA_READY };

struct ra_slot {
	struct block_cmd cmd;         /* lba, count: the range; buf: data */
	uint8_t state;
	uint8_t stale;                /* made stale while in flight */
};

struct block_cache {
	struct ra_slot slot[BLOCK_RA_SLOTS];
	uint64_t next;                /* where the last read ended */
	uint32_t per;                 /* blocks per slot */
};

static void ra_done(struct block_cmd *cmd)
{
	struct ra_slot *s = container_of(cmd, struct ra_slot, cmd);

	s->state = s->stale ? RA_FREE : RA_READY;
	s->stale = 0;
}

static uint64_t slot_end(const struct ra_slot *s)
{
	return s->cmd.lba + s->cmd.count;
}

/* The live slot holding block lba, or NULL. */
static struct ra_slot *ra_find(struct block_cache *c, uint64_t lba)
{
	unsigned int i;

	for (i = 0; i < BLOCK_RA_SLOTS; i++) {
		struct ra_slot *s = &c->slot[i];

		if (s->state != RA_FREE && !s->stale && s->cmd.lba <= lba &&
		    lba < slot_end(s))
			return s;
	}
	return NULL;
}

/* Forget what overlaps [lba, lba + count) (or lies wholly before it when
 * behind is set); a slot in flight is dropped when it completes. */
static void ra_drop(struct block_cache *c, uint64_t lba, uint64_t count,
		    int behind)
{
	unsigned int i;

	for (i = 0; i < BLOCK_RA_SLOTS; i++) {
		struct ra_slot *s = &c->slot[i];

		if (s->state == RA_FREE ||
		    !(behind ? slot_end(s) <= lba :
		      lba < slot_end(s) && s->cmd.lba < lba + count))
			continue;
		if (s->state == RA_READY)
			s->state = RA_FREE;
		else
			s->stale = 1;
	}
}

/* Keep BLOCK_RA_SLOTS slots' worth of blocks from `from` on in flight
 * or ready, as far as free slots and memory allow. */
static void ra_fill(struct block_device *bdev, uint64_t from)
{
	struct block_cache *c = bdev->cache;
	uint64_t p = from, limit = from + (uint64_t)BLOCK_RA_SLOTS * c->per;
	struct ra_slot *s;
	unsigned int i;

	if (limit > bdev->blocks)
		limit = bdev->blocks;
	while (p < limit) {
		if ((s = ra_find(c, p))) {
			p = slot_end(s);
			continue;
		}
		for (i = 0; i < BLOCK_RA_SLOTS; i++)
			if (c->slot[i].state == RA_FREE)
				break;
		if (i == BLOCK_RA_SLOTS)
			return;
		s = &c->slot[i];
		if (!s->cmd.buf && !(s->cmd.buf = malloc(BLOCK_RA_BYTES)))
			return;
		s->cmd.lba = p;
		s->cmd.count = (uint32_t)MIN((uint64_t)c->per, limit - p);
		s->cmd.write = 0;
		s->cmd.rc = 0;
		s->cmd.done = ra_done;
		s->state = RA_BUSY;
		if (bdev->op->submit(bdev, &s->cmd)) {
			s->state = RA_FREE;
			return;
		}
		p = slot_end(s);
	}
}

static int flag_set(const void *p)
{
	return *(const int *)p;
}

static int slot_settled(const void *p)
{
	return ((const struct ra_slot *)p)->state != RA_BUSY;
}

/* Run the main loop until cond(arg) holds, for at most
 * BLOCK_SYNC_TIMEOUT_MS; then the device is closed, which completes
 * everything it still holds. */
static int run_until(struct block_device *bdev, int (*cond)(const void *),
		     const void *arg)
{
	uint32_t deadline = currtime_ms() + BLOCK_SYNC_TIMEOUT_MS;

	while (!cond(arg)) {
		if (time_after_ms(currtime_ms(), deadline)) {
			bdev->op->close(bdev);
			while (!cond(arg))
				step();
			return -ETIMEDOUT;
		}
		step();
	}
	return 0;
}

static void sync_done(struct block_cmd *cmd)
{
	*(int *)cmd->ctx = 1;
}

int block_rw_sync(struct block_device *bdev, uint64_t lba, uint32_t count,
		  void *buf, int write)
{
	struct block_cache *c = bdev->cache;
	struct block_cmd cmd;
	struct ra_slot *s;
	uint64_t start = lba, end = lba + count, covered = lba;
	uint8_t *p = buf;
	uint32_t bs = bdev->block_size, skip, n;
	int done = 0, sequential = 0, rc;

	if (end > bdev->blocks || end < lba)
		return -ERANGE;
	if (!c && !write && (c = zalloc(sizeof(*c)))) {
		c->per = (uint32_t)MAX(1u, MIN(bdev->max_count,
					       BLOCK_RA_BYTES / bs));
		c->next = ~0ull;
		bdev->cache = c;
	}
	if (c && write) {
		ra_drop(c, lba, count, 0);
	} else if (c) {
		sequential = lba == c->next;
		c->next = end;
		while (covered < end && (s = ra_find(c, covered)))
			covered = slot_end(s);
		if (covered > end)
			covered = end;
	}

	/* What the read-ahead does not hold goes straight to the caller. */
	memset(&cmd, 0, sizeof(cmd));
	INIT_LIST_HEAD(&cmd.list);
	cmd.lba = covered;
	cmd.count = (uint32_t)(end - covered);
	cmd.buf = p + (covered - lba) * bs;
	cmd.write = write;
	cmd.done = sync_done;
	cmd.ctx = &done;
	if (cmd.count && (rc = bdev->op->submit(bdev, &cmd)))
		return rc;
	if (!cmd.count)
		done = 1;
	if (sequential) {
		ra_drop(c, start, 0, 1);
		ra_fill(bdev, end);
	}

	/* The part the read-ahead holds, in order, as it arrives.  A slot
	 * that failed is read again directly, which reports the error. */
	while (lba < covered) {
		s = ra_find(c, lba);
		if (s && (rc = run_until(bdev, slot_settled, s)))
			goto out;
		if (!s || s->state != RA_READY || s->cmd.rc) {
			if (s)
				s->state = RA_FREE;
			rc = run_until(bdev, flag_set, &done);
			if (!rc && !(rc = cmd.rc))
				rc = block_rw_sync(bdev, lba, (uint32_t)
						   (covered - lba), p, 0);
			return rc;
		}
		skip = (uint32_t)(lba - s->cmd.lba);
		n = (uint32_t)MIN((uint64_t)s->cmd.count - skip, covered - lba);
		memcpy(p, (uint8_t *)s->cmd.buf + skip * bs, n * bs);
		p += n * bs;
		lba += n;
		if (skip + n == s->cmd.count)
			s->state = RA_FREE;
	}
	rc = 0;
out:
	if (run_until(bdev, flag_set, &done))
		return -ETIMEDOUT;
	return rc ? rc : cmd.rc;
}

void block_close(struct block_device *bdev)
{
	struct block_cache *c;
	unsigned int i;

	if (!bdev)
		return;
	if (bdev->op->close)
		bdev->op->close(bdev);
	/* Closing completed every command, read-ahead included. */
	if ((c = bdev->cache)) {
		for (i = 0; i < BLOCK_RA_SLOTS; i++)
			free(c->slot[i].cmd.buf);
		free(c);
		bdev->cache = NULL;
	}
	ref_put(&bdev->refcnt);
}
