/* Block devices: the layer between SAN protocols (iSCSI now; AoE or HTTP
 * later) and their users (INT 13h, the sanboot commands).
 *
 * A protocol implements block_device_ops: commands start asynchronously
 * and complete through a callback, so several can be in flight.  Users
 * that need an answer now use block_rw_sync(), which runs the main loop
 * until the command completes (bounded in time).
 *
 * block_rw_sync() reads ahead: once reads come in sequence it keeps
 * BLOCK_RA_SLOTS reads of up to BLOCK_RA_BYTES in flight beyond the last
 * one, so a caller that reads a disk in order (a boot loader loading a
 * kernel through INT 13h) waits for one round trip now and then instead
 * of one per call.  Writes make what they overlap stale. */
#ifndef DUST_BLOCKDEV_H
#define DUST_BLOCKDEV_H

#include <stdint.h>
#include <stddef.h>
#include <dust/list.h>
#include <dust/refcnt.h>
#include <dust/tables.h>

struct block_device;
struct ibft_target;

/* One read or write; the protocol fills in rc and calls done(). */
struct block_cmd {
	struct list_head list;        /* for the protocol's use */
	uint64_t lba;
	uint32_t count;               /* blocks */
	void *buf;                    /* count * block_size bytes */
	int write;
	int rc;
	void (*done)(struct block_cmd *cmd);
	void *ctx;
};

struct block_device_ops {
	/* Start cmd; 0 if started (done() will be called exactly once),
	 * else the command was not started. */
	int (*submit)(struct block_device *bdev, struct block_cmd *cmd);
	/* Describe the connection for the iBFT (0, or -ENOTSUP). */
	int (*describe)(struct block_device *bdev, struct ibft_target *t);
	/* Drop the connection; outstanding commands complete with errors. */
	void (*close)(struct block_device *bdev);
};

struct block_cache;

struct block_device {
	struct refcnt refcnt;
	struct list_head list;
	char name[16];                /* "iscsi0" */
	const struct block_device_ops *op;
	void *priv;
	uint64_t blocks;
	uint32_t block_size;
	uint32_t max_count;           /* largest command, in blocks */
	char model[40];               /* vendor and product, for messages */
	struct block_cache *cache;    /* read-ahead (blockdev.c), or NULL */
};

/* A SAN protocol: opens a device from a root-path. */
struct san_protocol {
	const char *scheme;           /* "iscsi" */
	int (*open)(const char *root_path, struct block_device **bdev);
};
#define SAN_PROTOCOL(name) TABLE_ENTRY(struct san_protocol, "san_protocols", 50) name

int block_open(const char *root_path, struct block_device **bdev);
void block_close(struct block_device *bdev);
/* Read or write and wait (the main loop runs meanwhile). */
int block_rw_sync(struct block_device *bdev, uint64_t lba, uint32_t count,
		  void *buf, int write);

#define BLOCK_SYNC_TIMEOUT_MS 60000
#define BLOCK_RA_SLOTS 4
#define BLOCK_RA_BYTES 65536

#endif
