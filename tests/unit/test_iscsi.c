/* Tests of the iSCSI initiator against a fake target plugged in at the
 * xfer level (iscsi_connect): logins without and with CHAP (one-way,
 * mutual, wrong secrets), capacity, reads spread over Data-In PDUs,
 * writes with immediate data, unsolicited Data-Out and R2Ts, NOP-In,
 * several commands in flight in a small command window, connections
 * lost and stalled, redirection, malformed PDUs.
 *
 * The fake answers from a PERMANENT_PROCESS, never from inside a call
 * the initiator makes, like TCP would; it models a send buffer that
 * empties once per step, and may cut what it sends into odd pieces. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>
#include <dust/blockdev.h>
#include <dust/crypto.h>
#include <dust/ibft.h>
#include <dust/iobuf.h>
#include <dust/iscsi.h>
#include <dust/netdevice.h>
#include <dust/process.h>
#include <dust/settings.h>
#include <dust/xfer.h>
#include "fakenet.h"
#include "unit.h"

#define FT_BLOCKS 4096                 /* 2 MiB disk of 512-byte blocks */
#define FT_WRITES 16

struct ft_write {
	int used;
	uint32_t itt;
	uint64_t lba;
	uint32_t len, got;
	uint32_t r2t_end;              /* end of the burst asked for */
	uint32_t ttt;
	int unsolicited;               /* unsolicited Data-Out still due */
};

static struct {
	/* configuration */
	const char *user, *secret;     /* CHAP required with these */
	const char *ruser, *rsecret;   /* the target's own, for mutual */
	int initial_r2t, immediate;
	uint32_t mrdsl, first_burst, max_burst;
	uint32_t din_size;             /* data per Data-In PDU */
	int separate_status;           /* SCSI Response after the Data-In */
	uint32_t window;               /* command window */
	size_t send_buf;               /* what window() allows per step */
	int split;                     /* deliver in odd pieces */
	int ua;                        /* UNIT ATTENTION for the next command */
	unsigned int drop_at;          /* drop the connection at command N */
	unsigned int stall_at;         /* go silent at command N */
	unsigned int refuse;           /* refuse this many connections */
	int gone;                      /* refuse every connection */
	uint8_t login_class, login_detail;
	const char *redirect;          /* TargetAddress to redirect to */
	int unknown_key;               /* offer a key nobody knows */
	int continued;                 /* operational answer in two PDUs */
	int big;                       /* READ CAPACITY(10) says 0xffffffff */
	uint8_t pdt;                   /* peripheral byte of INQUIRY */
	int bad;                       /* 1: Data-In out of range, 2: R2T
					  for a read, 3: login PDU in FFP */
	int huge;                      /* 2^33 blocks (the disk repeats) */
	uint64_t medium_lba;           /* MEDIUM ERROR here (if not 0) */
	unsigned int busy;             /* answer BUSY this often */
	int failure;                   /* iSCSI response "target failure" */
	const char *digest;            /* our answer to HeaderDigest */
	int never_transit;             /* the operational stage never ends */
	const char *chap_a;            /* our CHAP_A answer */
	/* state */
	int armed, plugged, stalled;
	int open_pending, refuse_pending, drop_pending;
	struct refcnt ref;
	struct xfer x;
	struct sockaddr_in peer;       /* where the last connect went */
	uint8_t *in;
	size_t in_len, in_size;
	struct list_head out;
	size_t unacked;
	uint32_t statsn, expcmdsn;
	int stage;
	uint8_t chap_id;
	uint8_t chap_chal[16];
	char pending_text[512];        /* second part of a continued answer */
	size_t pending_len;
	struct ft_write wr[FT_WRITES];
	uint8_t *disk;
	/* what happened */
	unsigned int connects, logins, cmds, data_outs, r2ts, imm_bytes;
	unsigned int unsol_bytes, pings, nop_answers, logouts, errors;
	int error_line;
	unsigned int max_inflight, inflight, cdb16;
	char keys[2048];               /* every key=value received, ';'-ended */
	int closed_rc;
} ft;

static void ft_rx(void);

/* Something the initiator did wrong: counted, the first one's line kept. */
#define FT_ERROR() do { \
	if (!ft.errors++) \
		ft.error_line = __LINE__; \
} while (0)

static size_t ft_window(struct xfer *x)
{
	(void)x;
	return ft.unacked >= ft.send_buf ? 0 : ft.send_buf - ft.unacked;
}

static int ft_deliver(struct xfer *x, struct io_buffer *iob,
		      const struct xfer_meta *meta)
{
	size_t len = iob_len(iob);

	(void)x;
	(void)meta;
	if (len > ft_window(x))
		FT_ERROR();           /* more than the send buffer took */
	ft.unacked += len;
	if (ft.in_len + len > ft.in_size) {
		ft.in_size = (ft.in_len + len) * 2;
		ft.in = realloc(ft.in, ft.in_size);
	}
	memcpy(ft.in + ft.in_len, iob->data, len);
	ft.in_len += len;
	free_iob(iob);
	ft_rx();
	return 0;
}

static void ft_flush(void)
{
	struct io_buffer *iob, *tmp;

	list_for_each_entry_safe(iob, tmp, &ft.out, list) {
		list_del(&iob->list);
		free_iob(iob);
	}
	ft.in_len = 0;
	ft.unacked = 0;
	ft.plugged = 0;
	ft.open_pending = ft.refuse_pending = ft.drop_pending = 0;
	ft.inflight = 0;
	memset(ft.wr, 0, sizeof(ft.wr));
}

static void ft_close(struct xfer *x, int rc)
{
	(void)x;
	ft.closed_rc = rc;
	ft_flush();
}

static const struct xfer_ops ft_ops = {
	.deliver = ft_deliver,
	.window = ft_window,
	.close = ft_close,
};

static int ft_connect(struct xfer *up, const struct sockaddr *peer,
		      const struct sockaddr *local)
{
	(void)local;
	ft.connects++;
	ft_flush();
	memcpy(&ft.peer, peer, sizeof(ft.peer));
	ft.stage = 0;
	ft.stalled = 0;
	xfer_plug(up, &ft.x);
	ft.plugged = 1;
	if (ft.gone || ft.refuse) {
		if (ft.refuse)
			ft.refuse--;
		ft.refuse_pending = 1;
	} else {
		ft.open_pending = 1;
	}
	return 0;
}

static void ft_step(void)
{
	struct io_buffer *iob, *piece;
	size_t n;

	if (!ft.armed)
		return;
	/* Waiting for time to pass: let it pass faster. */
	if (ft.gone || ft.stalled)
		host_advance_ms(20);
	if (ft.refuse_pending) {
		ft_flush();
		xfer_close(&ft.x, -ECONNREFUSED);
		return;
	}
	if (ft.open_pending) {
		ft.open_pending = 0;
		xfer_window_open(&ft.x);
	}
	if (ft.unacked) {
		ft.unacked = 0;
		xfer_window_open(&ft.x);
	}
	while (ft.plugged && !ft.drop_pending &&
	       (iob = list_first_entry_or_null(&ft.out, struct io_buffer,
					       list))) {
		n = iob_len(iob);
		if (ft.split && n > 1)
			n = 1 + host_rand() % (n < 700 ? n : 700);
		if (n == iob_len(iob)) {
			list_del(&iob->list);
			piece = iob;
		} else {
			piece = alloc_iob(n);
			memcpy(iob_put(piece, n), iob->data, n);
			iob_pull(iob, n);
		}
		xfer_deliver(&ft.x, piece, NULL);
	}
	if (ft.drop_pending) {
		ft_flush();
		xfer_close(&ft.x, -ECONNRESET);
	}
}

PERMANENT_PROCESS(fake_iscsi_target) = { "test-iscsi-target", ft_step };

/* A target PDU with dlen bytes of data (zeroed); StatSN and the command
 * window filled in. */
static struct iscsi_bhs *ft_pdu(uint8_t op, size_t dlen,
				struct io_buffer **iobp)
{
	struct io_buffer *iob = alloc_iob(ISCSI_BHS_LEN + ALIGN_UP(dlen, 4));
	struct iscsi_bhs *h = iob_put(iob, ISCSI_BHS_LEN + ALIGN_UP(dlen, 4));

