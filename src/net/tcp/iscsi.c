/* iSCSI initiator (RFC 7143): one session with one connection, error
 * recovery level 0, no digests.
 *
 * A block command becomes one SCSI command per chunk of at most
 * bdev.max_count blocks (MaxBurstLength, and 65535 for the 10-byte
 * CDBs); chunks queue on `pending` until the command window (CmdSN up
 * to MaxCmdSN) lets them go, then wait on `inflight` for their status.
 * Data-In lands straight from the TCP buffers in the caller's memory.
 * PDUs to send queue on `txq` and go to TCP as its send window allows.
 *
 * When the connection is lost (reset, close, a protocol error, or no
 * answer for ISCSI_DEAD_MS while commands are waiting), the commands in
 * flight go back to `pending` and the session logs in again with
 * growing pauses for up to ISCSI_RECOVER_MS; if that fails the waiting
 * commands complete with the error.  A command is issued at most
 * ISCSI_TRIES times (lost connections, UNIT ATTENTION, BUSY). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>
#include <dust/blockdev.h>
#include <dust/console.h>
#include <dust/dns.h>
#include <dust/ibft.h>
#include <dust/iobuf.h>
#include <dust/ipv4.h>
#include <dust/iscsi.h>
#include <dust/process.h>
#include <dust/settings.h>
#include <dust/timer.h>
#include <dust/xfer.h>

#define ISCSI_TRIES 8
#define ISCSI_RXBUF 8192               /* login text, sense, reject data */
#define ISCSI_TXTEXT 2048              /* login request text */
#define ISCSI_OUR_MRDSL 262144         /* what we accept per PDU */
#define ISCSI_LOGIN_ROUNDS 16
#define ISCSI_REDIRECTS 4
#define ISCSI_LOGOUT_MS 2000

int (*iscsi_connect)(struct xfer *up, const struct sockaddr *peer,
		     const struct sockaddr *local);

enum { ST_DOWN, ST_CONNECTING, ST_LOGIN, ST_FFP, ST_LOGOUT };
enum { CHAP_NONE, CHAP_OFFERED, CHAP_ASKED, CHAP_ANSWERED };
enum { C_USER, C_PASS, C_RUSER, C_RPASS };

/* Negotiated parameters (indices into iscsi.param) */
enum { P_INITIAL_R2T, P_IMMEDIATE, P_MAX_BURST, P_FIRST_BURST, P_MAX_SEND,
       P_OTHER, P_COUNT };

struct iscsi_task {
	struct list_head list;
	struct block_cmd *cmd;
	uint8_t *buf;
	uint32_t len;
	uint32_t itt;
	uint32_t got;                  /* Data-In bytes placed so far */
	uint8_t write;
	uint8_t internal;              /* INQUIRY etc.: short data is fine */
	uint8_t tries;
	uint8_t cdb[16];
};

struct iscsi {
	/* Small and busy fields first: short displacements on i386. */
	int state;
	unsigned int gen;              /* connection generation */
	int opening;                   /* in open(): no recovery */
	int closed;
	int rc;                        /* why the connection last ended */
	uint32_t cmdsn, expcmdsn, maxcmdsn, expstatsn;
	uint32_t itt_next, login_itt, ping_itt;
	uint32_t param[P_COUNT];
	size_t rx_pos, rx_ahs, rx_dsl, rx_total;
	uint8_t *rx_dest;              /* where the data segment goes */
	size_t rxbuf_len;              /* text gathered (login: across C) */
	struct list_head pending, inflight, txq;
	/* login */
	uint8_t stage, chap, rounds, redirects, redirected, chap_used;
	uint8_t chap_id;
	uint16_t tsih;
	size_t txt_len;
	/* timing */
	uint32_t rx_time, retry_until, backoff;
	int pinged;
	char *rp_buf, *target;
	char *initiator;
	char *cred[4];                 /* CHAP names and secrets, or NULL */
	uint8_t lun[8];
	uint8_t isid[6];
	struct sockaddr_in home;       /* from the root-path */
	struct sockaddr_in addr;       /* where we connect (redirects) */
	struct xfer conn;
	struct timer timer;
	struct block_device bdev;      /* its refcnt is the session's */
	union {                        /* the header being received */
		struct iscsi_bhs bhs;
		struct iscsi_scsi_rsp rsp;
		struct iscsi_data_in din;
		struct iscsi_r2t r2t;
		struct iscsi_async async;
		struct iscsi_login_rsp login;
		struct iscsi_reject reject;
	} rx;
	uint8_t chap_chal[16];
	char txt[ISCSI_TXTEXT];        /* the next Login Request's text */
	uint8_t bin[1024];             /* a decoded CHAP value */
	uint8_t rxbuf[ISCSI_RXBUF];
};

static unsigned int iscsi_count;

static const char *const sense_keys[16] = {
	"NO SENSE", "RECOVERED ERROR", "NOT READY", "MEDIUM ERROR",
	"HARDWARE ERROR", "ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT",
	"BLANK CHECK", "VENDOR SPECIFIC", "COPY ABORTED", "ABORTED COMMAND",
	"RESERVED", "VOLUME OVERFLOW", "MISCOMPARE", "COMPLETED",
};

static void conn_down(struct iscsi *s, int rc);
static void issue(struct iscsi *s);

