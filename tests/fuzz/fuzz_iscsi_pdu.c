/* libFuzzer harness for the iSCSI initiator's receive path
 * (src/net/tcp/iscsi.c): the input is what a target sends, cut into
 * TCP deliveries of varying size, either during the login (with or
 * without CHAP) or in the full feature phase with reads and writes in
 * flight.  The session file is included so the harness reaches its
 * internals; what it needs from the rest of dust is linked or stubbed
 * below.  Built and run by `make fuzz` (tests/fuzz/run.sh). */
#include "../../src/net/tcp/iscsi.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
void *freopen(const char *path, const char *mode, void *stream);
void *calloc(size_t n, size_t size);
void *aligned_alloc(size_t align, size_t size);
extern void *stdout;
void abort(void);

/* ---- what the session needs from the rest of dust */

const struct setting initiator_iqn_setting, hostname_setting, uuid_setting,
	mac_setting, username_setting, password_setting,
	reverse_username_setting, reverse_password_setting;

void *zalloc(size_t n)
{
	return calloc(1, n ? n : 1);
}

void *malloc_dma(size_t n, size_t align)
{
	return aligned_alloc(align < 16 ? 16 : align,
			     ALIGN_UP(n ? n : 1, align < 16 ? 16 : align));
}

void free_dma(void *p, size_t n)
{
	(void)n;
	free(p);
}

void ref_put(struct refcnt *r)
{
	if (r && r->count-- == 0 && r->free)
		r->free(r);
}

static uint32_t now;

uint32_t currtime_ms(void)
{
	return now;
}

void step(void)
{
}

int interrupted(void)
{
	return 0;
}

int resolv_wait(const char *name, struct in_addr *addr)
{
	(void)name;
	(void)addr;
	return -ENOENT;
}

int fetch_string_setting(struct settings *b, const struct setting *s,
			 char *buf, size_t len)
{
	(void)b;
	(void)s;
	if (len)
		buf[0] = 0;
	return -ENOENT;
}

char *fetch_string_setting_copy(struct settings *b, const struct setting *s)
{
	(void)b;
	(void)s;
	return NULL;
}

int fetchf_setting(struct settings *b, const struct setting *s, char *buf,
		   size_t len)
{
	return fetch_string_setting(b, s, buf, len);
}

struct settings *settings_for_netdev(struct net_device *netdev)
{
	(void)netdev;
	return NULL;
}

int ipv4_route_to(struct in_addr dest, struct net_device **netdev,
		  struct in_addr *next_hop, struct in_addr *src)
{
	(void)dest;
	(void)netdev;
	(void)next_hop;
	(void)src;
	return -ENETUNREACH;
}

/* ---- a TCP connection that takes everything */

static size_t fz_window(struct xfer *x)
{
	(void)x;
	return 3000;
}

static int fz_deliver(struct xfer *x, struct io_buffer *iob,
		      const struct xfer_meta *meta)
{
	(void)x;
	(void)meta;
	free_iob(iob);
	return 0;
}

static const struct xfer_ops fz_ops = {
	.deliver = fz_deliver,
	.window = fz_window,
};
static struct xfer fz_tcp;

static int fz_connect(struct xfer *up, const struct sockaddr *peer,
		      const struct sockaddr *local)
{
	(void)peer;
	(void)local;
	xfer_init(&fz_tcp, &fz_ops, NULL);
	xfer_plug(up, &fz_tcp);
	return 0;
}

static void fz_done(struct block_cmd *cmd)
{
	(*(int *)cmd->ctx)++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
#ifndef FUZZ_SHOW
	freopen("/dev/null", "w", stdout);
#endif
	iscsi_connect = fz_connect;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t disk[3][2048];
	struct block_cmd cmd[3];
	struct io_buffer *iob;
	struct iscsi *s;
	size_t n;
	int i, done = 0;
	uint8_t mode;

	if (size < 2)
		return 0;
	mode = data[0];
	data++;
	size--;
	s = zalloc(sizeof(*s));
	ref_init(&s->bdev.refcnt, iscsi_free);
	s->bdev.op = &iscsi_ops;
	strcpy(s->bdev.name, "iscsi0");
	xfer_init(&s->conn, &conn_ops, &s->bdev.refcnt);
	timer_init(&s->timer, iscsi_expired, &s->bdev.refcnt);
	INIT_LIST_HEAD(&s->pending);
	INIT_LIST_HEAD(&s->inflight);
	INIT_LIST_HEAD(&s->txq);
	s->target = s->rp_buf = strdup("iqn.2010-04.org.dust.test:disk");
	s->initiator = strdup("iqn.2010-04.org.dust:fuzz");
	if (mode & 2) {
		s->cred[C_USER] = strdup("alice");
		s->cred[C_PASS] = strdup("alice-secret-12");
	}
	if (mode & 4) {
		s->cred[C_RUSER] = strdup("target");
		s->cred[C_RPASS] = strdup("target-secret-9");
	}
	s->bdev.block_size = 512;
	s->bdev.blocks = 1 << 20;
	s->bdev.max_count = (mode & 8) ? 1 : 32;
	s->cmdsn = 100;
	s->addr.sin_family = AF_INET;
	connect_start(s);
	conn_window_open(&s->conn);
	if (mode & 1) {
		/* Straight to the full feature phase, as after a login. */
		s->state = ST_FFP;
		s->maxcmdsn = s->cmdsn + 7;
		s->param[P_INITIAL_R2T] = !(mode & 16);
		s->param[P_IMMEDIATE] = !!(mode & 32);
		s->param[P_MAX_SEND] = 1024;
		s->param[P_FIRST_BURST] = 4096;
		s->param[P_MAX_BURST] = 8192;
		flush_tx(s);
		for (i = 0; i < 3; i++) {
			memset(&cmd[i], 0, sizeof(cmd[i]));
			cmd[i].lba = (uint64_t)i * 1000;
			cmd[i].count = 2 + i;
			cmd[i].buf = disk[i];
			cmd[i].write = i == 1;
			cmd[i].done = fz_done;
			cmd[i].ctx = &done;
			iscsi_submit(&s->bdev, &cmd[i]);
		}
	}
	/* The target's bytes, in pieces of 1 to 256 bytes. */
	while (size) {
		n = 1 + (size_t)(data[0] ^ mode);
		if (n > size)
			n = size;
		iob = alloc_iob(n);
		memcpy(iob_put(iob, n), data, n);
		conn_deliver(&s->conn, iob, NULL);
		data += n;
		size -= n;
		now += 100;
	}
	/* Time passes: pings, a dead connection, a new login attempt. */
	now += ISCSI_PING_MS;
	if (s->timer.running)
		iscsi_expired(&s->timer);
	now += ISCSI_DEAD_MS;
	if (s->timer.running)
		iscsi_expired(&s->timer);
	/* Close without waiting for a logout answer. */
	s->closed = 1;
	conn_down(s, 0);
	if ((mode & 1) && done != 3)
		abort();
	timer_stop(&s->timer);
	ref_put(&s->bdev.refcnt);
	return 0;
}