	memset(h, 0, ISCSI_BHS_LEN + ALIGN_UP(dlen, 4));
	h->opcode = op;
	h->flags = ISCSI_FLAG_FINAL;
	iscsi_set_dsl(h->dsl, (uint32_t)dlen);
	h->statsn = htonl(ft.statsn);
	h->expcmdsn = htonl(ft.expcmdsn);
	h->maxcmdsn = htonl(ft.expcmdsn - ft.inflight + ft.window - 1);
	*iobp = iob;
	return h;
}

static void ft_send(struct io_buffer *iob)
{
	list_add_tail(&iob->list, &ft.out);
}

/* ---- the fake target's login */

/* Find key's value in login text (its own parser, not dust's). */
static const char *ft_key(const char *text, size_t len, const char *key)
{
	size_t pos = 0, klen = strlen(key);

	while (pos < len) {
		const char *p = text + pos;
		size_t n = strnlen(p, len - pos);

		if (n > klen && !memcmp(p, key, klen) && p[klen] == '=')
			return p + klen + 1;
		pos += n + 1;
	}
	return NULL;
}

static size_t ft_add(char *text, size_t pos, const char *kv)
{
	size_t n = strlen(kv) + 1;

	memcpy(text + pos, kv, n);
	return pos + n;
}

static void ft_hex(char *out, const uint8_t *b, size_t n)
{
	size_t i;

	*out++ = '0';
	*out++ = 'x';
	for (i = 0; i < n; i++)               /* upper case on purpose */
		out += snprintf(out, 3, "%02X", b[i]);
}

static int ft_unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	char two[3] = { 0 }, *end;

	if (!s || strncmp(s, "0x", 2))
		return -1;
	for (s += 2; s[0] && s[1] && n < max; s += 2) {
		two[0] = s[0];
		two[1] = s[1];
		out[n++] = (uint8_t)strtoul(two, &end, 16);
		if (*end)
			return -1;
	}
	return *s ? -1 : (int)n;
}

static void ft_md5(uint8_t id, const char *secret, const uint8_t *chal,
		   size_t len, uint8_t *out)
{
	struct md5_ctx c;

	md5_init(&c);
	md5_update(&c, &id, 1);
	md5_update(&c, secret, strlen(secret));
	md5_update(&c, chal, len);
	md5_final(&c, out);
}

static void ft_login_rsp(const struct iscsi_login_req *req, uint8_t flags,
			 const char *text, size_t len, uint8_t cls,
			 uint8_t detail)
{
	struct io_buffer *iob;
	struct iscsi_login_rsp *r = (struct iscsi_login_rsp *)
		ft_pdu(ISCSI_OP_LOGIN_RSP, len, &iob);

	r->flags = flags;
	memcpy(r->isid, req->isid, 6);
	r->tsih = htons(cls ? 0 : 0x1234);
	r->itt = req->itt;
	r->status_class = cls;
	r->status_detail = detail;
	memcpy(r + 1, text, len);
	ft.statsn++;
	ft_send(iob);
}

static void ft_login(const struct iscsi_login_req *req, const char *text,
		     size_t len)
{
	int csg = (req->flags >> 2) & 3, transit = req->flags & 0x80;
	uint8_t flags = (uint8_t)(csg << 2);
	char out[1024], hex[80];
	uint8_t bin[64], digest[16];
	const char *v;
	size_t pos = 0, i;
	int n;

	ft.logins++;
	for (i = 0; i < len; i++)
		if (strlen(ft.keys) + 2 < sizeof(ft.keys)) {
			char c[2] = { text[i] ? text[i] : ';', 0 };

			strcat(ft.keys, c);
		}
	if (ft.stage == 0 && (v = ft_key(text, len, "InitiatorName"))) {
		ft.expcmdsn = ntohl(req->cmdsn);
		if (ft.redirect) {
			char to[64];

			snprintf(to, sizeof(to), "TargetAddress=%s",
				 ft.redirect);
			pos = ft_add(out, pos, to);
			ft.redirect = NULL;
			ft_login_rsp(req, 0, out, pos, 1, 1);
			return;
		}
		if (ft.login_class) {
			ft_login_rsp(req, 0, out, 0, ft.login_class,
				     ft.login_detail);
			return;
		}
	} else if (ntohl(req->cmdsn) != ft.expcmdsn) {
		FT_ERROR();
	}
	if (csg == 0) {
		ft.stage = 1;
		if ((v = ft_key(text, len, "AuthMethod"))) {
			pos = ft_add(out, pos, "TargetPortalGroupTag=1");
			if (ft.user && !strstr(v, "CHAP")) {
				ft_login_rsp(req, 0, out, 0, 2, 1);
				return;
			}
			pos = ft_add(out, pos, ft.user ? "AuthMethod=CHAP" :
				     "AuthMethod=None");
			if (ft.user) {
				ft_login_rsp(req, flags, out, pos, 0, 0);
				return;
			}
		} else if (ft.user && (v = ft_key(text, len, "CHAP_A"))) {
			if (strcmp(v, "5"))
				FT_ERROR();
			ft.chap_id = (uint8_t)(ft.chap_id * 7 + 3);
			for (i = 0; i < sizeof(ft.chap_chal); i++)
				ft.chap_chal[i] = (uint8_t)host_rand();
			snprintf(hex, sizeof(hex), "CHAP_A=%s",
				 ft.chap_a ? ft.chap_a : "5");
			pos = ft_add(out, pos, hex);
			snprintf(hex, sizeof(hex), "CHAP_I=%u", ft.chap_id);
			pos = ft_add(out, pos, hex);
			strcpy(hex, "CHAP_C=");
			ft_hex(hex + 7, ft.chap_chal, sizeof(ft.chap_chal));
			pos = ft_add(out, pos, hex);
			ft_login_rsp(req, flags, out, pos, 0, 0);
			return;
		} else if (ft.user) {
			/* The answer to our challenge. */
			v = ft_key(text, len, "CHAP_N");
			ft_md5(ft.chap_id, ft.secret, ft.chap_chal,
			       sizeof(ft.chap_chal), digest);
			if (!v || strcmp(v, ft.user) ||
			    ft_unhex(ft_key(text, len, "CHAP_R"), bin,
				     sizeof(bin)) != 16 ||
			    memcmp(bin, digest, 16)) {
				ft_login_rsp(req, 0, out, 0, 2, 1);
				return;
			}
			if ((v = ft_key(text, len, "CHAP_I"))) {
				n = ft_unhex(ft_key(text, len, "CHAP_C"), bin,
					     sizeof(bin));
				if (n <= 0 || !ft.ruser) {
					ft_login_rsp(req, 0, out, 0, 2, 1);
					return;
				}
				ft_md5((uint8_t)strtoul(v, NULL, 10),
				       ft.rsecret, bin, (size_t)n, digest);
				snprintf(hex, sizeof(hex), "CHAP_N=%s",
					 ft.ruser);
				pos = ft_add(out, pos, hex);
				strcpy(hex, "CHAP_R=");
				ft_hex(hex + 7, digest, 16);
				pos = ft_add(out, pos, hex);
			}
		}
		if (transit)
			flags |= 0x80 | 1;
		ft_login_rsp(req, flags, out, pos, 0, 0);
		return;
	}
	/* Operational stage. */
	if (ft.pending_len) {
		if (len)
			FT_ERROR();           /* the request must be empty */
		ft_login_rsp(req, flags | 0x80 | 3, ft.pending_text,
			     ft.pending_len, 0, 0);
		ft.pending_len = 0;
		return;
	}
	if (ft_key(text, len, "HeaderDigest")) {
		char kv[64];

		snprintf(kv, sizeof(kv), "HeaderDigest=%s",
			 ft.digest ? ft.digest : "None");
		pos = ft_add(out, pos, kv);
		pos = ft_add(out, pos, "DataDigest=None");
		pos = ft_add(out, pos, ft.initial_r2t ? "InitialR2T=Yes" :
			     "InitialR2T=No");
		pos = ft_add(out, pos, ft.immediate ? "ImmediateData=Yes" :
			     "ImmediateData=No");
		snprintf(kv, sizeof(kv), "MaxRecvDataSegmentLength=%u",
			 (unsigned int)ft.mrdsl);
		pos = ft_add(out, pos, kv);
		snprintf(kv, sizeof(kv), "MaxBurstLength=%u",
			 (unsigned int)ft.max_burst);
		pos = ft_add(out, pos, kv);
		snprintf(kv, sizeof(kv), "FirstBurstLength=%u",
			 (unsigned int)ft.first_burst);
		pos = ft_add(out, pos, kv);
		pos = ft_add(out, pos, "MaxOutstandingR2T=1");
		pos = ft_add(out, pos, "ErrorRecoveryLevel=0");
		pos = ft_add(out, pos, "DefaultTime2Wait=2");
		pos = ft_add(out, pos, "DefaultTime2Retain=0");
		pos = ft_add(out, pos, "MaxConnections=1");
		pos = ft_add(out, pos, "DataPDUInOrder=Yes");
		pos = ft_add(out, pos, "DataSequenceInOrder=Yes");
		if (ft.unknown_key) {
			pos = ft_add(out, pos, "X-org.dust.Test=Yes");
			ft_login_rsp(req, flags, out, pos, 0, 0);
			return;
		}
		if (ft.continued) {
			/* The second half follows an empty request. */
			size_t half = pos / 2;

			memcpy(ft.pending_text, out + half, pos - half);
			ft.pending_len = pos - half;
			ft_login_rsp(req, flags | ISCSI_LOGIN_CONTINUE, out,
				     half, 0, 0);
			return;
		}
	}
	if (ft.never_transit)
		transit = 0;
	ft_login_rsp(req, flags | (transit ? 0x80 | 3 : 0), out, pos, 0, 0);
}

