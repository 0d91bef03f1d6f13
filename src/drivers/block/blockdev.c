/* Block devices: opening one from a root-path, and synchronous reads and
 * writes for callers that must wait (INT 13h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <dust/blockdev.h>
#include <dust/console.h>
#include <dust/process.h>
#include <dust/timer.h>

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

void block_close(struct block_device *bdev)
{
	if (!bdev)
		return;
	if (bdev->op->close)
		bdev->op->close(bdev);
	ref_put(&bdev->refcnt);
}

static void sync_done(struct block_cmd *cmd)
{
	*(int *)cmd->ctx = 1;
}

int block_rw_sync(struct block_device *bdev, uint64_t lba, uint32_t count,
		  void *buf, int write)
{
	struct block_cmd cmd;
	uint32_t deadline = currtime_ms() + BLOCK_SYNC_TIMEOUT_MS;
	int done = 0, rc;

	if (lba + count > bdev->blocks || lba + count < lba)
		return -ERANGE;
	memset(&cmd, 0, sizeof(cmd));
	INIT_LIST_HEAD(&cmd.list);
	cmd.lba = lba;
	cmd.count = count;
	cmd.buf = buf;
	cmd.write = write;
	cmd.done = sync_done;
	cmd.ctx = &done;
	rc = bdev->op->submit(bdev, &cmd);
	if (rc)
		return rc;
	while (!done) {
		if (time_after_ms(currtime_ms(), deadline)) {
			/* The protocol still owns cmd: it must complete it
			 * now, which closing the device does. */
			bdev->op->close(bdev);
			while (!done)
				step();
			return -ETIMEDOUT;
		}
		step();
	}
	return cmd.rc;
}