/* A message about this session: "iscsi0: ..." */
static void __printf(2, 3) msg(struct iscsi *s, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", s->bdev.name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* Serial number arithmetic (RFC 1982) on 32-bit sequence numbers. */
static inline int sn_le(uint32_t a, uint32_t b)
{
	return (int32_t)(b - a) >= 0;
}

static struct iscsi_task *find_task(struct iscsi *s, uint32_t itt)
{
	struct iscsi_task *t;

	list_for_each_entry(t, &s->inflight, list)
		if (t->itt == itt)
			return t;
	return NULL;
}

static int cmd_busy(struct iscsi *s, struct block_cmd *cmd)
{
	struct iscsi_task *t;

	list_for_each_entry(t, &s->pending, list)
		if (t->cmd == cmd)
			return 1;
	list_for_each_entry(t, &s->inflight, list)
		if (t->cmd == cmd)
			return 1;
	return 0;
}

/* A task ends; its block command completes with its last chunk. */
static void task_done(struct iscsi *s, struct iscsi_task *t, int rc)
{
	struct block_cmd *cmd = t->cmd;

	list_del(&t->list);
	free(t);
	if (rc && !cmd->rc)
		cmd->rc = rc;
	if (!cmd_busy(s, cmd))
		cmd->done(cmd);
}

/* Commands in flight go back to the front of the queue, in order. */
static void requeue_inflight(struct iscsi *s)
{
	struct list_head *l;

	while (!list_empty(&s->inflight)) {
		l = s->inflight.prev;
		list_del(l);
		list_add(l, &s->pending);
	}
}

static void fail_all(struct iscsi *s, int rc)
{
	struct iscsi_task *t;

	requeue_inflight(s);
	while ((t = list_first_entry_or_null(&s->pending, struct iscsi_task,
					     list)))
		task_done(s, t, rc);
}

/* ---- sending */

static void tx_pump(struct iscsi *s)
{
	struct io_buffer *iob, *piece;
	unsigned int gen = s->gen;
	size_t win, len;
	int rc;

	while ((iob = list_first_entry_or_null(&s->txq, struct io_buffer,
					       list))) {
		win = xfer_window(&s->conn);
		if (!win)
			return;
		len = iob_len(iob);
		if (len <= win) {
			list_del(&iob->list);
			piece = iob;
		} else {
			/* TCP takes a byte stream: send what fits now. */
			piece = alloc_iob(win);
			if (!piece)
				return;
			memcpy(iob_put(piece, win), iob->data, win);
			iob_pull(iob, win);
		}
		rc = xfer_deliver(&s->conn, piece, NULL);
		if (gen != s->gen)
			return;
		if (rc < 0) {
			conn_down(s, rc);
			return;
		}
	}
}

/* A PDU with room for len bytes of data (padded to 4, zeroed). */
static struct io_buffer *pdu_alloc(struct iscsi *s, uint8_t opcode,
				   uint8_t flags, size_t len)
{
	size_t padded = ALIGN_UP(len, 4);
	struct io_buffer *iob = alloc_iob(ISCSI_BHS_LEN + padded);
	struct iscsi_bhs *h;

	if (!iob) {
		conn_down(s, -ENOMEM);
		return NULL;
	}
	h = iob_put(iob, ISCSI_BHS_LEN + padded);
	memset(h, 0, ISCSI_BHS_LEN + padded);
	h->opcode = opcode;
	h->flags = flags;
	iscsi_set_dsl(h->dsl, (uint32_t)len);
	return iob;
}

static void pdu_queue(struct iscsi *s, struct io_buffer *iob)
{
	list_add_tail(&iob->list, &s->txq);
}

static void flush_tx(struct iscsi *s)
{
	struct io_buffer *iob, *tmp;

	list_for_each_entry_safe(iob, tmp, &s->txq, list) {
		list_del(&iob->list);
		free_iob(iob);
	}
}

/* NOP-Out (11.18): a ping when itt is a tag of ours, else the answer to
 * a target's NOP-In (ITT reserved, its TTT and LUN copied).  Immediate:
 * CmdSN is not advanced. */
static void send_nop(struct iscsi *s, uint32_t itt, uint32_t ttt,
		     const uint8_t *lun)
{
	struct io_buffer *iob = pdu_alloc(s, ISCSI_OP_NOP_OUT |
					  ISCSI_OP_IMMEDIATE,
					  ISCSI_FLAG_FINAL, 0);
	struct iscsi_nop_out *n;

	if (!iob)
		return;
	n = iob->data;
	memcpy(n->lun, lun, 8);
	n->itt = itt;
	n->ttt = ttt;
	n->cmdsn = htonl(s->cmdsn);
	n->expstatsn = htonl(s->expstatsn);
	pdu_queue(s, iob);
	tx_pump(s);
}

/* Data-Out PDUs (11.7) for [off, off + len) of a write: unsolicited
 * (ttt reserved) or for an R2T; each within the target's
 * MaxRecvDataSegmentLength, DataSN counting from 0, F on the last. */
static int queue_data_out(struct iscsi *s, struct iscsi_task *t, uint32_t ttt,
			  uint32_t off, uint32_t len)
{
	struct iscsi_data_out *d;
	struct io_buffer *iob;
	uint32_t n, sn = 0;

	while (len) {
		n = MIN(len, s->param[P_MAX_SEND]);
		iob = pdu_alloc(s, ISCSI_OP_DATA_OUT,
				n == len ? ISCSI_FLAG_FINAL : 0, n);
		if (!iob)
			return -ENOMEM;
		d = iob->data;
		memcpy(d->lun, s->lun, 8);
		d->itt = t->itt;
		d->ttt = ttt;
		d->expstatsn = htonl(s->expstatsn);
		d->datasn = htonl(sn++);
		d->offset = htonl(off);
		memcpy(d + 1, t->buf + off, n);
		pdu_queue(s, iob);
		off += n;
		len -= n;
	}
	return 0;
}

static uint32_t new_tag(struct iscsi *s)
{
	if (s->itt_next == ISCSI_RESERVED_TAG)
		s->itt_next = 0;
	return s->itt_next++;
}

/* Send queued commands while the command window (4.2.2.1) is open:
 * SCSI Command PDUs (11.3) with immediate data, then any unsolicited
 * Data-Out up to FirstBurstLength; the rest waits for R2Ts. */
static void issue(struct iscsi *s)
{
	struct iscsi_scsi_cmd *c;
	struct iscsi_task *t;
	struct io_buffer *iob;
	uint32_t first, imm, unsol;
	uint8_t flags;

	while (s->state == ST_FFP && sn_le(s->cmdsn, s->maxcmdsn) &&
	       (t = list_first_entry_or_null(&s->pending, struct iscsi_task,
					     list))) {
		list_del(&t->list);
		list_add_tail(&t->list, &s->inflight);
		t->itt = new_tag(s);
		t->got = 0;
		t->tries++;
		imm = unsol = 0;
		flags = ISCSI_CMD_SIMPLE;
		if (t->write) {
			first = MIN(t->len, s->param[P_FIRST_BURST]);
			imm = s->param[P_IMMEDIATE] ?
				MIN(first, s->param[P_MAX_SEND]) : 0;
			unsol = s->param[P_INITIAL_R2T] ? imm : first;
			flags |= ISCSI_CMD_WRITE;
		} else if (t->len) {
			flags |= ISCSI_CMD_READ;
		}
		if (unsol == imm)
			flags |= ISCSI_FLAG_FINAL;
		iob = pdu_alloc(s, ISCSI_OP_SCSI_CMD, flags, imm);
		if (!iob)
			return;
		c = iob->data;
		memcpy(c->lun, s->lun, 8);
		c->itt = t->itt;
		c->edtl = htonl(t->len);
		c->cmdsn = htonl(s->cmdsn++);
		c->expstatsn = htonl(s->expstatsn);
		memcpy(c->cdb, t->cdb, 16);
		memcpy(c + 1, t->buf, imm);
		pdu_queue(s, iob);
		if (unsol > imm && queue_data_out(s, t, ISCSI_RESERVED_TAG, imm,
						  unsol - imm))
			return;
	}
	tx_pump(s);
}

/* The connection is gone (or must go): rc says why (0: we logged out).
 * Commands in flight go back to the front of the queue, in order, and
 * a new login follows after a pause while commands wait. */
static void conn_down(struct iscsi *s, int rc)
{
	struct iscsi_task *t;
	int trc = rc ? rc : -ECONNRESET;
	uint32_t now = currtime_ms();

	s->gen++;
	s->state = ST_DOWN;
	s->rc = rc;
	s->rx_pos = 0;
	s->rx_dest = NULL;
	s->rxbuf_len = 0;
	xfer_close(&s->conn, rc);
	flush_tx(s);
	timer_stop(&s->timer);
	while (!list_empty(&s->inflight)) {
		t = list_entry(s->inflight.prev, struct iscsi_task, list);
		list_del(&t->list);
		list_add(&t->list, &s->pending);
		if (t->tries >= ISCSI_TRIES)
			task_done(s, t, trc);
	}
	if (s->opening || s->closed) {
		fail_all(s, trc);
		s->retry_until = 0;
		return;
	}
	if (!s->retry_until)
		msg(s, "connection to the target lost (%s)\n", strerror(trc));
	if (list_empty(&s->pending)) {
		/* Idle: the next command logs in again. */
		s->retry_until = 0;
		return;
	}
	if (!s->retry_until) {
		s->retry_until = now + ISCSI_RECOVER_MS;
		s->backoff = 250;
	}
	if (time_after_ms(now, s->retry_until)) {
		msg(s, "could not log in again within %u s: %s\n",
		    ISCSI_RECOVER_MS / 1000, strerror(trc));
		s->retry_until = 0;
		fail_all(s, trc);
		return;
	}
	timer_start(&s->timer, s->backoff);
	s->backoff = MIN(s->backoff * 2, 4000u);
}

static void __printf(3, 4) key(struct iscsi *s, const char *name,
			       const char *fmt, ...);
static void login_send(struct iscsi *s, int transit);

static void connect_start(struct iscsi *s)
{
	/* Until the target answers: values that work with any target. */
	static const uint32_t safe[P_COUNT] = { 1, 0, 262144, 65536, 8192, 0 };
	int rc;

	s->gen++;
	s->state = ST_CONNECTING;
	s->stage = ISCSI_STAGE_SECURITY;
	s->chap = s->cred[C_USER] ? CHAP_OFFERED : CHAP_NONE;
	s->rounds = 0;
	s->tsih = 0;
	s->expstatsn = 0;
	s->expcmdsn = s->cmdsn;
	s->maxcmdsn = s->cmdsn - 1;
	s->txt_len = 0;
	s->rxbuf_len = 0;
	s->rx_pos = 0;
	s->login_itt = new_tag(s);
	memcpy(s->param, safe, sizeof(safe));
	timer_start(&s->timer, ISCSI_LOGIN_TIMEOUT_MS);
	rc = iscsi_connect ?
		iscsi_connect(&s->conn, (struct sockaddr *)&s->addr, NULL) :
		xfer_open_socket(&s->conn, SOCK_STREAM,
				 (struct sockaddr *)&s->addr, NULL);
	if (rc) {
		conn_down(s, rc);
		return;
	}
	/* The first Login Request waits in the queue for the handshake. */
	key(s, "InitiatorName", "%s", s->initiator);
	key(s, "TargetName", "%s", s->target);
	key(s, "SessionType", "Normal");
	key(s, "AuthMethod", "%s", s->cred[C_RUSER] ? "CHAP" :
	    s->cred[C_USER] ? "CHAP,None" : "None");
	login_send(s, 1);
}

static void iscsi_expired(struct timer *tm)
{
	struct iscsi *s = container_of(tm, struct iscsi, timer);
	uint32_t idle = currtime_ms() - s->rx_time;

	switch (s->state) {
	case ST_DOWN:
		if (!s->redirected)
			s->addr = s->home;
		s->redirected = 0;
		connect_start(s);
		break;
	case ST_FFP:
		/* Commands wait and the target is silent: ping, then give
		 * the connection up. */
		if (list_empty(&s->inflight) && list_empty(&s->pending)) {
			s->pinged = 0;
		} else if (idle >= ISCSI_DEAD_MS) {
			msg(s, "no answer from the target for %u s\n",
			    (unsigned int)(idle / 1000));
			conn_down(s, -ETIMEDOUT);
			return;
		} else if (idle >= ISCSI_PING_MS && !s->pinged) {
			s->pinged = 1;
			s->ping_itt = new_tag(s);
			send_nop(s, s->ping_itt, ISCSI_RESERVED_TAG, s->lun);
		}
		timer_start(tm, 1000);
		break;
	default:
		conn_down(s, -ETIMEDOUT);
		break;
	}
}

/* ---- login (RFC 7143 sections 6.3, 11.12, 11.13, 12, 13) */

/* Add key=value to the next Login Request's text. */
static void __printf(3, 4) key(struct iscsi *s, const char *name,
			       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s->txt_len = iscsi_key_vadd(s->txt, sizeof(s->txt), s->txt_len, name,
				    fmt, ap);
	va_end(ap);
}

/* Send a Login Request (11.12) with the text gathered; with transit,
 * ask to go on to the next stage. */
static void login_send(struct iscsi *s, int transit)
{
	struct iscsi_login_req *l;
	struct io_buffer *iob;
	size_t len = s->txt_len;

	s->txt_len = 0;
	if (len > sizeof(s->txt) || ++s->rounds > ISCSI_LOGIN_ROUNDS) {
		msg(s, "login does not come to an end\n");
		conn_down(s, -EPROTO);
		return;
	}
	iob = pdu_alloc(s, ISCSI_OP_LOGIN | ISCSI_OP_IMMEDIATE,
			(uint8_t)(s->stage << ISCSI_CSG_SHIFT), len);
	if (!iob)
		return;
	l = iob->data;
	if (transit)
		l->flags |= ISCSI_LOGIN_TRANSIT |
			(s->stage == ISCSI_STAGE_SECURITY ?
			 ISCSI_STAGE_OPERATIONAL : ISCSI_STAGE_FFP);
	memcpy(l->isid, s->isid, 6);
	l->tsih = htons(s->tsih);
	l->itt = s->login_itt;
	l->cmdsn = htonl(s->cmdsn);
	l->expstatsn = htonl(s->expstatsn);
	memcpy(l + 1, s->txt, len);
	pdu_queue(s, iob);
	tx_pump(s);
}

/* Operational keys we offer (section 13) and how answers combine. */
enum { K_NONE, K_OR, K_AND, K_MIN, K_MAX, K_DECL };
static const struct op_key {
	const char *name;
	uint8_t kind, slot;
	uint32_t ours;
} op_keys[] = {
	{ "HeaderDigest", K_NONE, P_OTHER, 0 },            /* 13.1 */
	{ "DataDigest", K_NONE, P_OTHER, 0 },
	{ "MaxConnections", K_MIN, P_OTHER, 1 },           /* 13.2 */
	{ "InitialR2T", K_OR, P_INITIAL_R2T, 0 },          /* 13.10 */
	{ "ImmediateData", K_AND, P_IMMEDIATE, 1 },        /* 13.11 */
	{ "MaxRecvDataSegmentLength", K_DECL, P_MAX_SEND,  /* 13.12 */
	  ISCSI_OUR_MRDSL },
	{ "MaxBurstLength", K_MIN, P_MAX_BURST, 262144 },  /* 13.13 */
	{ "FirstBurstLength", K_MIN, P_FIRST_BURST, 65536 }, /* 13.14 */
	{ "DefaultTime2Wait", K_MAX, P_OTHER, 0 },         /* 13.15 */
	{ "DefaultTime2Retain", K_MIN, P_OTHER, 0 },       /* 13.16 */
	{ "MaxOutstandingR2T", K_MIN, P_OTHER, 1 },        /* 13.17 */
	{ "DataPDUInOrder", K_OR, P_OTHER, 1 },            /* 13.18 */
	{ "DataSequenceInOrder", K_OR, P_OTHER, 1 },       /* 13.19 */
	{ "ErrorRecoveryLevel", K_MIN, P_OTHER, 0 },       /* 13.20 */
};
#define OP_KEYS_END (op_keys + ARRAY_SIZE(op_keys))

/* Answers that leave a key at its safe value (6.2). */
static int no_value(const char *v)
{
	return !strcmp(v, "Reject") || !strcmp(v, "Irrelevant") ||
		!strcmp(v, "NotUnderstood");
}

/* The target's answer to one of our keys (6.2.1, 6.2.2). */
static int op_answer(struct iscsi *s, const struct op_key *k, const char *v)
{
	uint32_t n, *p = &s->param[k->slot];

	if (no_value(v))
		return 0;
	if (k->kind == K_NONE)
		return strcmp(v, "None");
	if (k->kind <= K_AND) {
		n = !strcmp(v, "Yes");
		if (!n && strcmp(v, "No"))
			return -EPROTO;
		*p = k->kind == K_OR ? (k->ours | n) : (k->ours & n);
	} else if (iscsi_parse_number(v, &n)) {
		return -EPROTO;
	} else {
		*p = k->kind == K_MIN ? MIN(k->ours, n) :
			k->kind == K_MAX ? MAX(k->ours, n) : n;
	}
	return 0;
}

static uint32_t clamp(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void login_done(struct iscsi *s)
{
	uint32_t *p = s->param;

	p[P_MAX_SEND] = clamp(p[P_MAX_SEND], 512, 0xffffff);
	p[P_MAX_BURST] = clamp(p[P_MAX_BURST], 512, 0xffffff);
	p[P_FIRST_BURST] = clamp(p[P_FIRST_BURST], 512, p[P_MAX_BURST]);
	if (s->retry_until)
		msg(s, "logged in again\n");
	s->state = ST_FFP;
	s->retry_until = 0;
	s->redirects = 0;
	s->rx_time = currtime_ms();
	s->pinged = 0;
	timer_start(&s->timer, 1000);
	issue(s);
}

/* Status-Class 1 (11.13.5): the target is at TargetAddress=ip[:port]
 * (a portal group tag after a comma is ignored). */
static int redirect(struct iscsi *s, char *to)
{
	struct sockaddr_in *a = &s->addr;
	char *end;
	unsigned long port = ISCSI_PORT;

	end = strchr(to, ',');
	if (end)
		*end = 0;
	end = strchr(to, ':');
	if (end) {
		*end++ = 0;
		port = strtoul(end, &end, 10);
	}
	if (!inet_aton(to, &a->sin_addr) || (end && *end) || !port ||
	    port > 65535 || s->redirects++ >= ISCSI_REDIRECTS)
		return -EHOSTUNREACH;
	a->sin_port = htons((uint16_t)port);
	msg(s, "redirected to %s:%lu\n", to, port);
	s->gen++;
	xfer_close(&s->conn, 0);
	flush_tx(s);
	s->state = ST_DOWN;
	s->redirected = 1;
	timer_start(&s->timer, 0);
	return 0;
}

static int login_failed(struct iscsi *s, uint8_t cls, uint8_t detail)
{
	static const char *const why[] = {
		"", ": authentication failed (check username and password)",
		": this initiator may not use the target",
		": no such target", ": the target has been removed",
	};
	static const int rcs[] = { -EPERM, -EKEYREJECTED, -EACCES, -ENOENT,
				   -ENOENT };
	int known = cls == 2 && detail <= 4;

	msg(s, "login refused: status %02x%02x%s\n", cls, detail,
	    known ? why[detail] : cls == 3 ? ": target error" : "");
	return known ? rcs[detail] : cls == 3 ? -EAGAIN : -EPERM;
}

/* Keys of the security stage (12) and declarations we look at. */
enum { SK_AUTH, SK_CHAP_A, SK_CHAP_I, SK_CHAP_C, SK_CHAP_N, SK_CHAP_R,
       SK_ADDR, SK_ALIAS, SK_TPGT, SK_COUNT };
static const char *const sec_keys[SK_COUNT] = {
	"AuthMethod", "CHAP_A", "CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R",
	"TargetAddress", "TargetAlias", "TargetPortalGroupTag",
};

/* Our CHAP answer (12.1.3): CHAP_N and CHAP_R, and for mutual CHAP our
 * own challenge for the target. */
static int chap_answer(struct iscsi *s, const char **kv)
{
	uint32_t alg, id;
	uint8_t digest[16];
	char hex[2 * 16 + 3];
	int len, n;

	if (!kv[SK_CHAP_A] || !kv[SK_CHAP_I] || !kv[SK_CHAP_C] ||
	    iscsi_parse_number(kv[SK_CHAP_A], &alg) || alg != ISCSI_CHAP_MD5 ||
	    iscsi_parse_number(kv[SK_CHAP_I], &id) || id > 255 ||
	    (len = iscsi_parse_binary(kv[SK_CHAP_C], s->bin,
				      sizeof(s->bin))) <= 0) {
		msg(s, "unusable CHAP challenge (we do CHAP_A=5, MD5)\n");
		return -EPROTO;
	}
	iscsi_chap_md5((uint8_t)id, s->cred[C_PASS], s->bin, (size_t)len,
		       digest);
	iscsi_hex(hex, digest, 16);
	key(s, "CHAP_N", "%s", s->cred[C_USER]);
	key(s, "CHAP_R", "%s", hex);
	if (s->cred[C_RUSER]) {
		s->chap_id = (uint8_t)random();
		for (n = 0; n < 16; n++)
			s->chap_chal[n] = (uint8_t)random();
		iscsi_hex(hex, s->chap_chal, 16);
		key(s, "CHAP_I", "%u", s->chap_id);
		key(s, "CHAP_C", "%s", hex);
	}
	s->chap = CHAP_ANSWERED;
	s->chap_used = 1;
	login_send(s, 1);
	return 0;
}

/* Mutual CHAP: is the target's answer to our challenge right? */
static int chap_verify(struct iscsi *s, const char *n, const char *r)
{
	uint8_t digest[16];

	iscsi_chap_md5(s->chap_id, s->cred[C_RPASS], s->chap_chal, 16, digest);
	if (!n || !r || strcmp(n, s->cred[C_RUSER]) ||
	    iscsi_parse_binary(r, s->bin, sizeof(s->bin)) != 16 ||
	    memcmp(s->bin, digest, 16)) {
		msg(s, "the target failed mutual CHAP: it answered as \"%s\" "
		    "(reverse-username \"%s\"), %s\n", n ? n : "",
		    s->cred[C_RUSER], r ? "not with reverse-password" :
		    "without an answer");
		return -EKEYREJECTED;
	}
	return 0;
}

/* What to do in the security stage; 1: a request has been sent. */
static int security_step(struct iscsi *s, const char **kv, int transit)
{
	const char *auth = kv[SK_AUTH];
	int rc;

	if (auth) {
		if (!strcmp(auth, "CHAP") && s->chap == CHAP_OFFERED) {
			key(s, "CHAP_A", "5");
			s->chap = CHAP_ASKED;
			login_send(s, 0);
			return 1;
		}
		if (strcmp(auth, "None") || s->cred[C_RUSER]) {
			msg(s, "the target chose AuthMethod=%s%s\n", auth,
			    s->cred[C_RUSER] ? ", but mutual CHAP is set up" :
			    !s->cred[C_USER] ? " (set username and password "
			    "for CHAP)" : "");
			return -EACCES;
		}
		s->chap = CHAP_NONE;
	}
	if (s->chap == CHAP_ASKED && (kv[SK_CHAP_C] || transit))
		return (rc = chap_answer(s, kv)) ? rc : 1;
	if (s->chap == CHAP_ANSWERED && (kv[SK_CHAP_R] || transit)) {
		if (s->cred[C_RUSER] &&
		    (rc = chap_verify(s, kv[SK_CHAP_N], kv[SK_CHAP_R])))
			return rc;
		s->chap = CHAP_NONE;
	}
	return 0;
}

static void rx_login(struct iscsi *s)
{
	struct iscsi_login_rsp *r = &s->rx.login;
	const char *kv[SK_COUNT] = { NULL };
	const struct op_key *ok;
	int transit = r->flags & ISCSI_LOGIN_TRANSIT;
	unsigned int nsg = r->flags & 3, i;
	size_t pos = 0;
	char *k, *v;
	int rc = -EPROTO;

	if (r->itt != s->login_itt ||
	    ((r->flags >> ISCSI_CSG_SHIFT) & 3) != s->stage)
		goto bad;
	s->expstatsn = ntohl(r->statsn) + 1;
	s->tsih = ntohs(r->tsih);
	if ((r->flags & ISCSI_LOGIN_CONTINUE) && !r->status_class) {
		/* More text follows: ask for it with an empty request. */
		login_send(s, 0);
		return;
	}
	s->txt_len = 0;
	while ((rc = iscsi_key_next((char *)s->rxbuf, s->rxbuf_len, &pos, &k,
				    &v)) > 0) {
		for (i = 0; i < SK_COUNT && strcmp(k, sec_keys[i]); i++)
			;
		for (ok = op_keys; ok < OP_KEYS_END && strcmp(k, ok->name);
		     ok++)
			;
		if (i < SK_COUNT) {
			kv[i] = v;
		} else if (ok < OP_KEYS_END) {
			if (op_answer(s, ok, v)) {
				msg(s, "the target answered %s=%s\n", k, v);
				rc = -EPROTO;
				goto bad;
			}
		} else if (!no_value(v)) {
			key(s, k, "NotUnderstood");    /* (6.2) */
		}
	}
	s->rxbuf_len = 0;
	if (rc < 0)
		goto bad;
	if (r->status_class) {
		rc = r->status_class == 1 && kv[SK_ADDR] ?
			redirect(s, (char *)kv[SK_ADDR]) :
			login_failed(s, r->status_class, r->status_detail);
		if (rc)
			goto bad;
		return;
	}
	if (s->stage == ISCSI_STAGE_SECURITY &&
	    (rc = security_step(s, kv, transit))) {
		if (rc < 0)
			goto bad;
		return;
	}
	rc = -EPROTO;
	if (!transit) {
		/* The target wants to go on in this stage. */
		login_send(s, 1);
	} else if (nsg <= s->stage || s->chap != CHAP_NONE) {
		goto bad;
	} else if (nsg == ISCSI_STAGE_FFP) {
		login_done(s);
	} else {
		s->stage = ISCSI_STAGE_OPERATIONAL;
		s->rounds = 0;
		for (ok = op_keys; ok < OP_KEYS_END; ok++)
			if (ok->kind == K_NONE)
				key(s, ok->name, "None");
			else if (ok->kind <= K_AND)
				key(s, ok->name, ok->ours ? "Yes" : "No");
			else
				key(s, ok->name, "%u", (unsigned int)ok->ours);
		login_send(s, 1);
	}
	return;
bad:
	if (rc == -EPROTO)
		msg(s, "login protocol error\n");
	conn_down(s, rc);
}

/* ---- full feature phase: receiving */

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}

/* Status of a task (11.4, or 11.7.4 with S): done, retried or failed.
 * The sense data of a CHECK CONDITION (SPC-4 4.5: fixed or descriptor
 * format) is in rxbuf behind its 2-byte length (11.4.7). */
static void scsi_done(struct iscsi *s, struct iscsi_task *t, uint8_t response,
		      uint8_t status, uint8_t flags, uint32_t residual)
{
	const uint8_t *sense = s->rxbuf + 2;
	size_t slen = 0;
	unsigned int key = 0, asc = 0, ascq = 0;
	int rc = 0, retry = 0;

	if (s->rxbuf_len >= 2)
		slen = MIN((size_t)(s->rxbuf[0] << 8 | s->rxbuf[1]),
			   s->rxbuf_len - 2);
	if (response) {
		msg(s, "target failure (iSCSI response 0x%02x)\n", response);
		rc = -EIO;
	} else if (status == 0x02) {            /* CHECK CONDITION */
		if (slen >= 14 && (sense[0] & 0x7e) == 0x70) {
			key = sense[2] & 15;
			asc = sense[12];
			ascq = sense[13];
		} else if (slen >= 4 && (sense[0] & 0x7e) == 0x72) {
			key = sense[1] & 15;
			asc = sense[2];
			ascq = sense[3];
		}
		/* UNIT ATTENTION (a reset, a new LUN), ABORTED COMMAND */
		retry = key == 6 || key == 11;
		rc = key == 7 ? -EACCES : key == 5 ? -EINVAL : -EIO;
		if (!retry || t->tries >= ISCSI_TRIES)
			msg(s, "SCSI command 0x%02x failed: %s (ASC %02x "
			    "ASCQ %02x)\n", t->cdb[0],
			    sense_keys[key], asc, ascq);
	} else if (status == 0x08 || status == 0x28) { /* BUSY, TASK SET FULL */
		retry = 1;
		rc = -EBUSY;
	} else if (status) {
		msg(s, "SCSI command 0x%02x failed: status 0x%02x\n",
		    t->cdb[0], status);
		rc = -EIO;
	} else if (!t->internal &&
		   (((flags & (ISCSI_RSP_OVERFLOW | ISCSI_RSP_UNDERFLOW)) &&
		     residual) || (!t->write && t->got != t->len))) {
		msg(s, "SCSI command 0x%02x moved %u of %u bytes\n", t->cdb[0],
		    (unsigned int)(t->write ? t->len - residual : t->got),
		    (unsigned int)t->len);
		rc = -EIO;
	}
	if (retry && t->tries < ISCSI_TRIES) {
		list_del(&t->list);
		list_add(&t->list, &s->pending);
		issue(s);
		return;
	}
	task_done(s, t, rc);
}

static void rx_r2t(struct iscsi *s)
{
	struct iscsi_r2t *r = &s->rx.r2t;
	struct iscsi_task *t = find_task(s, r->itt);
	uint32_t off = ntohl(r->offset), len = ntohl(r->length);

	if (!t || !t->write || !len || off > t->len || len > t->len - off) {
		msg(s, "R2T for %u bytes at %u matches no write\n",
		    (unsigned int)len, (unsigned int)off);
		conn_down(s, -EPROTO);
		return;
	}
	if (!queue_data_out(s, t, r->ttt, off, len))
		tx_pump(s);
}

/* A whole header: check it and decide where its data segment goes. */
static int rx_header(struct iscsi *s)
{
	struct iscsi_bhs *h = &s->rx.bhs;
	uint8_t op = h->opcode & ISCSI_OP_MASK;
	struct iscsi_task *t;
	uint32_t off = ntohl(s->rx.din.offset);

	s->rx_ahs = (size_t)h->ahs_len * 4;
	s->rx_dsl = iscsi_dsl(h->dsl);
	s->rx_total = ISCSI_BHS_LEN + s->rx_ahs + ALIGN_UP(s->rx_dsl, 4);
	s->rx_dest = NULL;
	if (op == ISCSI_OP_DATA_IN) {
		t = find_task(s, h->itt);
		if (!t || t->write) {
			msg(s, "Data-In for no read of ours: dropped\n");
			return 0;
		}
		/* DataPDUInOrder and DataSequenceInOrder are Yes. */
		if (off != t->got || s->rx_dsl > t->len - off) {
			msg(s, "Data-In of %u bytes at %u does not fit the "
			    "read (%u of %u bytes placed)\n",
			    (unsigned int)s->rx_dsl, (unsigned int)off,
			    (unsigned int)t->got, (unsigned int)t->len);
			return -EPROTO;
		}
		s->rx_dest = t->buf + off;
		return 0;
	}
	if (op != ISCSI_OP_LOGIN_RSP)
		s->rxbuf_len = 0;
	if (s->rx_dsl <= ISCSI_RXBUF - s->rxbuf_len)
		s->rx_dest = s->rxbuf + s->rxbuf_len;
	else if (op == ISCSI_OP_LOGIN_RSP)
		return -EPROTO;
	return 0;
}

/* A whole PDU has arrived. */
static void rx_complete(struct iscsi *s)
{
	struct iscsi_bhs *h = &s->rx.bhs;
	uint8_t op = h->opcode & ISCSI_OP_MASK;
	struct iscsi_task *t;

	if (s->rx_dest && op != ISCSI_OP_DATA_IN)
		s->rxbuf_len += s->rx_dsl;
	if ((s->state == ST_LOGIN) != (op == ISCSI_OP_LOGIN_RSP)) {
		msg(s, "unexpected PDU (opcode 0x%02x)\n", op);
		conn_down(s, -EPROTO);
		return;
	}
	/* Sequence numbers (4.2.2): every target PDU carries the command
	 * window; MaxCmdSN below ExpCmdSN - 1 makes both invalid. */
	if (sn_le(ntohl(h->expcmdsn) - 1, ntohl(h->maxcmdsn)) &&
	    (op != ISCSI_OP_LOGIN_RSP || !s->rx.login.status_class)) {
		if (!sn_le(ntohl(h->expcmdsn), s->expcmdsn))
			s->expcmdsn = ntohl(h->expcmdsn);
		if (!sn_le(ntohl(h->maxcmdsn), s->maxcmdsn))
			s->maxcmdsn = ntohl(h->maxcmdsn);
	}
	if (op == ISCSI_OP_LOGIN_RSP) {
		rx_login(s);
		return;
	}
	if (op != ISCSI_OP_R2T && (op != ISCSI_OP_DATA_IN ||
				   (h->flags & ISCSI_DATA_STATUS)) &&
	    (op != ISCSI_OP_NOP_IN || h->itt != ISCSI_RESERVED_TAG))
		s->expstatsn = ntohl(h->statsn) + 1;
	switch (op) {
	case ISCSI_OP_DATA_IN:
		t = find_task(s, h->itt);
		if (!t || t->write)
			break;
		t->got += s->rx_dsl;
		if (h->flags & ISCSI_DATA_STATUS) {
			s->rxbuf_len = 0;
			scsi_done(s, t, 0, s->rx.din.status, h->flags,
				  ntohl(s->rx.din.residual));
		}
		break;
	case ISCSI_OP_SCSI_RSP:
		t = find_task(s, h->itt);
		if (t)
			scsi_done(s, t, s->rx.rsp.response, s->rx.rsp.status,
				  h->flags, ntohl(s->rx.rsp.residual));
		else
			msg(s, "status for no command of ours: dropped\n");
		break;
	case ISCSI_OP_R2T:
		rx_r2t(s);
		break;
	case ISCSI_OP_NOP_IN:
		/* 11.19: a target ping (TTT valid) wants a NOP-Out back. */
		if (h->ttt != ISCSI_RESERVED_TAG)
			send_nop(s, ISCSI_RESERVED_TAG, h->ttt, h->lun);
		else if (h->itt == s->ping_itt)
			s->pinged = 0;
		break;
	case ISCSI_OP_ASYNC:
		/* 11.9.1: the target wants us gone (logout requested, the
		 * connection or session to be dropped): log in anew. */
		if (s->rx.async.event >= ISCSI_ASYNC_LOGOUT &&
		    s->rx.async.event <= ISCSI_ASYNC_DROP_ALL) {
			msg(s, "the target asks us to leave (event %u)\n",
			    s->rx.async.event);
			conn_down(s, -ECONNRESET);
		}
		break;
	case ISCSI_OP_REJECT:
		msg(s, "the target rejected a PDU (reason 0x%02x)\n",
		    s->rx.reject.reason);
		if (s->rxbuf_len >= ISCSI_BHS_LEN) {
			uint32_t itt;

			memcpy(&itt, s->rxbuf + 16, 4);
			t = find_task(s, itt);
			if (t)
				task_done(s, t, -EPROTO);
		}
		break;
	case ISCSI_OP_LOGOUT_RSP:
		if (s->state == ST_LOGOUT)
			conn_down(s, 0);
		break;
	default:
		msg(s, "unknown PDU (opcode 0x%02x): dropped\n", op);
		break;
	}
	s->rxbuf_len = 0;
	/* The command window may have opened. */
	issue(s);
}

static int conn_deliver(struct xfer *x, struct io_buffer *iob,
			const struct xfer_meta *meta)
{
	struct iscsi *s = container_of(x, struct iscsi, conn);
	unsigned int gen = s->gen;
	size_t n, at, end;

	(void)meta;
	s->rx_time = currtime_ms();
	while (iob_len(iob) && gen == s->gen && s->state >= ST_LOGIN) {
		if (s->rx_pos < ISCSI_BHS_LEN) {
			n = MIN(iob_len(iob), ISCSI_BHS_LEN - s->rx_pos);
			memcpy((uint8_t *)&s->rx + s->rx_pos, iob->data, n);
			s->rx_pos += n;
			iob_pull(iob, n);
			if (s->rx_pos == ISCSI_BHS_LEN && rx_header(s)) {
				conn_down(s, -EPROTO);
				break;
			}
		} else {
			/* AHS, data segment, padding: only data is kept. */
			at = s->rx_pos - ISCSI_BHS_LEN;
			end = at < s->rx_ahs ? s->rx_ahs :
				at < s->rx_ahs + s->rx_dsl ?
				s->rx_ahs + s->rx_dsl :
				s->rx_total - ISCSI_BHS_LEN;
			n = MIN(iob_len(iob), end - at);
			if (s->rx_dest && at >= s->rx_ahs &&
			    at < s->rx_ahs + s->rx_dsl)
				memcpy(s->rx_dest + (at - s->rx_ahs),
				       iob->data, n);
			s->rx_pos += n;
			iob_pull(iob, n);
		}
		if (s->rx_pos == s->rx_total) {
			s->rx_pos = 0;
			rx_complete(s);
		}
	}
	free_iob(iob);
	return 0;
}

static void conn_close(struct xfer *x, int rc)
{
	struct iscsi *s = container_of(x, struct iscsi, conn);

	conn_down(s, s->state == ST_LOGOUT ? 0 : rc ? rc : -ECONNRESET);
}

static void conn_window_open(struct xfer *x)
{
	struct iscsi *s = container_of(x, struct iscsi, conn);

	if (s->state == ST_CONNECTING)
		s->state = ST_LOGIN;
	tx_pump(s);
}

static const struct xfer_ops conn_ops = {
	.deliver = conn_deliver,
	.close = conn_close,
	.window_open = conn_window_open,
};

/* ---- the block device */

static struct iscsi_task *task_new(struct block_cmd *cmd, void *buf,
				   uint32_t len, int write)
{
	struct iscsi_task *t = zalloc(sizeof(*t));

	if (t) {
		t->cmd = cmd;
		t->buf = buf;
		t->len = len;
		t->write = (uint8_t)!!write;
	}
	return t;
}

static void queue_task(struct iscsi *s, struct iscsi_task *t)
{
	/* Silence is measured from when commands start waiting. */
	if (list_empty(&s->pending) && list_empty(&s->inflight))
		s->rx_time = currtime_ms();
	list_add_tail(&t->list, &s->pending);
}

/* Start working on the queue: send, or connect first. */
static void kick(struct iscsi *s)
{
	if (s->state == ST_DOWN && !timer_running(&s->timer)) {
		s->retry_until = currtime_ms() + ISCSI_RECOVER_MS;
		s->backoff = 250;
		timer_start(&s->timer, 0);
	}
	issue(s);
}

static void put_be(uint8_t *p, uint64_t v, unsigned int n)
{
	while (n--) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

/* READ/WRITE (10) while the range fits 32-bit LBAs, else (16) (SBC-3). */
static int iscsi_submit(struct block_device *bdev, struct block_cmd *cmd)
{
	struct iscsi *s = container_of(bdev, struct iscsi, bdev);
	struct iscsi_task *t;
	uint32_t done, n;
	uint64_t lba;

	if (s->closed)
		return -ENOTCONN;
	if (!cmd->count)
		return -EINVAL;
	cmd->rc = 0;
	for (done = 0; done < cmd->count; done += n) {
		n = MIN(cmd->count - done, bdev->max_count);
		lba = cmd->lba + done;
		t = task_new(cmd, (uint8_t *)cmd->buf + (size_t)done *
			     bdev->block_size, n * bdev->block_size,
			     cmd->write);
		if (!t) {
			if (!done)
				return -ENOMEM;
			cmd->rc = -ENOMEM;
			break;
		}
		if (lba + n > 0x100000000ull) {
			t->cdb[0] = cmd->write ? 0x8a : 0x88;
			put_be(t->cdb + 2, lba, 8);
			put_be(t->cdb + 10, n, 4);
		} else {
			t->cdb[0] = cmd->write ? 0x2a : 0x28;
			put_be(t->cdb + 2, lba, 4);
			put_be(t->cdb + 7, n, 2);
		}
		queue_task(s, t);
	}
	kick(s);
	return 0;
}

static int iscsi_describe(struct block_device *bdev, struct ibft_target *t)
{
	struct iscsi *s = container_of(bdev, struct iscsi, bdev);
	struct in_addr next_hop, src;

	t->ip = s->home.sin_addr;
	t->port = ntohs(s->home.sin_port);
	memcpy(t->lun, s->lun, 8);
	t->name = s->target;
	t->initiator = s->initiator;
	if (s->chap_used) {
		t->chap_name = s->cred[C_USER];
		t->chap_secret = s->cred[C_PASS];
		t->reverse_chap_name = s->cred[C_RUSER];
		t->reverse_chap_secret = s->cred[C_RPASS];
	}
	return ipv4_route_to(t->ip, &t->netdev, &next_hop, &src);
}

static void iscsi_close(struct block_device *bdev)
{
	struct iscsi *s = container_of(bdev, struct iscsi, bdev);
	struct iscsi_logout_req *l;
	struct io_buffer *iob;

	if (s->closed)
		return;
	s->closed = 1;
	fail_all(s, -ECANCELED);
	/* Logout (11.14), reason 0: close the session; a short wait for
	 * the answer. */
	if (s->state == ST_FFP &&
	    (iob = pdu_alloc(s, ISCSI_OP_LOGOUT | ISCSI_OP_IMMEDIATE,
			     ISCSI_FLAG_FINAL, 0))) {
		l = iob->data;
		l->itt = new_tag(s);
		l->cmdsn = htonl(s->cmdsn);
		l->expstatsn = htonl(s->expstatsn);
		pdu_queue(s, iob);
		s->state = ST_LOGOUT;
		timer_start(&s->timer, ISCSI_LOGOUT_MS);
		tx_pump(s);
		while (s->state == ST_LOGOUT)
			step();
	}
	conn_down(s, 0);
}

static void iscsi_free(struct refcnt *r)
{
	struct iscsi *s = container_of(r, struct iscsi, bdev.refcnt);
	int i;

	flush_tx(s);
	free(s->rp_buf);
	free(s->initiator);
	for (i = 0; i < 4; i++)
		free(s->cred[i]);
	free(s);
}

static const struct block_device_ops iscsi_ops = {
	.submit = iscsi_submit,
	.describe = iscsi_describe,
	.close = iscsi_close,
};

/* ---- opening a session */

static void sync_done(struct block_cmd *cmd)
{
	*(int *)cmd->ctx = 1;
}

/* One SCSI command during open(), waited for. */
static int scsi_sync(struct iscsi *s, uint8_t op, uint8_t sa, void *buf,
		     uint32_t len)
{
	struct block_cmd cmd;
	struct iscsi_task *t;
	int done = 0;

	memset(&cmd, 0, sizeof(cmd));
	cmd.done = sync_done;
	cmd.ctx = &done;
	t = task_new(&cmd, buf, len, 0);
	if (!t)
		return -ENOMEM;
	t->internal = 1;
	t->cdb[0] = op;
	t->cdb[1] = sa;
	if (op == 0x12)                     /* INQUIRY: allocation length */
		t->cdb[4] = (uint8_t)len;
	else if (op == 0x9e)                /* SERVICE ACTION IN (16) */
		t->cdb[13] = (uint8_t)len;
	queue_task(s, t);
	issue(s);
	while (!done)
		step();
	return cmd.rc;
}

static const struct setting *const cred_settings[4] = {
	&username_setting, &password_setting, &reverse_username_setting,
	&reverse_password_setting,
};

/* A string setting, NULL when unset or empty. */
static char *setting_copy(const struct setting *setting)
{
	char *v = fetch_string_setting_copy(NULL, setting);

	if (v && !*v) {
		free(v);
		v = NULL;
	}
	return v;
}

/* initiator-iqn, else ISCSI_IQN_PREFIX and the host name, the system
 * UUID or the MAC address of the device that reaches the target. */
static char *initiator_name(struct iscsi *s)
{
	char buf[64], *p, *name = setting_copy(&initiator_iqn_setting);
	struct net_device *netdev;
	struct in_addr hop, src;

	if (name)
		return name;
	if (fetch_string_setting(NULL, &hostname_setting, buf,
				 sizeof(buf)) <= 0 &&
	    fetchf_setting(NULL, &uuid_setting, buf, sizeof(buf)) <= 0 &&
	    (ipv4_route_to(s->home.sin_addr, &netdev, &hop, &src) ||
	     fetchf_setting(settings_for_netdev(netdev), &mac_setting, buf,
			    sizeof(buf)) <= 0))
		strcpy(buf, "unknown");
	/* IQNs are lower case letters, digits, '-', '.' and ':'. */
	for (p = buf; *p; p++)
		*p = isalnum(*p) || *p == '.' ? (char)tolower(*p) : '-';
	name = malloc(sizeof(ISCSI_IQN_PREFIX) + strlen(buf));
	if (name)
		strcat(strcpy(name, ISCSI_IQN_PREFIX), buf);
	return name;
}

static char *model_field(char *p, const uint8_t *f, size_t n)
{
	while (n && f[n - 1] == ' ')
		n--;
	memcpy(p, f, n);
	return p + n;
}

static int iscsi_open(const char *root_path, struct block_device **bdevp)
{
	unsigned int lun;
	struct iscsi_root_path rp;
	struct iscsi *s;
	uint8_t buf[36];
	uint64_t last;
	uint32_t bs;
	char *p;
	int rc, i;

	rc = iscsi_parse_root_path(root_path, &rp);
	if (rc)
		return rc;
	s = zalloc(sizeof(*s));
	if (!s) {
		free(rp.buf);
		return -ENOMEM;
	}
	ref_init(&s->bdev.refcnt, iscsi_free);
	INIT_LIST_HEAD(&s->bdev.list);
	s->bdev.op = &iscsi_ops;
	s->bdev.priv = s;
	snprintf(s->bdev.name, sizeof(s->bdev.name), "iscsi%u", iscsi_count++);
	xfer_init(&s->conn, &conn_ops, &s->bdev.refcnt);
	timer_init(&s->timer, iscsi_expired, &s->bdev.refcnt);
	INIT_LIST_HEAD(&s->pending);
	INIT_LIST_HEAD(&s->inflight);
	INIT_LIST_HEAD(&s->txq);
	s->rp_buf = rp.buf;
	s->target = rp.target;
	memcpy(s->lun, rp.lun, 8);
	s->home.sin_family = AF_INET;
	s->home.sin_port = htons(rp.port);
	s->opening = 1;
	s->closed = 1;                      /* nothing to log out from yet */
	rc = resolv_wait(rp.server, &s->home.sin_addr);
	if (rc) {
		msg(s, "cannot find the server \"%s\": %s\n",
		    rp.server, strerror(rc));
		goto out;
	}
	s->initiator = initiator_name(s);
	rc = -EINVAL;
	if (!s->initiator || strlen(s->initiator) > 223 ||
	    strlen(s->target) > 223) {
		msg(s, "iSCSI names are at most 223 bytes long\n");
		goto out;
	}
	for (i = 0; i < 4; i++) {
		s->cred[i] = setting_copy(cred_settings[i]);
		if (s->cred[i] && strlen(s->cred[i]) > 255)
			rc = -ENOKEY;
	}
	if (!s->cred[C_USER] != !s->cred[C_PASS] ||
	    !s->cred[C_RUSER] != !s->cred[C_RPASS] ||
	    (s->cred[C_RUSER] && !s->cred[C_USER]) || rc == -ENOKEY) {
		msg(s, "CHAP needs username and password (mutual CHAP also "
		    "reverse-username and reverse-password), at most 255 "
		    "bytes each\n");
		rc = -ENOKEY;
		goto out;
	}
	/* ISID (11.12.5): type 2, random; it stays for re-logins. */
	s->isid[0] = 0x80;
	for (i = 1; i < 4; i++)
		s->isid[i] = (uint8_t)random();
	s->cmdsn = (uint32_t)random();
	s->closed = 0;
	timer_start(&s->timer, 0);
	while (s->state != ST_FFP && (s->state != ST_DOWN ||
				      timer_running(&s->timer))) {
		if (interrupted())
			conn_down(s, -ECANCELED);
		step();
	}
	rc = s->rc;
	if (s->state != ST_FFP) {
		msg(s, "no session with %s on %s:%u: %s\n",
		    s->target, inet_ntoa(s->home.sin_addr), rp.port,
		    strerror(rc));
		goto out;
	}
	/* INQUIRY (SPC-4 6.4): is the LUN there, and a disk? */
	memset(buf, 0, sizeof(buf));
	rc = scsi_sync(s, 0x12, 0, buf, sizeof(buf));
	if (rc)
		goto out;
	rc = -ENODEV;
	lun = (s->lun[0] << 8 | s->lun[1]) & 0x3fff;
	if (buf[0]) {
		/* Peripheral qualifier not 0: no LUN there; or not a disk. */
		msg(s, buf[0] >> 5 ? "%s has no LUN %u\n" :
		    "%s LUN %u is not a disk (SCSI device type 0x%02x)\n",
		    s->target, lun, buf[0]);
		goto out;
	}
	/* Vendor and product (bytes 8-31) without their padding. */
	p = model_field(s->bdev.model, buf + 8, 8);
	*p++ = ' ';
	*model_field(p, buf + 16, 16) = 0;
	/* TEST UNIT READY (UNIT ATTENTIONs are retried), READ CAPACITY
	 * (SBC-3 5.15, 5.16). */
	rc = scsi_sync(s, 0x00, 0, NULL, 0);
	if (!rc)
		rc = scsi_sync(s, 0x25, 0, buf, 8);
	if (rc)
		goto out;
	last = get32(buf);
	bs = get32(buf + 4);
	if (last == 0xffffffff) {
		rc = scsi_sync(s, 0x9e, 0x10, buf, 32);
		if (rc)
			goto out;
		last = (uint64_t)get32(buf) << 32 | get32(buf + 4);
		bs = get32(buf + 8);
	}
	if (!bs || bs > 65536 || last == ~0ull) {
		msg(s, "unusable capacity (block size %u)\n",
		    (unsigned int)bs);
		rc = -ENODEV;
		goto out;
	}
	s->bdev.blocks = last + 1;
	s->bdev.block_size = bs;
	s->bdev.max_count = MAX(1u, MIN(65535u, s->param[P_MAX_BURST] / bs));
	s->opening = 0;
	msg(s, "%s LUN %u on %s:%u: %s\n", s->target, lun,
	    inet_ntoa(s->home.sin_addr), rp.port, s->bdev.model);
	*bdevp = &s->bdev;
	return 0;
out:
	iscsi_close(&s->bdev);
	ref_put(&s->bdev.refcnt);
	return rc;
}

SAN_PROTOCOL(iscsi_protocol) = { "iscsi", iscsi_open };