/* ---- the fake target's SCSI */

static uint64_t be(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

static void ft_status(uint32_t itt, uint8_t status, const uint8_t *sense,
		      size_t slen, uint8_t flags, uint32_t residual)
{
	struct io_buffer *iob;
	struct iscsi_scsi_rsp *r;
	uint8_t *d;

	ft.inflight--;
	r = (struct iscsi_scsi_rsp *)ft_pdu(ISCSI_OP_SCSI_RSP,
					    slen ? slen + 2 : 0, &iob);
	r->flags = ISCSI_FLAG_FINAL | flags;
	r->status = status;
	r->itt = itt;
	r->residual = htonl(residual);
	if (slen) {
		d = (uint8_t *)(r + 1);
		d[0] = (uint8_t)(slen >> 8);
		d[1] = (uint8_t)slen;
		memcpy(d + 2, sense, slen);
	}
	ft.statsn++;
	ft_send(iob);
}

static void ft_check(uint32_t itt, uint8_t key, uint8_t asc)
{
	uint8_t sense[18] = { 0x70, 0, key, 0, 0, 0, 0, 10, 0, 0, 0, 0, asc };

	ft_status(itt, 0x02, sense, sizeof(sense), 0, 0);
}

/* Data-In PDUs of din_size, the status on the last or apart. */
static void ft_data_in(uint32_t itt, const uint8_t *data, uint32_t len,
		       uint32_t want)
{
	struct io_buffer *iob;
	struct iscsi_data_in *d;
	uint32_t off = 0, n, sn = 0, residual = want - len;
	uint8_t uflag = residual ? ISCSI_RSP_UNDERFLOW : 0;
	int last;

	if (ft.bad == 5) {
		/* Short, and not saying so. */
		ft.bad = 0;
		len -= 512;
	}

	do {
		n = len - off < ft.din_size ? len - off : ft.din_size;
		last = off + n == len;
		if (last && !ft.separate_status)
			ft.inflight--;
		d = (struct iscsi_data_in *)ft_pdu(ISCSI_OP_DATA_IN, n, &iob);
		d->flags = last ? ISCSI_FLAG_FINAL : 0;
		d->itt = itt;
		d->ttt = ISCSI_RESERVED_TAG;
		d->datasn = htonl(sn++);
		d->offset = htonl(ft.bad == 1 ? off + 4096 : off);
		memcpy(d + 1, data + off, n);
		if (last && !ft.separate_status) {
			d->flags |= ISCSI_DATA_STATUS | uflag;
			d->residual = htonl(residual);
			ft.statsn++;
		} else {
			d->statsn = 0;
		}
		ft_send(iob);
		off += n;
	} while (off < len);
	if (ft.bad == 1) {
		ft.bad = 0;
		ft.inflight = 0;
		return;
	}
	if (ft.separate_status)
		ft_status(itt, 0, NULL, 0, uflag, residual);
}

static struct ft_write *ft_find_write(uint32_t itt)
{
	unsigned int i;

	for (i = 0; i < FT_WRITES; i++)
		if (ft.wr[i].used && ft.wr[i].itt == itt)
			return &ft.wr[i];
	return NULL;
}

/* Ask for the next burst of a write, or finish it. */
static void ft_write_next(struct ft_write *w)
{
	struct io_buffer *iob;
	struct iscsi_r2t *r;
	uint32_t n;

	if (w->unsolicited)
		return;
	if (w->got == w->len) {
		w->used = 0;
		ft_status(w->itt, 0, NULL, 0, 0, 0);
		return;
	}
	if (w->got < w->r2t_end)
		return;                /* the burst is still coming */
	n = w->len - w->got < ft.max_burst ? w->len - w->got : ft.max_burst;
	r = (struct iscsi_r2t *)ft_pdu(ISCSI_OP_R2T, 0, &iob);
	r->itt = w->itt;
	r->ttt = htonl(0x7000 + ft.r2ts);
	r->r2tsn = htonl(ft.r2ts);
	r->offset = htonl(w->got);
	r->length = htonl(n);
	w->ttt = r->ttt;
	w->r2t_end = w->got + n;
	ft.r2ts++;
	ft_send(iob);
}

static void ft_command(const struct iscsi_scsi_cmd *c, const uint8_t *data,
		       uint32_t dlen)
{
	static uint8_t buf[64];
	uint32_t want = ntohl(c->edtl), count = 0;
	uint64_t lba = 0;
	const uint8_t *cdb = c->cdb;
	struct ft_write *w;
	unsigned int i;

	ft.cmds++;
	if (ntohl(c->cmdsn) != ft.expcmdsn ||
	    ntohl(c->cmdsn) - (ft.expcmdsn - ft.inflight) >= ft.window)
		FT_ERROR();           /* out of order, or outside the window */
	ft.expcmdsn++;
	ft.inflight++;
	if (ft.inflight > ft.max_inflight)
		ft.max_inflight = ft.inflight;
	if (ft.drop_at && ft.cmds == ft.drop_at) {
		ft.drop_at = 0;
		ft.drop_pending = 1;
		return;
	}
	if (ft.stall_at && ft.cmds == ft.stall_at) {
		ft.stall_at = 0;
		ft.stalled = 1;
		return;
	}
	if (ft.ua) {
		ft.ua = 0;
		ft_check(c->itt, 6, 0x29);     /* power on or reset */
		return;
	}
	if (ft.bad == 2 && !(c->flags & ISCSI_CMD_WRITE)) {
		struct io_buffer *iob;
		struct iscsi_r2t *r = (struct iscsi_r2t *)
			ft_pdu(ISCSI_OP_R2T, 0, &iob);

		ft.bad = 0;
		r->itt = c->itt;
		r->length = htonl(512);
		ft_send(iob);
		return;
	}
	if (ft.bad == 4) {
		struct io_buffer *iob;
		struct iscsi_reject *r = (struct iscsi_reject *)
			ft_pdu(ISCSI_OP_REJECT, ISCSI_BHS_LEN, &iob);

		ft.bad = 0;
		ft.inflight--;
		r->reason = 0x09;              /* invalid PDU field */
		r->itt = ISCSI_RESERVED_TAG;
		memcpy(r + 1, c, ISCSI_BHS_LEN);
		ft.statsn++;
		ft_send(iob);
		return;
	}
	if (ft.bad == 3) {
		struct io_buffer *iob;

		ft.bad = 0;
		ft_pdu(ISCSI_OP_LOGIN_RSP, 0, &iob);
		ft_send(iob);
		return;
	}
	if (ft.busy) {
		ft.busy--;
		ft_status(c->itt, 0x08, NULL, 0, 0, 0);
		return;
	}
	if (ft.failure) {
		struct io_buffer *iob;
		struct iscsi_scsi_rsp *r = (struct iscsi_scsi_rsp *)
			ft_pdu(ISCSI_OP_SCSI_RSP, 0, &iob);

		ft.failure = 0;
		ft.inflight--;
		r->response = 1;
		r->itt = c->itt;
		ft.statsn++;
		ft_send(iob);
		return;
	}
	memset(buf, 0, sizeof(buf));
	switch (cdb[0]) {
	case 0x12:                             /* INQUIRY */
		buf[0] = ft.pdt;
		memcpy(buf + 8, "DUST    FAKE DISK       ", 24);
		ft_data_in(c->itt, buf, want < 36 ? want : 36, want);
		return;
	case 0x00:                             /* TEST UNIT READY */
		ft_status(c->itt, 0, NULL, 0, 0, 0);
		return;
	case 0x25:                             /* READ CAPACITY (10) */
		buf[0] = buf[1] = buf[2] = buf[3] = 0xff;
		if (!ft.big && !ft.huge) {
			buf[2] = (FT_BLOCKS - 1) >> 8;
			buf[3] = (FT_BLOCKS - 1) & 0xff;
			buf[0] = buf[1] = 0;
		}
		buf[6] = 2;                    /* 512 */
		ft_data_in(c->itt, buf, 8, want);
		return;
	case 0x9e:                             /* READ CAPACITY (16) */
		buf[6] = (FT_BLOCKS - 1) >> 8;
		buf[7] = (FT_BLOCKS - 1) & 0xff;
		if (ft.huge)
			buf[3] = 1, buf[4] = buf[5] = buf[6] = buf[7] = 0xff;
		buf[10] = 2;
		ft_data_in(c->itt, buf, 32 < want ? 32 : want, want);
		return;
	case 0x28: case 0x2a:
		lba = be(cdb + 2, 4);
		count = (uint32_t)be(cdb + 7, 2);
		break;
	case 0x88: case 0x8a:
		lba = be(cdb + 2, 8);
		count = (uint32_t)be(cdb + 10, 4);
		ft.cdb16++;
		break;
	default:
		ft_check(c->itt, 5, 0x20);     /* invalid command */
		return;
	}
	if (lba + count > (ft.huge ? 1ull << 33 : FT_BLOCKS) ||
	    count * 512 != want) {
		ft_check(c->itt, 5, 0x21);     /* LBA out of range */
		return;
	}
	if (ft.medium_lba && ft.medium_lba >= lba &&
	    ft.medium_lba < lba + count) {
		/* Descriptor format sense (SPC-4 4.5.2). */
		static const uint8_t sense[8] = { 0x72, 3, 0x11, 0 };

		ft_status(c->itt, 0x02, sense, sizeof(sense), 0, 0);
		return;
	}
	if (ft.huge) {
		lba %= FT_BLOCKS;
		if (lba + count > FT_BLOCKS) {
			FT_ERROR();            /* (the test avoids this) */
			ft_check(c->itt, 5, 0x21);
			return;
		}
	}
	if (cdb[0] == 0x28 || cdb[0] == 0x88) {
		ft_data_in(c->itt, ft.disk + lba * 512, want, want);
		return;
	}
	for (i = 0; i < FT_WRITES && ft.wr[i].used; i++)
		;
	if (i == FT_WRITES) {
		FT_ERROR();
		return;
	}
	w = &ft.wr[i];
	memset(w, 0, sizeof(*w));
	w->used = 1;
	w->itt = c->itt;
	w->lba = lba;
	w->len = want;
	if (dlen > want || (dlen && !ft.immediate) || dlen > ft.first_burst ||
	    dlen > ft.mrdsl)
		FT_ERROR();
	memcpy(ft.disk + lba * 512, data, dlen);
	ft.imm_bytes += dlen;
	w->got = dlen;
	w->r2t_end = dlen;
	w->unsolicited = !(c->flags & ISCSI_FLAG_FINAL);
	if (w->unsolicited && ft.initial_r2t)
		FT_ERROR();
	ft_write_next(w);
}

static void ft_data_out(const struct iscsi_data_out *d, const uint8_t *data,
			uint32_t dlen)
{
	struct ft_write *w = ft_find_write(d->itt);
	uint32_t off = ntohl(d->offset);

	ft.data_outs++;
	if (!w || off != w->got || off + dlen > w->len || dlen > ft.mrdsl ||
	    (d->ttt == ISCSI_RESERVED_TAG) != w->unsolicited ||
	    (!w->unsolicited && d->ttt != w->ttt)) {
		FT_ERROR();
		return;
	}
	memcpy(ft.disk + w->lba * 512 + off, data, dlen);
	w->got += dlen;
	if (w->unsolicited) {
		ft.unsol_bytes += dlen;
		if (w->got > ft.first_burst)
			FT_ERROR();
		if (d->flags & ISCSI_FLAG_FINAL) {
			w->unsolicited = 0;
			w->r2t_end = w->got;
		}
	} else if (!(d->flags & ISCSI_FLAG_FINAL) != (w->got != w->r2t_end)) {
		FT_ERROR();
	}
	if (d->flags & ISCSI_FLAG_FINAL)
		ft_write_next(w);
}

/* Take every whole PDU the initiator sent. */
static void ft_rx(void)
{
	struct iscsi_bhs *h;
	struct io_buffer *iob;
	size_t total, dlen;

	while (ft.in_len >= ISCSI_BHS_LEN) {
		h = (struct iscsi_bhs *)ft.in;
		dlen = iscsi_dsl(h->dsl);
		total = ISCSI_BHS_LEN + h->ahs_len * 4 + ALIGN_UP(dlen, 4);
		if (ft.in_len < total)
			return;
		if (ft.stalled) {
			/* Silent: everything is swallowed. */
		} else switch (h->opcode & ISCSI_OP_MASK) {
		case ISCSI_OP_LOGIN:
			ft_login((struct iscsi_login_req *)h,
				 (char *)ft.in + ISCSI_BHS_LEN, dlen);
			break;
		case ISCSI_OP_SCSI_CMD:
			if (h->opcode & ISCSI_OP_IMMEDIATE)
				FT_ERROR();
			ft_command((struct iscsi_scsi_cmd *)h,
				   ft.in + ISCSI_BHS_LEN, (uint32_t)dlen);
			break;
		case ISCSI_OP_DATA_OUT:
			ft_data_out((struct iscsi_data_out *)h,
				    ft.in + ISCSI_BHS_LEN, (uint32_t)dlen);
			break;
		case ISCSI_OP_NOP_OUT:
			if (!(h->opcode & ISCSI_OP_IMMEDIATE) ||
			    ntohl(((struct iscsi_nop_out *)h)->cmdsn) !=
			    ft.expcmdsn)
				FT_ERROR();
			if (h->itt != ISCSI_RESERVED_TAG) {
				struct iscsi_bhs *r = ft_pdu(ISCSI_OP_NOP_IN,
							     0, &iob);

				ft.pings++;
				r->itt = h->itt;
				r->ttt = ISCSI_RESERVED_TAG;
				ft.statsn++;
				ft_send(iob);
			} else if (h->ttt == htonl(0x5150)) {
				ft.nop_answers++;
			} else {
				FT_ERROR();
			}
			break;
		case ISCSI_OP_LOGOUT:
			ft.logouts++;
			h = ft_pdu(ISCSI_OP_LOGOUT_RSP, 0, &iob);
			h->itt = ((struct iscsi_bhs *)ft.in)->itt;
			ft.statsn++;
			ft_send(iob);
			break;
		default:
			FT_ERROR();
			break;
		}
		memmove(ft.in, ft.in + total, ft.in_len - total);
		ft.in_len -= total;
	}
}

/* ---- test set-up */

#define RP "iscsi:192.0.2.1::::iqn.2010-04.org.dust.test:disk"

static void store(const struct setting *s, const char *value)
{
	if (value)
		storef_setting(&global_settings, s, value);
	else
		store_setting(&global_settings, s, NULL, 0, 0);
}

static void ft_start(void)
{
	unsigned int i;

	memset(&ft, 0, sizeof(ft));
	INIT_LIST_HEAD(&ft.out);
	xfer_init(&ft.x, &ft_ops, NULL);
	ft.initial_r2t = 1;
	ft.immediate = 1;
	ft.mrdsl = 8192;
	ft.first_burst = 65536;
	ft.max_burst = 262144;
	ft.din_size = 8192;
	ft.window = 32;
	ft.send_buf = 65536;
	ft.statsn = 1000;
	ft.disk = malloc(FT_BLOCKS * 512);
	for (i = 0; i < FT_BLOCKS * 512; i++)
		ft.disk[i] = (uint8_t)(i * 7 + (i >> 9));
	ft.armed = 1;
	iscsi_connect = ft_connect;
	store(&initiator_iqn_setting, "iqn.2010-04.org.dust:test");
}

static void ft_stop(void)
{
	ft.armed = 0;
	ft_flush();
	free(ft.in);
	free(ft.disk);
	store(&initiator_iqn_setting, NULL);
	store(&username_setting, NULL);
	store(&password_setting, NULL);
	store(&reverse_username_setting, NULL);
	store(&reverse_password_setting, NULL);
	store(&hostname_setting, NULL);
}

static const char *out;

static struct block_device *ft_open(const char *rp, int *rc)
{
	struct block_device *bdev = NULL;

	host_capture_start();
	*rc = block_open(rp, &bdev);
	out = host_capture_stop();
	return bdev;
}

static void ft_close_dev(struct block_device *bdev)
{
	host_capture_start();
	block_close(bdev);
	host_capture_stop();
}

static int rw(struct block_device *bdev, uint64_t lba, uint32_t count,
	      void *buf, int write)
{
	int rc;

	host_capture_start();
	rc = block_rw_sync(bdev, lba, count, buf, write);
	out = host_capture_stop();
	return rc;
}

/* Read blocks and compare them with the fake's disk. */
static int read_ok(struct block_device *bdev, uint64_t lba, uint32_t count)
{
	uint8_t *buf = malloc(count * 512);
	int ok;

	memset(buf, 0xee, count * 512);
	ok = rw(bdev, lba, count, buf, 0) == 0 &&
		!memcmp(buf, ft.disk + (lba % FT_BLOCKS) * 512, count * 512);
	free(buf);
	return ok;
}

/* Write a pattern and check that it arrived. */
static int write_ok(struct block_device *bdev, uint64_t lba, uint32_t count,
		    uint8_t seed)
{
	uint8_t *buf = malloc(count * 512);
	uint32_t i;
	int ok;

	for (i = 0; i < count * 512; i++)
		buf[i] = (uint8_t)(seed + i * 13 + (i >> 8));
	ok = rw(bdev, lba, count, buf, 1) == 0 &&
		!memcmp(buf, ft.disk + (lba % FT_BLOCKS) * 512, count * 512);
	free(buf);
	return ok;
}

static int has_key(const char *kv)
{
	char want[128];

	snprintf(want, sizeof(want), "%s;", kv);
	return strstr(ft.keys, want) != NULL;
}

/* ---- logins */

UNIT_TEST(iscsi_login_none)
{
	struct block_device *bdev;
	int rc;

	ft_start();
	bdev = ft_open(RP, &rc);
	check_eq(rc, 0);
	check(bdev != NULL);
	if (!bdev) {
		ft_stop();
		return;
	}
	check_eq(bdev->blocks, FT_BLOCKS);
	check_eq(bdev->block_size, 512);
	check_eq(bdev->max_count, 512);
	check_str(bdev->model, "DUST FAKE DISK");
	check(strstr(out, "iqn.2010-04.org.dust.test:disk LUN 0 on "
		     "192.0.2.1:3260: DUST FAKE DISK") != NULL);
	check(has_key("InitiatorName=iqn.2010-04.org.dust:test"));
	check(has_key("TargetName=iqn.2010-04.org.dust.test:disk"));
	check(has_key("SessionType=Normal"));
	check(has_key("AuthMethod=None"));
	check(has_key("HeaderDigest=None"));
	check(has_key("DataDigest=None"));
	check(has_key("InitialR2T=No"));
	check(has_key("ImmediateData=Yes"));
	check(has_key("MaxRecvDataSegmentLength=262144"));
	check(has_key("MaxBurstLength=262144"));
	check(has_key("FirstBurstLength=65536"));
	check(has_key("ErrorRecoveryLevel=0"));
	check(has_key("DefaultTime2Wait=0"));
	check(has_key("MaxOutstandingR2T=1"));
	check_eq(ft.peer.sin_addr.s_addr, htonl(0xc0000201));
	check_eq(ft.peer.sin_port, htons(3260));
	check(read_ok(bdev, 100, 8));
	check(read_ok(bdev, FT_BLOCKS - 1, 1));
	check(write_ok(bdev, 7, 3, 1));
	check_eq(ft.connects, 1);
	ft_close_dev(bdev);
	check_eq(ft.logouts, 1);
	check_eq(ft.error_line, 0);
	ft_stop();
}

UNIT_TEST(iscsi_login_chap_one_way)
{
	struct block_device *bdev;
	struct ibft_target t;
	int rc;

	ft_start();
	ft.user = "alice";
	ft.secret = "alice-secret-12";
	store(&username_setting, "alice");
	store(&password_setting, "alice-secret-12");
	bdev = ft_open(RP, &rc);
	check_eq(rc, 0);
	check(has_key("AuthMethod=CHAP,None"));
	check(has_key("CHAP_A=5"));
	check(has_key("CHAP_N=alice"));
	check(!has_key("CHAP_I"));
	if (bdev) {
		memset(&t, 0, sizeof(t));
		bdev->op->describe(bdev, &t);
		check_str(t.chap_name, "alice");
		check_str(t.chap_secret, "alice-secret-12");
		check(t.reverse_chap_name == NULL);
		check(read_ok(bdev, 0, 16));
		ft_close_dev(bdev);
	}
	/* A wrong password: the target says so. */
	store(&password_setting, "wrong-secret");
	bdev = ft_open(RP, &rc);
	check(rc_is(rc, EKEYREJECTED_K));
	check(bdev == NULL);
	check(strstr(out, "login refused: status 0201: authentication "
		     "failed (check username and password)") != NULL);
	/* No credentials for a target that wants them. */
	store(&username_setting, NULL);
	store(&password_setting, NULL);
	bdev = ft_open(RP, &rc);
	check(rc_is(rc, EKEYREJECTED_K));
	/* Half the credentials. */
	store(&username_setting, "alice");
	bdev = ft_open(RP, &rc);
	check(rc_is(rc, ENOKEY_K));
	check(strstr(out, "CHAP needs username and password") != NULL);
	check_eq(ft.error_line, 0);
	ft_stop();
}

UNIT_TEST(iscsi_login_chap_mutual)
{
	struct block_device *bdev;
	struct ibft_target t;
	int rc;

	ft_start();
	ft.user = "alice";
	ft.secret = "alice-secret-12";
	ft.ruser = "target-1";
	ft.rsecret = "target-secret-9";
	store(&username_setting, "alice");
	store(&password_setting, "alice-secret-12");
	store(&reverse_username_setting, "target-1");
	store(&reverse_password_setting, "target-secret-9");
	bdev = ft_open(RP, &rc);
	check_eq(rc, 0);
	check(has_key("AuthMethod=CHAP"));
	check(strstr(ft.keys, "CHAP_I=") != NULL);
	check(strstr(ft.keys, "CHAP_C=0x") != NULL);
	if (bdev) {
		memset(&t, 0, sizeof(t));
		bdev->op->describe(bdev, &t);
		check_str(t.reverse_chap_name, "target-1");
		check_str(t.reverse_chap_secret, "target-secret-9");
		check(read_ok(bdev, 5, 2));
		ft_close_dev(bdev);
	}
	/* The target does not know our reverse password: caught. */
	ft.rsecret = "something-else";
	bdev = ft_open(RP, &rc);
	check(rc_is(rc, EKEYREJECTED_K));
	check(bdev == NULL);
	check(strstr(out, "the target failed mutual CHAP: it answered as "
		     "\"target-1\" (reverse-username \"target-1\"), not with "
		     "reverse-password") != NULL);
	/* Or answers under another name. */
	ft.rsecret = "target-secret-9";
	ft.ruser = "target-2";
	bdev = ft_open(RP, &rc);
	check(rc_is(rc, EKEYREJECTED_K));
	check(strstr(out, "it answered as \"target-2\"") != NULL);
	/* A target that does not authenticate at all. */
	ft.user = NULL;
	bdev = ft_open(RP, &rc);
	check(rc_is(rc, EACCES_K));
	check(strstr(out, "chose AuthMethod=None, but mutual CHAP is set "
		     "up") != NULL);
	check_eq(ft.error_line, 0);
	ft_stop();
}

UNIT_TEST(iscsi_login_negotiation)
{
	struct block_device *bdev;
	int rc;

	ft_start();
	ft.unknown_key = 1;
	bdev = ft_open(RP, &rc);
	check_eq(rc, 0);
	check(has_key("X-org.dust.Test=NotUnderstood"));
	if (bdev)
		ft_close_dev(bdev);
	ft.unknown_key = 0;
	ft.continued = 1;
	ft.keys[0] = 0;
	bdev = ft_open(RP, &rc);
	check_eq(rc, 0);
	check(bdev && read_ok(bdev, 1, 1));
	if (bdev)
		ft_close_dev(bdev);
	check_eq(ft.error_line, 0);
	ft_stop();
}

/* ---- data */

static struct block_device *open_ok(void)
{
	struct block_device *bdev;
	int rc;

	bdev = ft_open(RP, &rc);
	check_eq(rc, 0);
	return bdev;
}

UNIT_TEST(iscsi_reads)
{
	struct block_device *bdev;

	ft_start();
	ft.din_size = 1000;            /* not a multiple of the block size */
	ft.split = 1;
	bdev = open_ok();
	if (bdev) {
		check(read_ok(bdev, 0, 1));
		check(read_ok(bdev, 33, 127));
		check(read_ok(bdev, 1000, 600));   /* two commands */
		check_eq(ft.cmds, 3 + 1 + 1 + 2);
		ft.separate_status = 1;
		check(read_ok(bdev, 3, 17));
		ft.din_size = 65536;
		check(read_ok(bdev, 3, 130));
		/* Past the end: refused before anything is sent. */
		check(rc_is(rw(bdev, FT_BLOCKS - 1, 2, ft.disk, 0), ERANGE_K));
		ft_close_dev(bdev);
	}
	check_eq(ft.error_line, 0);
	ft_stop();
}

UNIT_TEST(iscsi_read_capacity_16)
{
	struct block_device *bdev;

	ft_start();
	ft.big = 1;
	bdev = open_ok();
	if (bdev) {
		check_eq(bdev->blocks, FT_BLOCKS);
		check(read_ok(bdev, 9, 9));
		ft_close_dev(bdev);
	}
	check_eq(ft.error_line, 0);
	ft_stop();
}

/* Several commands in flight through a command window of two. */
static void count_done(struct block_cmd *cmd)
{
	(*(int *)cmd->ctx)++;
}

UNIT_TEST(iscsi_command_window)
{
	struct block_device *bdev;
	struct block_cmd cmd[6];
	uint8_t *buf = malloc(6 * 40 * 512);
	int done = 0, i, limit = 100000;

	ft_start();
	ft.window = 2;
	ft.max_burst = 8192;           /* 16 blocks per command */
	ft.split = 1;
	bdev = open_ok();
	if (bdev) {
		check_eq(bdev->max_count, 16);
		host_capture_start();
		for (i = 0; i < 6; i++) {
			memset(&cmd[i], 0, sizeof(cmd[i]));
			cmd[i].lba = (uint64_t)i * 100;
			cmd[i].count = 40;
			cmd[i].buf = buf + i * 40 * 512;
			cmd[i].done = count_done;
			cmd[i].ctx = &done;
			check_eq(bdev->op->submit(bdev, &cmd[i]), 0);
		}
		while (done < 6 && limit--)
			step();
		host_capture_stop();
		check_eq(done, 6);
		for (i = 0; i < 6; i++) {
			check_eq(cmd[i].rc, 0);
			check_mem(buf + i * 40 * 512, ft.disk + i * 100 * 512,
				  40 * 512);
		}
		check(ft.max_inflight <= 2);
		check_eq(ft.cmds, 3 + 6 * 3);
		ft_close_dev(bdev);
	}
	check_eq(ft.error_line, 0);
	free(buf);
	ft_stop();
}

UNIT_TEST(iscsi_writes)
{
	struct block_device *bdev;

	/* ImmediateData=Yes, InitialR2T=Yes: immediate data, then R2Ts. */
	ft_start();
	bdev = open_ok();
	if (bdev) {
		check(write_ok(bdev, 10, 8, 1));
		check_eq(ft.imm_bytes, 4096);
		check_eq(ft.r2ts, 0);
		check(write_ok(bdev, 20, 64, 2));
		check_eq(ft.imm_bytes, 4096 + 8192);
		check_eq(ft.r2ts, 1);
		check_eq(ft.data_outs, 3);     /* 24 KiB in 8 KiB PDUs */
		ft_close_dev(bdev);
	}
	check_eq(ft.error_line, 0);
	ft_stop();

	/* InitialR2T=No: unsolicited Data-Out up to FirstBurstLength. */
	ft_start();
	ft.initial_r2t = 0;
	ft.immediate = 0;
	ft.first_burst = 16384;
	ft.mrdsl = 4096;
	bdev = open_ok();
	if (bdev) {
		check(write_ok(bdev, 0, 64, 3));
		check_eq(ft.imm_bytes, 0);
		check_eq(ft.unsol_bytes, 16384);
		check_eq(ft.r2ts, 1);
		check(write_ok(bdev, 100, 4, 4));  /* all unsolicited */
		check_eq(ft.unsol_bytes, 16384 + 2048);
		check_eq(ft.r2ts, 1);
		ft_close_dev(bdev);
	}
	check_eq(ft.error_line, 0);
	ft_stop();

	/* Both: immediate data, unsolicited Data-Out, then R2Ts. */
	ft_start();
	ft.initial_r2t = 0;
	ft.first_burst = 20000;
	bdev = open_ok();
	if (bdev) {
		check(write_ok(bdev, 50, 100, 5));
		check_eq(ft.imm_bytes, 8192);
		check_eq(ft.unsol_bytes, 20000 - 8192);
		check_eq(ft.r2ts, 1);
		ft_close_dev(bdev);
	}
	check_eq(ft.error_line, 0);
	ft_stop();

	/* R2Ts only, several bursts, a small send buffer, odd pieces. */
	ft_start();
	ft.immediate = 0;
	ft.max_burst = 8192;
	ft.send_buf = 1000;
	ft.split = 1;
	bdev = open_ok();
	if (bdev) {
		check(write_ok(bdev, 7, 100, 6));  /* 7 commands */
		check_eq(ft.r2ts, 100 / 16 + 1);
		check(read_ok(bdev, 0, 200));
		ft_close_dev(bdev);
	}
	check_eq(ft.error_line, 0);
	ft_stop();
}

/* ---- target requests */

static void ft_nop_in(void)
{
	struct io_buffer *iob;
	struct iscsi_bhs *h = ft_pdu(ISCSI_OP_NOP_IN, 0, &iob);

	h->itt = ISCSI_RESERVED_TAG;
	h->ttt = htonl(0x5150);
	h->lun[1] = 0;
	ft_send(iob);
}

static void steps(unsigned int n)
{
	while (n--)
		step();
}

UNIT_TEST(iscsi_nop_in)
{
	struct block_device *bdev;

	ft_start();
	bdev = open_ok();
	if (bdev) {
		ft_nop_in();
		steps(5);
		check_eq(ft.nop_answers, 1);
		ft_nop_in();
		check(read_ok(bdev, 2, 2));
		steps(2);
		check_eq(ft.nop_answers, 2);
		ft_close_dev(bdev);
	}
	check_eq(ft.error_line, 0);
	ft_stop();
}

UNIT_TEST(iscsi_unit_attention)
{
	struct block_device *bdev;

	ft_start();
	ft.ua = 1;                     /* the first INQUIRY */
	bdev = open_ok();
	if (bdev) {
		ft.ua = 1;
		check(read_ok(bdev, 4, 4));
		ft.ua = 1;
		check(write_ok(bdev, 4, 4, 9));
		check_eq(ft.cmds, 4 + 2 + 2);
		ft_close_dev(bdev);
	}
	check_eq(ft.error_line, 0);
	ft_stop();
}

/* ---- lost connections */

UNIT_TEST(iscsi_connection_drop)
{
	struct block_device *bdev;

	ft_start();
	bdev = open_ok();
	if (bdev) {
		/* Reset in the middle of a read: a new login, the read
		 * again. */
		ft.drop_at = ft.cmds + 1;
		check(read_ok(bdev, 64, 64));
		check_eq(ft.connects, 2);
		check(strstr(out, "connection to the target lost") != NULL);
		check(strstr(out, "logged in again") != NULL);
		/* The target restarts: refused a few times, then back;
		 * the new session starts with a UNIT ATTENTION. */
		ft.drop_at = ft.cmds + 1;
		ft.refuse = 3;
		ft.ua = 1;
		check(write_ok(bdev, 64, 64, 7));
		check_eq(ft.connects, 2 + 4);
		/* The connection ends while idle: the next command logs in
		 * again. */
		ft.drop_pending = 1;
		host_capture_start();
		steps(3);
		check(strstr(host_capture_stop(), "connection to the target "
			     "lost") != NULL);
		check(read_ok(bdev, 1, 1));
		check(strstr(out, "logged in again") != NULL);
		check_eq(ft.connects, 7);
		ft_close_dev(bdev);
	}
	check_eq(ft.error_line, 0);
	ft_stop();
}

UNIT_TEST(iscsi_target_gone)
{
	struct block_device *bdev;
	uint8_t buf[512];
	int rc;

	ft_start();
	bdev = open_ok();
	if (bdev) {
		ft.drop_at = ft.cmds + 1;
		ft.gone = 1;
		rc = rw(bdev, 0, 1, buf, 0);
		check(rc_is(rc, ECONNREFUSED_K));
		check(strstr(out, "could not log in again within 30 s") !=
		      NULL);
		check(ft.connects > 5 && ft.connects < 30);
		/* Back again: the next command logs in anew. */
		ft.gone = 0;
		check(read_ok(bdev, 0, 1));
		ft_close_dev(bdev);
	}
	check_eq(ft.error_line, 0);
	ft_stop();
}

UNIT_TEST(iscsi_stalled_target)
{
	struct block_device *bdev;

	ft_start();
	bdev = open_ok();
	if (bdev) {
		/* Silent from the next command on: after a ping and then
		 * ISCSI_DEAD_MS, a new connection. */
		ft.stall_at = ft.cmds + 1;
		check(read_ok(bdev, 8, 8));
		check(strstr(out, "no answer from the target for 15 s") !=
		      NULL);
		check_eq(ft.connects, 2);
		/* A target that answers pings is alive. */
		check_eq(ft.pings, 0);
		ft_close_dev(bdev);
	}
	check_eq(ft.error_line, 0);
	ft_stop();
}

/* ---- login outcomes */

UNIT_TEST(iscsi_login_redirect)
{
	struct block_device *bdev;

	ft_start();
	ft.redirect = "192.0.2.7:3261,1";
	bdev = open_ok();
	check_eq(ft.connects, 2);
	check_eq(ft.peer.sin_addr.s_addr, htonl(0xc0000207));
	check_eq(ft.peer.sin_port, htons(3261));
	if (bdev) {
		check(read_ok(bdev, 0, 2));
		/* After a lost connection: the portal from the root-path,
		 * which redirects again. */
		ft.redirect = "192.0.2.8";
		ft.drop_at = ft.cmds + 1;
		check(read_ok(bdev, 0, 2));
		check_eq(ft.connects, 4);
		check_eq(ft.peer.sin_addr.s_addr, htonl(0xc0000208));
		check_eq(ft.peer.sin_port, htons(3260));
		ft_close_dev(bdev);
	}
	check_eq(ft.error_line, 0);
	ft_stop();
}

UNIT_TEST(iscsi_login_errors)
{
	struct block_device *bdev;
	int rc;

	ft_start();
	ft.login_class = 2;
	ft.login_detail = 3;
	bdev = ft_open(RP, &rc);
	check(bdev == NULL);
	check(rc_is(rc, ENOENT_K));
	check(strstr(out, "status 0203: no such target") != NULL);
	ft.login_class = 3;
	ft.login_detail = 1;
	bdev = ft_open(RP, &rc);
	check(rc_is(rc, EAGAIN_K));
	check(strstr(out, "status 0301: target error") != NULL);
	ft.login_class = 0;
	/* Refused at open: no retries. */
	ft.refuse = 1;
	ft.connects = 0;
	bdev = ft_open(RP, &rc);
	check(rc_is(rc, ECONNREFUSED_K));
	check_eq(ft.connects, 1);
	check(strstr(out, "no session with iqn.2010-04.org.dust.test:disk on "
		     "192.0.2.1:3260: Connection refused") != NULL);
	/* LUN 0 of tgt is its controller; a missing LUN. */
	ft.pdt = 0x0c;
	bdev = ft_open(RP, &rc);
	check(rc_is(rc, ENODEV_K));
	check(strstr(out, "disk LUN 0 is not a disk (SCSI device type 0x0c)")
	      != NULL);
	ft.pdt = 0x7f;
	bdev = ft_open("iscsi:192.0.2.1:::2:iqn.x", &rc);
	check(rc_is(rc, ENODEV_K));
	check(strstr(out, "iqn.x has no LUN 2") != NULL);
	/* Root-path problems come from the parser. */
	bdev = ft_open("iscsi:192.0.2.1::x::iqn.x", &rc);
	check(rc_is(rc, EINVAL_K));
	check(strstr(out, "port field \"x\" is not a number") != NULL);
	check(bdev == NULL);
	check_eq(ft.error_line, 0);
	ft_stop();
}

UNIT_TEST(iscsi_initiator_name)
{
	struct block_device *bdev;

	ft_start();
	store(&initiator_iqn_setting, NULL);
	store(&hostname_setting, "Lab_PC7");
	bdev = open_ok();
	check(has_key("InitiatorName=iqn.2010-04.org.dust:lab-pc7"));
	if (bdev)
		ft_close_dev(bdev);
	ft.keys[0] = 0;
	store(&hostname_setting, NULL);
	store(&uuid_setting, "01234567-89ab-cdef-0123-456789ABCDEF");
	bdev = open_ok();
	check(has_key("InitiatorName=iqn.2010-04.org.dust:"
		      "01234567-89ab-cdef-0123-456789abcdef"));
	if (bdev)
		ft_close_dev(bdev);
	store(&uuid_setting, NULL);
	ft_stop();
}

UNIT_TEST(iscsi_describe)
{
	struct net_device *netdev = fakenet_create(fake_mac);
	struct block_device *bdev;
	struct ibft_target t;
	char name[32];
	struct settings *block;
	const struct setting *s;
	struct setting tmp;
	static const uint8_t lun[8] = { 0, 5 };
	int rc;

	snprintf(name, sizeof(name), "%s/ip", netdev->name);
	parse_setting_name(name, &block, &s, &tmp);
	storef_setting(block, s, "192.0.2.100");
	snprintf(name, sizeof(name), "%s/netmask", netdev->name);
	parse_setting_name(name, &block, &s, &tmp);
	storef_setting(block, s, "255.255.255.0");
	ft_start();
	bdev = ft_open("iscsi:192.0.2.1::3262:5:iqn.2010-04.org.dust.test:d5",
		       &rc);
	check(bdev != NULL);
	if (bdev) {
		memset(&t, 0, sizeof(t));
		check_eq(bdev->op->describe(bdev, &t), 0);
		check_eq(t.ip.s_addr, htonl(0xc0000201));
		check_eq(t.port, 3262);
		check_mem(t.lun, lun, 8);
		check_str(t.name, "iqn.2010-04.org.dust.test:d5");
		check_str(t.initiator, "iqn.2010-04.org.dust:test");
		check(t.chap_name == NULL);
		check(t.netdev == netdev);
		ft_close_dev(bdev);
	}
	ft_stop();
	fakenet_destroy(netdev);
}

/* Closing fails what is still waiting, and logs out. */
UNIT_TEST(iscsi_close_with_commands)
{
	struct block_device *bdev;
	struct block_cmd cmd;
	uint8_t buf[1024];
	int done = 0;

	ft_start();
	bdev = open_ok();
	if (bdev) {
		ft.stall_at = ft.cmds + 1;
		memset(&cmd, 0, sizeof(cmd));
		cmd.count = 2;
		cmd.buf = buf;
		cmd.done = count_done;
		cmd.ctx = &done;
		check_eq(bdev->op->submit(bdev, &cmd), 0);
		steps(5);
		check_eq(done, 0);
		ft_close_dev(bdev);
		check_eq(done, 1);
		check(rc_is(cmd.rc, ECANCELED_K));
	}
	ft_stop();
}

/* ---- malformed and unexpected PDUs */

static void ft_raw(uint8_t op, uint32_t itt, uint8_t ahs, uint32_t dlen)
{
	struct io_buffer *iob;
	struct iscsi_bhs *h = ft_pdu(op, ahs * 4 + dlen, &iob);

	/* ft_pdu counted the AHS as data: move it into the header. */
	iscsi_set_dsl(h->dsl, dlen);
	h->ahs_len = ahs;
	h->itt = itt;
	h->ttt = ISCSI_RESERVED_TAG;
	if (op == ISCSI_OP_DATA_IN)
		h->flags |= ISCSI_DATA_STATUS;
	ft_send(iob);
}

UNIT_TEST(iscsi_malformed_pdus)
{
	struct block_device *bdev;
	uint8_t buf[4096];

	ft_start();
	ft.split = 1;
	bdev = open_ok();
	if (bdev) {
		/* Dropped with a message; the session goes on. */
		ft_raw(0x3c, 1, 0, 100);
		check(read_ok(bdev, 0, 1));
		check(strstr(out, "unknown PDU (opcode 0x3c): dropped") !=
		      NULL);
		ft_raw(ISCSI_OP_DATA_IN, 0xabcdef, 0, 2000);
		check(read_ok(bdev, 0, 1));
		check(strstr(out, "Data-In for no read of ours") != NULL);
		ft_raw(ISCSI_OP_SCSI_RSP, 0xabcdef, 0, 0);
		check(read_ok(bdev, 0, 1));
		check(strstr(out, "status for no command of ours") != NULL);
		ft_raw(ISCSI_OP_NOP_IN, ISCSI_RESERVED_TAG, 2, 5);
		check(read_ok(bdev, 0, 1));
		check_eq(ft.connects, 1);
		/* Data beyond the buffer, an R2T for a read, a login answer
		 * in the full feature phase: the connection ends, the
		 * command is done on the next. */
		ft.bad = 1;
		check(read_ok(bdev, 0, 4));
		check(strstr(out, "does not fit the read") != NULL);
		check_eq(ft.connects, 2);
		ft.bad = 2;
		check(read_ok(bdev, 0, 4));
		check(strstr(out, "R2T for 512 bytes at 0 matches no write") !=
		      NULL);
		check_eq(ft.connects, 3);
		ft.bad = 3;
		check(read_ok(bdev, 0, 4));
		check(strstr(out, "unexpected PDU (opcode 0x23)") != NULL);
		check_eq(ft.connects, 4);
		/* A rejected command fails; a short read fails. */
		ft.bad = 4;
		check(rc_is(rw(bdev, 0, 1, buf, 0), EPROTO_K));
		check(strstr(out, "rejected a PDU (reason 0x09)") != NULL);
		ft.bad = 5;
		check(rc_is(rw(bdev, 0, 8, buf, 0), EIO_K));
		check(strstr(out, "moved 3584 of 4096 bytes") != NULL);
		/* The target asks us to leave: the next command logs in. */
		{
			struct io_buffer *iob;
			struct iscsi_async *a = (struct iscsi_async *)
				ft_pdu(ISCSI_OP_ASYNC, 0, &iob);

			a->itt = ISCSI_RESERVED_TAG;
			a->event = ISCSI_ASYNC_LOGOUT;
			ft_send(iob);
		}
		host_capture_start();
		steps(3);
		check(strstr(host_capture_stop(), "asks us to leave") != NULL);
		check(read_ok(bdev, 0, 1));
		check_eq(ft.connects, 5);
		check(read_ok(bdev, 0, 1));
		ft_close_dev(bdev);
	}
	check_eq(ft.error_line, 0);
	ft_stop();
}

/* ---- less common answers */

UNIT_TEST(iscsi_large_lbas)
{
	struct block_device *bdev;

	ft_start();
	ft.huge = 1;
	bdev = open_ok();
	if (bdev) {
		check_eq(bdev->blocks, 1ull << 33);
		/* Below 2^32 blocks: 10-byte CDBs; past it: 16-byte ones. */
		check(read_ok(bdev, 100, 8));
		check_eq(ft.cdb16, 0);
		ft.keys[0] = 0;
		check(rw(bdev, 0x100000000ull + 100, 8, ft.disk + 200 * 512,
			 1) == 0);
		check_eq(ft.cdb16, 1);
		check(read_ok(bdev, 100, 8));
		/* Ending at block 2^32 - 1 still fits READ (10). */
		check(read_ok(bdev, 0xfffffff8ull, 8));
		check_eq(ft.cdb16, 1);
		check(read_ok(bdev, 0x1fffffff0ull, 16));
		check_eq(ft.cdb16, 2);
		ft_close_dev(bdev);
	}
	check_eq(ft.error_line, 0);
	ft_stop();
}

UNIT_TEST(iscsi_scsi_errors)
{
	struct block_device *bdev;
	uint8_t buf[4096];

	ft_start();
	bdev = open_ok();
	if (bdev) {
		ft.medium_lba = 77;
		check(rc_is(rw(bdev, 70, 8, buf, 0), EIO_K));
		check(strstr(out, "SCSI command 0x28 failed: MEDIUM ERROR "
			     "(ASC 11 ASCQ 00)") != NULL);
		ft.medium_lba = 0;
		ft.busy = 3;                   /* BUSY is retried */
		check(read_ok(bdev, 70, 8));
		ft.busy = 20;                  /* but not for ever */
		check(rc_is(rw(bdev, 70, 8, buf, 0), EBUSY_K));
		ft.busy = 0;
		ft.failure = 1;
		check(rc_is(rw(bdev, 70, 8, buf, 0), EIO_K));
		check(strstr(out, "target failure (iSCSI response 0x01)") !=
		      NULL);
		check(read_ok(bdev, 70, 8));
		ft_close_dev(bdev);
	}
	check_eq(ft.error_line, 0);
	ft_stop();
}

UNIT_TEST(iscsi_login_violations)
{
	struct block_device *bdev;
	char name[300];
	int rc;

	ft_start();
	ft.digest = "CRC32C";
	bdev = ft_open(RP, &rc);
	check(rc_is(rc, EPROTO_K));
	check(strstr(out, "the target answered HeaderDigest=CRC32C") != NULL);
	ft.digest = NULL;
	ft.never_transit = 1;
	bdev = ft_open(RP, &rc);
	check(rc_is(rc, EPROTO_K));
	check(strstr(out, "login does not come to an end") != NULL);
	ft.never_transit = 0;
	ft.user = "alice";
	ft.secret = "alice-secret-12";
	ft.chap_a = "7";
	store(&username_setting, "alice");
	store(&password_setting, "alice-secret-12");
	bdev = ft_open(RP, &rc);
	check(rc_is(rc, EPROTO_K));
	check(strstr(out, "unusable CHAP challenge") != NULL);
	/* Names and secrets too long for a login. */
	memset(name, 'x', sizeof(name));
	name[sizeof(name) - 1] = 0;
	store(&password_setting, name);
	bdev = ft_open(RP, &rc);
	check(rc_is(rc, ENOKEY_K));
	memcpy(name, "iqn.", 4);
	store(&initiator_iqn_setting, name);
	bdev = ft_open(RP, &rc);
	check(rc_is(rc, EINVAL_K));
	check(strstr(out, "iSCSI names are at most 223 bytes long") != NULL);
	/* A server name nobody can resolve. */
	store(&initiator_iqn_setting, "iqn.2010-04.org.dust:test");
	bdev = ft_open("iscsi:no-such-host.invalid::::iqn.x", &rc);
	check(rc != 0);
	check(strstr(out, "cannot find the server \"no-such-host.invalid\"")
	      != NULL);
	check(bdev == NULL);
	check_eq(ft.error_line, 0);
	ft_stop();
}
