/* TCP (RFC 9293): active connections for downloads (HTTP) and SAN
 * traffic (iSCSI), built to keep going over lossy links.
 *
 * States: the usual ones from SYN-SENT on; SYN-RECEIVED only comes from a
 * simultaneous open (dust never listens).  TIME-WAIT lasts one second.
 *
 * Send side.  Data the user delivers is kept in a queue of iobufs until
 * it is acknowledged; every segment sent is built afresh by copying from
 * that queue, so a retransmission is just "send this range again".  Each
 * segment in flight has a record in a ring (sequence range, flags and the
 * order of its last transmission).  Peer SACK blocks (RFC 2018) mark
 * records; a record is taken as lost once segments sent after it have
 * arrived: three of them (fewer when little is in flight, RFC 5827), and
 * during recovery any one, which also catches lost retransmissions.  Lost
 * records are resent ahead of new data while the estimate of data in the
 * network (the "pipe" of RFC 6675) is below the congestion window.
 * Without SACK this reduces to NewReno (RFC 6582): the third duplicate
 * ACK and each partial ACK mark the first unacknowledged segment lost.
 * Slow start and congestion avoidance follow RFC 5681 (initial window
 * RFC 6928, byte counting RFC 3465); RTT and RTO follow RFC 6298 with a
 * 200 ms floor and back-off, giving up after TCP_MAX_RETRIES.  Before the
 * RTO, up to three loss probes (RFC 8985 tail-loss probes, at 2 SRTT plus
 * 2 ms, doubling) resend a segment without touching the congestion
 * window, so a lost request or a lost retransmission costs milliseconds,
 * not an RTO.  One timer serves RTO, probes, persist (zero window) and the
 * FIN-WAIT-2/TIME-WAIT lingering; a second one delays ACKs.  There is no
 * Nagle algorithm: users deliver whole messages.
 *
 * Receive side.  In-order data goes straight to the user.  Segments that
 * arrive beyond a gap are kept in a sorted queue bounded by the memory
 * their buffers take; ACKs then carry SACK blocks.  ACKs are sent for
 * every TCP_ACK_EVERY segments, within TCP_DELACK_MS otherwise, at once
 * for anything out of order or filling a gap, and for every segment for
 * a while after a loss or at the start (so the peer's congestion window
 * is not held back).  TCP_ACK_EVERY is 4, not the 2 of RFC 9293 3.8.6.3:
 * each ACK costs a transmission (under emulation, a trip through the
 * device model), senders of today count the bytes an ACK covers rather
 * than the ACKs (RFC 3465), and the window is large enough that they
 * never wait for one; INT 13h reads from iSCSI went from 72 to 88 MB/s.
 * The window is advertised with window scaling (RFC 7323); timestamps
 * and D-SACK are not used.
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <byteswap.h>
#include <dust/heap.h>
#include <dust/iobuf.h>
#include <dust/list.h>
#include <dust/tcp.h>
#include <dust/tcpip.h>
#include <dust/timer.h>
#include <dust/xfer.h>

/* ---- tunables */
#define TCP_RCV_MIN      (16u << 10)   /* ... and when it does not */
#define TCP_SNDBUF       (256u << 10)  /* send buffer (xfer window) */
#define TCP_RING         256           /* segments in flight, at most */
#define TCP_DEFAULT_MSS  536           /* peer sent no MSS option */
#define TCP_IW_SEGS      10            /* initial window (RFC 6928) */
#define TCP_RTO_INIT     1000          /* ms, before any RTT sample */
#define TCP_RTO_MIN      200
#define TCP_RTO_MAX      60000
#define TCP_PERSIST_MAX  10000         /* zero-window probe interval cap */
#define TCP_TLP_MIN      2             /* ms added to 2 * SRTT for a probe */
#define TCP_MAX_PROBES   3             /* loss probes before the RTO */
#define TCP_SYN_RETRIES  5             /* SYN sent 6 times, then give up */
#define TCP_MAX_RETRIES  8             /* ~100 s from a 200 ms RTO */
#define TCP_DELACK_MS    40
#define TCP_QUICKACKS    16            /* segments ACKed at once after loss */
#define TCP_FINWAIT2_MS  10000
#define TCP_TIMEWAIT_MS  1000          /* short: we never listen */
#define TCP_DUPTHRESH    3

/* ---- sequence arithmetic modulo 2^32 */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LE(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) SEQ_LT(b, a)
#define SEQ_GE(a, b) SEQ_LE(b, a)

enum tcp_state {
	TCP_CLOSED,
	TCP_SYN_SENT,
	TCP_SYN_RECEIVED,          /* simultaneous open only */
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSING,
	TCP_TIME_WAIT,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK,
};

static const char *const tcp_state_names[] = {
	"CLOSED", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
	"FIN_WAIT_2", "CLOSING", "TIME_WAIT", "CLOSE_WAIT", "LAST_ACK",
};

/* One segment in flight. */
struct tcp_seg {
	uint32_t seq;
	uint16_t len;          /* sequence space: data, plus SYN or FIN */
	uint8_t flags;
	uint8_t unused;
	uint32_t order;        /* transmission order of its last sending */
};
#define SEG_SYN    0x01
#define SEG_FIN    0x02
#define SEG_SACKED 0x04        /* the peer has it (SACK) */
#define SEG_LOST   0x08        /* taken as lost: to be sent again */
#define SEG_RTX    0x10        /* sent again since last taken as lost */

/* What the retransmission timer is doing. */
enum { TM_RTO, TM_PROBE, TM_PERSIST, TM_LINGER };

/* Connection flags. */
#define TF_USER_CLOSED 0x0001  /* up is gone: send what is queued, FIN */
#define TF_FIN_SENT    0x0002
#define TF_SACK_OK     0x0004
#define TF_ACK_NOW     0x0008
#define TF_RECOVERY    0x0010  /* in fast recovery */
#define TF_TIMING      0x0040  /* an RTT measurement is running */
#define TF_HAVE_RTT    0x0080
#define TF_WOPEN       0x0200  /* tell up the window opened */
#define TF_SYN_AGAIN   0x0400  /* SYN resent after a stale peer's ACK */

struct tcp_conn {
	struct refcnt refcnt;
	struct list_head list;
	struct xfer xfer;
	struct sockaddr_in local;
	struct sockaddr_in peer;
	uint8_t state;
	uint8_t timer_mode;
	uint8_t snd_wscale;
	uint8_t rcv_wscale;
	unsigned int flags;

	/* send */
	uint32_t iss;
	uint32_t snd_una;          /* oldest unacknowledged */
	uint32_t snd_nxt;          /* next new sequence number to send */
	uint32_t snd_wnd;
	uint32_t snd_wl1, snd_wl2; /* segment that last updated snd_wnd */
	uint32_t mss;              /* largest segment we send (data) */
	uint32_t seg_max;          /* data + options the path carries */
	uint32_t cwnd, ssthresh;
	uint32_t ca_acked;         /* congestion avoidance byte counter */
	uint32_t recover;          /* snd_nxt when recovery started */
	uint32_t dupacks;
	uint32_t order;            /* transmissions so far */
	uint32_t delivered_order;  /* latest-sent segment known to arrive */
	struct list_head sndq;     /* iobufs of data not yet acknowledged */
	size_t sndq_len;
	uint32_t sndq_seq;         /* sequence number of its first byte */
	struct io_buffer *scan_iob; /* lookup cache into sndq */
	uint32_t scan_seq;
	struct tcp_seg ring[TCP_RING];
	unsigned int ring_head, ring_count;
	/* RTT and RTO (RFC 6298), ms; srtt scaled by 8, rttvar by 4 */
	uint32_t srtt8, rttvar4, rto;
	uint32_t rtt_seq, rtt_start;
	uint8_t backoff, retries;
	uint8_t probes;            /* loss probes since the last progress */

	/* receive */
	uint32_t irs;
	uint32_t rcv_nxt;
	uint32_t rcv_adv;          /* right edge of the advertised window */
	uint32_t rcv_buf;          /* most we advertise */
	uint32_t rcv_mss;          /* what we told the peer */
	struct list_head ooo;      /* out-of-order segments, by sequence */
	size_t ooo_mem;            /* buffer memory they hold */
	size_t ooo_max;
	uint32_t sack_hist[4];     /* a sequence number in recent blocks */
	unsigned int sack_nhist;
	unsigned int unacked;      /* segments received, not yet ACKed */
	unsigned int quickacks;

	struct timer timer;        /* RTO, probe, persist, linger */
	struct timer delack;
};

struct tcp_stats tcp_stats;
static LIST_HEAD(tcp_conns);
static uint32_t tcp_next_iss;
static int tcp_iss_set;

/* Ask the firmware heap how much memory there is, if there is one (the
 * host tests have none: the weak reference is then NULL). */
extern struct heap main_heap __weak;

static void tcp_output(struct tcp_conn *c);
static void tcp_arm_timer(struct tcp_conn *c);

/* ---- small helpers */

static inline struct tcp_seg *ring_at(struct tcp_conn *c, unsigned int i)
{
	return &c->ring[(c->ring_head + i) % TCP_RING];
}

static inline uint32_t seg_end(const struct tcp_seg *s)
{
	return s->seq + s->len;
}

/* Memory a received buffer really takes. */
static inline size_t iob_truesize(const struct io_buffer *iob)
{
	return (size_t)(iob->end - iob->head) + sizeof(*iob);
}

/* Out-of-order segments carry their sequence number and FIN flag in the
 * headroom, just in front of the data (the TCP header was there). */
struct ooo_tag {
	uint32_t seq;
	uint32_t fin;
};

static void ooo_set(struct io_buffer *iob, uint32_t seq, int fin)
{
	struct ooo_tag t = { seq, (uint32_t)fin };

	memcpy((uint8_t *)iob->data - sizeof(t), &t, sizeof(t));
}

static struct ooo_tag ooo_get(const struct io_buffer *iob)
{
	struct ooo_tag t;

	memcpy(&t, (const uint8_t *)iob->data - sizeof(t), sizeof(t));
	return t;
}

static inline uint32_t ooo_end(const struct io_buffer *iob)
{
	struct ooo_tag t = ooo_get(iob);

	return t.seq + (uint32_t)iob_len(iob) + t.fin;
}

/* Current RTO including back-off. */
static uint32_t tcp_rto(const struct tcp_conn *c)
{
	uint32_t rto = c->rto;
	unsigned int i;

	for (i = 0; i < c->backoff && rto < TCP_RTO_MAX; i++)
		rto *= 2;
	return rto < TCP_RTO_MAX ? rto : TCP_RTO_MAX;
}

/* An RTT sample (RFC 6298 section 2). */
static void tcp_rtt_sample(struct tcp_conn *c, uint32_t rtt)
{
	uint32_t var;

	if (!(c->flags & TF_HAVE_RTT)) {
		c->srtt8 = rtt << 3;
		c->rttvar4 = rtt << 1;
		c->flags |= TF_HAVE_RTT;
	} else {
		int32_t err = (int32_t)rtt - (int32_t)(c->srtt8 >> 3);

		c->srtt8 = (uint32_t)((int32_t)c->srtt8 + err);
		if (err < 0)
			err = -err;
		c->rttvar4 = (uint32_t)((int32_t)c->rttvar4 +
					(err - (int32_t)(c->rttvar4 >> 2)));
	}
	var = c->rttvar4 ? c->rttvar4 : 1;     /* max(G, 4 * RTTVAR), G=1 */
	c->rto = (c->srtt8 >> 3) + var;
	if (c->rto < TCP_RTO_MIN)
		c->rto = TCP_RTO_MIN;
	if (c->rto > TCP_RTO_MAX)
		c->rto = TCP_RTO_MAX;
}

/* Bytes the user has queued that have not been sent yet. */
static inline uint32_t tcp_unsent(const struct tcp_conn *c)
{
	return c->sndq_seq + (uint32_t)c->sndq_len - c->snd_nxt;
}

/* The data in flight (RFC 6675 "pipe"): segments not SACKed, counted
 * once unless taken as lost and not yet sent again. */
static uint32_t tcp_pipe(const struct tcp_conn *c)
{
	uint32_t pipe = 0;
	unsigned int i;

	for (i = 0; i < c->ring_count; i++) {
		const struct tcp_seg *s = &c->ring[(c->ring_head + i) % TCP_RING];

		if (!(s->flags & SEG_SACKED) &&
		    (!(s->flags & SEG_LOST) || (s->flags & SEG_RTX)))
			pipe += s->len;
	}
	/* Without SACK, each duplicate ACK stands for a segment that left
	 * the network (the cwnd inflation of RFC 6582). */
	if (!(c->flags & TF_SACK_OK)) {
		uint32_t gone = c->dupacks * c->mss;

		pipe = gone < pipe ? pipe - gone : 0;
	}
	return pipe;
}

/* What the receive side can take now: the buffer, or less if up says so
 * through its window op. */
static uint32_t tcp_rcv_space(struct tcp_conn *c)
{
	uint32_t avail = c->rcv_buf;
	struct xfer *up = c->xfer.peer;

	if (up && up->ops->window) {
		size_t w = xfer_window(&c->xfer);

		if (w < avail)
			avail = (uint32_t)w;
	}
	return avail;
}

/* The window to advertise, as the 16-bit field (RFC 7323 scaled).  The
 * right edge never moves left. */
static uint16_t tcp_window_field(struct tcp_conn *c)
{
	uint32_t avail = tcp_rcv_space(c), cur = 0, wnd, field;

	if (SEQ_GT(c->rcv_adv, c->rcv_nxt))
		cur = c->rcv_adv - c->rcv_nxt;
	wnd = avail > cur ? avail : cur;
	field = (wnd + (1u << c->rcv_wscale) - 1) >> c->rcv_wscale;
	if (field > 0xffff)
		field = 0xffff;
	c->rcv_adv = c->rcv_nxt + (field << c->rcv_wscale);
	return (uint16_t)field;
}

/* ---- building segments */

static inline struct io_buffer *iob_next(struct io_buffer *iob)
{
	return list_entry(iob->list.next, struct io_buffer, list);
}

/* Copy len queued bytes, starting at sequence number seq, to dst. */
static void sndq_copy(struct tcp_conn *c, uint32_t seq, uint8_t *dst,
		      size_t len)
{
	struct io_buffer *iob;
	uint32_t at;

	if (c->scan_iob && SEQ_GE(seq, c->scan_seq)) {
		iob = c->scan_iob;
		at = c->scan_seq;
	} else {
		iob = list_first_entry(&c->sndq, struct io_buffer, list);
		at = c->sndq_seq;
	}
	while (len) {
		size_t ilen = iob_len(iob), off = seq - at, n;

		if (off >= ilen) {
			at += (uint32_t)ilen;
			iob = iob_next(iob);
			continue;
		}
		n = MIN(ilen - off, len);
		memcpy(dst, (uint8_t *)iob->data + off, n);
		c->scan_iob = iob;
		c->scan_seq = at;
		dst += n;
		seq += (uint32_t)n;
		len -= n;
	}
}

/* The run of contiguous out-of-order data that starts with entry iob:
 * its bounds, and the entry after it (or NULL). */
static struct io_buffer *ooo_run(struct tcp_conn *c, struct io_buffer *iob,
				 uint32_t *l, uint32_t *r)
{
	*l = ooo_get(iob).seq;
	*r = ooo_end(iob);
	for (iob = iob_next(iob); &iob->list != &c->ooo; iob = iob_next(iob)) {
		if (ooo_get(iob).seq != *r)
			return iob;
		*r = ooo_end(iob);
	}
	return NULL;
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

/* SACK option for an ACK (RFC 2018 section 4): the block holding the
 * latest out-of-order arrival first, then the blocks reported recently,
 * then any others.  Returns its length (0: none fit or none needed). */
static size_t tcp_sack_option(struct tcp_conn *c, uint8_t *p, size_t room)
{
	uint32_t bl[4], br[4], l, r;
	unsigned int n = 0, max, i, j;
	struct io_buffer *iob;

	if (!(c->flags & TF_SACK_OK) || list_empty(&c->ooo) || room < 12)
		return 0;
	max = (unsigned int)MIN((room - 4) / 8, 4u);
	for (i = 0; i <= c->sack_nhist && n < max; i++) {
		iob = list_first_entry(&c->ooo, struct io_buffer, list);
		while (iob && n < max) {
			struct io_buffer *next = ooo_run(c, iob, &l, &r);

			for (j = 0; j < n && bl[j] != l; j++)
				;
			/* Pass i < nhist: the run holding sack_hist[i];
			 * the last pass: every run not yet in. */
			if (j == n && (i == c->sack_nhist ||
				       (SEQ_LE(l, c->sack_hist[i]) &&
					SEQ_LT(c->sack_hist[i], r)))) {
				bl[n] = l;
				br[n++] = r;
				if (i < c->sack_nhist)
					break;
			}
			iob = next;
		}
	}
	for (i = 0; i < n; i++)
		c->sack_hist[i] = bl[i];
	c->sack_nhist = n;
	p[0] = TCPOPT_NOP;
	p[1] = TCPOPT_NOP;
	p[2] = TCPOPT_SACK;
	p[3] = (uint8_t)(2 + 8 * n);
	for (i = 0; i < n; i++) {
		put32(p + 4 + 8 * i, bl[i]);
		put32(p + 8 + 8 * i, br[i]);
	}
	return 4 + 8 * n;
}

/* Send one segment: data [seq, seq + len) from the send queue (len may be
 * 0) with the TCP_* flags given; an ACK carries our current window and,
 * when there is room, SACK blocks. */
static int tcp_send(struct tcp_conn *c, uint32_t seq, uint32_t len,
		    unsigned int flags)
{
	uint8_t opts[40];
	size_t olen = 0, hlen, total, room;
	struct io_buffer *iob;
	struct tcphdr *th;
	int rc;

	if (flags & TCP_SYN) {
		opts[0] = TCPOPT_MSS;
		opts[1] = 4;
		opts[2] = (uint8_t)(c->rcv_mss >> 8);
		opts[3] = (uint8_t)c->rcv_mss;
		opts[4] = TCPOPT_NOP;
		opts[5] = TCPOPT_WSCALE;
		opts[6] = 3;
		opts[7] = TCP_RCV_WSCALE;
		opts[8] = TCPOPT_NOP;
		opts[9] = TCPOPT_NOP;
		opts[10] = TCPOPT_SACK_PERM;
		opts[11] = 2;
		olen = 12;
	} else if (flags & TCP_ACK) {
		/* Options share the path's segment size with the data. */
		room = c->seg_max > len ? c->seg_max - len : 0;
		olen = tcp_sack_option(c, opts, MIN(room, sizeof(opts)));
	}
	hlen = sizeof(*th) + olen;
	total = hlen + len;
	iob = alloc_iob(total);
	if (!iob) {
		tcp_stats.tx_errors++;
		return -ENOMEM;
	}
	th = iob_put(iob, total);
	th->src = c->local.sin_port;
	th->dest = c->peer.sin_port;
	th->seq = htonl(seq);
	th->ack = (flags & TCP_ACK) ? htonl(c->rcv_nxt) : 0;
	th->doff = (uint8_t)((hlen / 4) << 4);
	th->flags = (uint8_t)flags;
	if (flags & TCP_SYN) {
		/* Never scaled in a SYN (RFC 7323 section 2.2). */
		uint32_t w = MIN(tcp_rcv_space(c), 0xffffu);

		th->win = htons((uint16_t)w);
		c->rcv_adv = c->rcv_nxt + w;
	} else
		th->win = htons(tcp_window_field(c));
	th->csum = 0;
	th->urg = 0;
	memcpy(th + 1, opts, olen);
	if (len)
		sndq_copy(c, seq, (uint8_t *)th + hlen, len);
	th->csum = csum_fold(csum_partial(th, total,
		tcpip_pseudo_sum((struct sockaddr *)&c->local,
				 (struct sockaddr *)&c->peer, IP_TCP, total)));
	tcp_stats.segs_out++;
	if (flags & TCP_ACK) {
		c->unacked = 0;
		c->flags &= ~TF_ACK_NOW;
		timer_stop(&c->delack);
	}
	rc = tcpip_tx(iob, IP_TCP, (struct sockaddr *)&c->local,
		      (struct sockaddr *)&c->peer, NULL);
	if (rc < 0)
		tcp_stats.tx_errors++;
	return rc;
}

/* A reset in answer to a segment that has no connection (RFC 9293
 * section 3.10.7.1) or that we must refuse. */
static void tcp_send_reset(const struct sockaddr *from,
			   const struct sockaddr *to, const struct tcphdr *in,
			   uint32_t seg_len)
{
	struct io_buffer *iob;
	struct tcphdr *th;

	if (in->flags & TCP_RST)
		return;
	iob = alloc_iob(sizeof(*th));
	if (!iob)
		return;
	th = iob_put(iob, sizeof(*th));
	memset(th, 0, sizeof(*th));
	th->src = in->dest;
	th->dest = in->src;
	th->doff = 5 << 4;
	if (in->flags & TCP_ACK) {
		th->seq = in->ack;
		th->flags = TCP_RST;
	} else {
		th->ack = htonl(ntohl(in->seq) + seg_len);
		th->flags = TCP_RST | TCP_ACK;
	}
	th->csum = csum_fold(csum_partial(th, sizeof(*th),
		tcpip_pseudo_sum(to, from, IP_TCP, sizeof(*th))));
	tcp_stats.rst_out++;
	tcp_stats.segs_out++;
	if (tcpip_tx(iob, IP_TCP, to, from, NULL) < 0)
		tcp_stats.tx_errors++;
}

/* ---- output */

static void tcp_drop_ooo(struct tcp_conn *c)
{
	struct io_buffer *iob, *tmp;

	list_for_each_entry_safe(iob, tmp, &c->ooo, list) {
		list_del(&iob->list);
		free_iob(iob);
	}
	c->ooo_mem = 0;
	c->sack_nhist = 0;
}

/* The connection is over: stop everything, tell up (if still there)
 * and drop the reference the connection list held. */
static void tcp_done(struct tcp_conn *c, int rc)
{
	struct io_buffer *iob, *tmp;

	if (c->state == TCP_CLOSED)
		return;
	c->state = TCP_CLOSED;
	timer_stop(&c->timer);
	timer_stop(&c->delack);
	list_for_each_entry_safe(iob, tmp, &c->sndq, list) {
		list_del(&iob->list);
		free_iob(iob);
	}
	c->sndq_len = 0;
	c->scan_iob = NULL;
	c->ring_count = 0;
	tcp_drop_ooo(c);
	list_del(&c->list);
	INIT_LIST_HEAD(&c->list);
	xfer_close(&c->xfer, rc);
	ref_put(&c->refcnt);
}

/* Abort: reset the peer (if it knows us) and finish. */
static void tcp_abort(struct tcp_conn *c, int rc)
{
	if (c->state != TCP_SYN_SENT && c->state != TCP_CLOSED)
		tcp_send(c, c->snd_nxt, 0, TCP_RST | TCP_ACK);
	tcp_stats.rst_out += (c->state != TCP_SYN_SENT);
	tcp_stats.aborts++;
	tcp_done(c, rc);
}

/* (Re)send the segment a record describes. */
static void tcp_send_seg(struct tcp_conn *c, struct tcp_seg *s)
{
	unsigned int fl = TCP_ACK;
	uint32_t dlen = s->len;

	if (s->flags & SEG_SYN) {
		fl = c->state == TCP_SYN_SENT ? TCP_SYN : TCP_SYN | TCP_ACK;
		dlen--;
	}
	if (s->flags & SEG_FIN) {
		fl |= TCP_FIN;
		dlen--;
	}
	if (dlen && s->seq + dlen == c->sndq_seq + c->sndq_len)
		fl |= TCP_PSH;
	s->order = ++c->order;
	tcp_send(c, s->seq, dlen, fl);
}

static void tcp_linger(struct tcp_conn *c, uint32_t ms)
{
	c->timer_mode = TM_LINGER;
	timer_start(&c->timer, ms);
}

/* Send what congestion control, the peer's window and the state allow:
 * segments taken as lost first, then new data (and our FIN), else an
 * ACK if one is due. */
static void tcp_output(struct tcp_conn *c)
{
	uint32_t pipe, unsent, usable, len, wnd_end;
	struct tcp_seg *s;
	unsigned int i;
	int sent = 0, fin;

	if (c->state == TCP_CLOSED)
		return;
	pipe = tcp_pipe(c);
	/* The first unacknowledged segment may always be resent (NewReno
	 * partial ACK); others when the pipe has room. */
	for (i = 0; i < c->ring_count && (pipe < c->cwnd || !i); i++) {
		s = ring_at(c, i);
		if ((s->flags & (SEG_LOST | SEG_RTX | SEG_SACKED)) != SEG_LOST)
			continue;
		/* Beyond the peer's window only the first goes (a probe). */
		if (i && SEQ_GT(seg_end(s), c->snd_una + c->snd_wnd))
			break;
		s->flags |= SEG_RTX;
		tcp_send_seg(c, s);
		tcp_stats.retrans++;
		c->flags &= ~TF_TIMING;            /* Karn */
		pipe += s->len;
		sent = 1;
	}
	while ((c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT) &&
	       c->ring_count < TCP_RING && pipe < c->cwnd) {
		unsent = tcp_unsent(c);
		fin = (c->flags & (TF_USER_CLOSED | TF_FIN_SENT)) ==
			TF_USER_CLOSED;
		if (!unsent && !fin)
			break;
		wnd_end = c->snd_una + c->snd_wnd;
		usable = SEQ_GT(wnd_end, c->snd_nxt) ? wnd_end - c->snd_nxt : 0;
		len = MIN(unsent, c->mss);
		if (usable < len) {
			/* Sender silly window avoidance: wait for the ACKs
			 * of what is in flight, or for the persist timer. */
			if (c->ring_count || !usable)
				break;
			len = usable;
		}
		fin = fin && len == unsent;
		s = ring_at(c, c->ring_count++);
		s->seq = c->snd_nxt;
		s->len = (uint16_t)(len + (uint32_t)fin);
		s->flags = fin ? SEG_FIN : 0;
		c->snd_nxt += s->len;
		if (!(c->flags & TF_TIMING)) {
			c->flags |= TF_TIMING;
			c->rtt_seq = c->snd_nxt;
			c->rtt_start = currtime_ms();
		}
		tcp_send_seg(c, s);
		pipe += s->len;
		sent = 1;
		if (fin) {
			c->flags |= TF_FIN_SENT;
			c->state = c->state == TCP_ESTABLISHED ?
				TCP_FIN_WAIT_1 : TCP_LAST_ACK;
			break;
		}
	}
	if (!sent && (c->flags & TF_ACK_NOW) && c->state != TCP_SYN_SENT)
		tcp_send(c, c->snd_nxt, 0, TCP_ACK);
	tcp_arm_timer(c);
}

/* Keep the retransmission timer right: RTO (or first a tail-loss probe)
 * while anything is in flight, persist while the peer's window keeps
 * queued data back. */
static void tcp_arm_timer(struct tcp_conn *c)
{
	uint32_t ms;

	if (c->state == TCP_CLOSED || c->timer_mode == TM_LINGER)
		return;
	if (c->ring_count) {
		if (timer_running(&c->timer) && c->timer_mode != TM_PERSIST)
			return;
		ms = tcp_rto(c);
		if (!c->snd_wnd && c->state >= TCP_ESTABLISHED)
			ms = MIN(ms, TCP_PERSIST_MAX);  /* probing a window */
		c->timer_mode = TM_RTO;
		if ((c->flags & TF_HAVE_RTT) && c->probes < TCP_MAX_PROBES &&
		    !c->backoff && c->state >= TCP_ESTABLISHED) {
			uint32_t pto = ((c->srtt8 >> 2) + TCP_TLP_MIN) << c->probes;

			if (pto < ms) {
				ms = pto;
				c->timer_mode = TM_PROBE;
			}
		}
	} else if (tcp_unsent(c) && (c->state == TCP_ESTABLISHED ||
				     c->state == TCP_CLOSE_WAIT)) {
		if (timer_running(&c->timer) && c->timer_mode == TM_PERSIST)
			return;
		ms = MIN(tcp_rto(c), TCP_PERSIST_MAX);
		c->timer_mode = TM_PERSIST;
	} else {
		timer_stop(&c->timer);
		return;
	}
	timer_start(&c->timer, ms);
}

static void tcp_timer_expired(struct timer *t)
{
	struct tcp_conn *c = container_of(t, struct tcp_conn, timer);
	struct tcp_seg *s;
	unsigned int i;

	switch (c->timer_mode) {
	case TM_LINGER:                      /* FIN-WAIT-2 or TIME-WAIT over */
		tcp_done(c, 0);
		return;
	case TM_PERSIST:
		/* Probe the closed window with one byte beyond it. */
		tcp_stats.probes++;
		if (c->backoff < 16)
			c->backoff++;
		s = ring_at(c, c->ring_count++);
		s->seq = c->snd_nxt;
		s->len = 1;
		s->flags = 0;
		c->snd_nxt++;
		tcp_send_seg(c, s);
		tcp_arm_timer(c);
		return;
	case TM_PROBE:
		/* Tail-loss probe (RFC 8985 section 7): the last segment
		 * again, cwnd unchanged; its arrival shows what is missing.
		 * In recovery, where a lost retransmission would otherwise
		 * wait for the RTO, and for a second probe (the first or its
		 * answer lost too), the first segment not SACKed instead. */
		if (!c->ring_count)
			break;
		tcp_stats.tlp++;
		c->flags &= ~TF_TIMING;
		if ((c->flags & TF_RECOVERY) || c->probes++) {
			if (c->flags & TF_RECOVERY)
				c->probes++;
			for (i = 0; i + 1 < c->ring_count &&
			     (ring_at(c, i)->flags & SEG_SACKED); i++)
				;
			s = ring_at(c, i);
			s->flags |= SEG_RTX;
			tcp_send_seg(c, s);
		} else {
			uint32_t order;

			/* Keep its place in the sending order: the probe
			 * must not make what was sent after the original
			 * look lost. */
			s = ring_at(c, c->ring_count - 1);
			order = s->order;
			s->flags |= SEG_RTX;
			tcp_send_seg(c, s);
			s->order = order;
		}
		tcp_stats.retrans++;
		tcp_arm_timer(c);
		return;
	}
	if (!c->ring_count) {
		tcp_arm_timer(c);
		return;
	}
	if (!c->snd_wnd && c->state >= TCP_ESTABLISHED) {
		/* A window probe went unanswered: send it again; ACKs that
		 * keep the window closed also reset the retry count. */
		tcp_stats.probes++;
	} else {
		tcp_stats.rto++;
	}
	if (++c->retries > (c->state < TCP_ESTABLISHED ? TCP_SYN_RETRIES :
			    TCP_MAX_RETRIES)) {
		tcp_stats.timeouts++;
		tcp_done(c, -ETIMEDOUT);
		return;
	}
	if (c->snd_wnd || c->state < TCP_ESTABLISHED) {
		/* RFC 5681 section 3.1 and RFC 6675 section 5.1: one
		 * segment, slow start from the recovery point on. */
		if (!c->backoff)
			c->ssthresh = MAX(MIN(c->cwnd, c->snd_nxt - c->snd_una) / 2,
					  2 * c->mss);
		c->cwnd = c->mss;
		c->ca_acked = 0;
		c->recover = c->snd_nxt;
	}
	c->dupacks = 0;
	c->probes = 0;
	c->flags &= ~(TF_RECOVERY | TF_TIMING);
	/* Everything not SACKed is taken as lost; after a second timeout
	 * in a row SACK information is forgotten too (the peer may have
	 * dropped what it reported, RFC 2018 section 8). */
	for (i = 0; i < c->ring_count; i++) {
		s = ring_at(c, i);
		if (c->backoff)
			s->flags &= ~SEG_SACKED;
		if (!(s->flags & SEG_SACKED))
			s->flags = (uint8_t)((s->flags & ~SEG_RTX) | SEG_LOST);
	}
	if (c->backoff < 16)
		c->backoff++;
	tcp_output(c);
}

static void tcp_delack_expired(struct timer *t)
{
	struct tcp_conn *c = container_of(t, struct tcp_conn, delack);

	if (c->state == TCP_CLOSED)
		return;
	c->flags |= TF_ACK_NOW;
	tcp_output(c);
}

/* ---- input */

struct tcp_opts {
	uint16_t mss;
	uint8_t wscale;            /* 0xff: none */
	uint8_t sack_ok;
	unsigned int nsack;
	uint32_t sack[4][2];
};

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

/* Parse the options; -EINVAL if their lengths do not add up. */
static int tcp_parse_opts(const uint8_t *p, size_t len, int syn,
			  struct tcp_opts *o)
{
	size_t i = 0, olen;
	unsigned int n;

	memset(o, 0, sizeof(*o));
	o->wscale = 0xff;
	while (i < len) {
		if (p[i] == TCPOPT_EOL)
			break;
		if (p[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -EINVAL;
		olen = p[i + 1];
		if (olen < 2 || i + olen > len)
			return -EINVAL;
		switch (p[i]) {
		case TCPOPT_MSS:
			if (olen != 4)
				return -EINVAL;
			if (syn)
				o->mss = (uint16_t)(p[i + 2] << 8 | p[i + 3]);
			break;
		case TCPOPT_WSCALE:
			if (olen != 3)
				return -EINVAL;
			if (syn)
				o->wscale = MIN(p[i + 2], 14);
			break;
		case TCPOPT_SACK_PERM:
			if (olen != 2)
				return -EINVAL;
			o->sack_ok = (uint8_t)syn;
			break;
		case TCPOPT_SACK:
			if ((olen - 2) % 8 || olen == 2 || olen > 2 + 8 * 4)
				return -EINVAL;
			for (n = 0; n < (olen - 2) / 8; n++) {
				o->sack[n][0] = get32(p + i + 2 + 8 * n);
				o->sack[n][1] = get32(p + i + 6 + 8 * n);
			}
			o->nsack = n;
			break;
		}
		i += olen;
	}
	return 0;
}

/* Record that the segment sent in transmission `order` has arrived. */
static inline void tcp_delivered(struct tcp_conn *c, const struct tcp_seg *s)
{
	if ((int32_t)(s->order - c->delivered_order) > 0)
		c->delivered_order = s->order;
}

/* Mark records the peer reports with SACK; returns how many were new. */
static unsigned int tcp_rx_sack(struct tcp_conn *c, const struct tcp_opts *o)
{
	unsigned int b, i, n = 0;

	if (!(c->flags & TF_SACK_OK))
		return 0;
	for (b = 0; b < o->nsack; b++) {
		uint32_t l = o->sack[b][0], r = o->sack[b][1];

		/* Only blocks above the cumulative ACK, within what was
		 * sent (D-SACK blocks below snd_una are ignored). */
		if (!SEQ_LT(l, r) || SEQ_LT(l, c->snd_una) ||
		    SEQ_GT(r, c->snd_nxt))
			continue;
		for (i = 0; i < c->ring_count; i++) {
			struct tcp_seg *s = ring_at(c, i);

			if (SEQ_GE(s->seq, r))
				break;
			if (SEQ_GE(s->seq, l) && SEQ_LE(seg_end(s), r) &&
			    !(s->flags & SEG_SACKED)) {
				s->flags |= SEG_SACKED;
				tcp_delivered(c, s);
				n++;
			}
		}
	}
	return n;
}

/* Take as lost what was sent before segments that have since arrived:
 * three transmissions later, or fewer when less is in flight. */
static unsigned int tcp_mark_lost(struct tcp_conn *c)
{
	unsigned int i, n = 0;
	uint32_t thresh = TCP_DUPTHRESH;

	/* Only SACK tells what arrived beyond the cumulative ACK. */
	if (!(c->flags & TF_SACK_OK))
		return 0;
	/* In recovery anything sent before a segment that arrived is lost
	 * (no reordering assumed once losses are known); fewer than four
	 * in flight: early retransmit (RFC 5827). */
	if (c->ring_count <= TCP_DUPTHRESH || (c->flags & TF_RECOVERY))
		thresh = c->ring_count > 1 && !(c->flags & TF_RECOVERY) ?
			c->ring_count - 1 : 1;
	for (i = 0; i < c->ring_count; i++) {
		struct tcp_seg *s = ring_at(c, i);

		/* Skip what arrived, and what waits to be sent again. */
		if ((s->flags & SEG_SACKED) ||
		    (s->flags & (SEG_LOST | SEG_RTX)) == SEG_LOST)
			continue;
		if ((int32_t)(c->delivered_order - s->order) >= (int32_t)thresh) {
			if (s->flags & SEG_RTX)
				tcp_stats.lost_rtx++;
			s->flags = (uint8_t)((s->flags & ~SEG_RTX) | SEG_LOST);
			n++;
		}
	}
	return n;
}

/* The cumulative ACK moved to `ack`: drop what it covers, take an RTT
 * sample, open the congestion window. */
static void tcp_ack_advance(struct tcp_conn *c, uint32_t ack)
{
	uint32_t acked = ack - c->snd_una, n;
	struct io_buffer *iob;

	while (c->ring_count) {
		struct tcp_seg *s = ring_at(c, 0);

		if (SEQ_LE(seg_end(s), ack)) {
			tcp_delivered(c, s);
			c->ring_head = (c->ring_head + 1) % TCP_RING;
			c->ring_count--;
			continue;
		}
		if (SEQ_GT(ack, s->seq)) {  /* part of it (a window probe) */
			s->len = (uint16_t)(seg_end(s) - ack);
			s->seq = ack;
		}
		break;
	}
	/* Acknowledged data leaves the send queue (SYN and FIN take a
	 * sequence number but no byte in it). */
	if (SEQ_GT(ack, c->sndq_seq)) {
		n = MIN(ack - c->sndq_seq, (uint32_t)c->sndq_len);
		c->sndq_len -= n;
		c->sndq_seq += n;
		if (n)
			c->flags |= TF_WOPEN;
		while (n) {
			iob = list_first_entry(&c->sndq, struct io_buffer, list);
			if (iob_len(iob) > n) {
				iob_pull(iob, n);
				break;
			}
			n -= (uint32_t)iob_len(iob);
			list_del(&iob->list);
			free_iob(iob);
		}
		c->scan_iob = NULL;
	}
	if ((c->flags & TF_TIMING) && SEQ_GE(ack, c->rtt_seq)) {
		c->flags &= ~TF_TIMING;
		tcp_rtt_sample(c, currtime_ms() - c->rtt_start);
	}
	c->snd_una = ack;
	c->backoff = 0;
	c->retries = 0;
	c->probes = 0;
	timer_stop(&c->timer);

	if (c->flags & TF_RECOVERY) {
		if (SEQ_GE(ack, c->recover)) {
			/* Recovery is over (RFC 6582 section 3.2 step 3). */
			c->flags &= ~TF_RECOVERY;
			c->cwnd = MIN(c->ssthresh,
				      MAX(c->snd_nxt - ack, c->mss) + c->mss);
			c->dupacks = 0;
		} else {
			/* Partial ACK: the next hole is lost too, unless it
			 * was already sent again. */
			n = acked / c->mss;
			c->dupacks = c->dupacks > n ? c->dupacks - n : 0;
			if (c->ring_count) {
				struct tcp_seg *s = ring_at(c, 0);

				if (!(s->flags & (SEG_SACKED | SEG_RTX)))
					s->flags |= SEG_LOST;
			}
		}
		return;
	}
	c->dupacks = 0;
	if (c->cwnd < c->ssthresh) {
		c->cwnd += MIN(acked, 2 * c->mss);   /* RFC 3465, L = 2 */
	} else {
		c->ca_acked += acked;
		if (c->ca_acked >= c->cwnd) {
			c->ca_acked -= c->cwnd;
			c->cwnd += c->mss;
		}
	}
	if (c->cwnd > 2 * TCP_SNDBUF)
		c->cwnd = 2 * TCP_SNDBUF;
}

/* The ACK field and window of an acceptable segment (RFC 9293 section
 * 3.10.7.4, fifth check).  Returns -1 if the segment must be dropped. */
static int tcp_rx_ack(struct tcp_conn *c, const struct tcphdr *th,
		      uint32_t seq, uint32_t seg_len, const struct tcp_opts *o)
{
	uint32_t ack = ntohl(th->ack);
	uint32_t wnd = (uint32_t)ntohs(th->win) << c->snd_wscale;
	int wnd_changed = 0, advanced;
	unsigned int sacked;

	if (SEQ_GT(ack, c->snd_nxt)) {
		c->flags |= TF_ACK_NOW;            /* acks what we never sent */
		return -1;
	}
	if (SEQ_LT(ack, c->snd_una)) {
		/* Old: ignore it, unless too old to be real (RFC 5961 5.2:
		 * a blind injection); then answer with an ACK. */
		if (SEQ_LT(ack, c->snd_una - MAX(c->snd_wnd, 0xffffu))) {
			c->flags |= TF_ACK_NOW;
			return -1;
		}
		return 0;
	}
	if (SEQ_LT(c->snd_wl1, seq) ||
	    (c->snd_wl1 == seq && SEQ_LE(c->snd_wl2, ack))) {
		wnd_changed = wnd != c->snd_wnd;
		if (wnd > c->snd_wnd)
			c->flags |= TF_WOPEN;
		if (!c->snd_wnd && wnd) {
			/* The window opened: what is out are window probes
			 * the peer did not take; send them again now. */
			unsigned int i;

			for (i = 0; i < c->ring_count; i++)
				if (!(ring_at(c, i)->flags & SEG_SACKED))
					ring_at(c, i)->flags = (uint8_t)
						((ring_at(c, i)->flags & ~SEG_RTX) |
						 SEG_LOST);
		}
		c->snd_wnd = wnd;
		c->snd_wl1 = seq;
		c->snd_wl2 = ack;
		if (!wnd)
			c->retries = 0;            /* the peer is alive */
	}
	sacked = tcp_rx_sack(c, o);
	if (sacked && c->probes) {
		/* Progress: probes may follow again, RTO restarts. */
		c->probes = 0;
		timer_stop(&c->timer);
	}
	advanced = SEQ_GT(ack, c->snd_una);
	if (advanced) {
		tcp_ack_advance(c, ack);
	} else if (c->ring_count && !seg_len && c->snd_wnd &&
		   (sacked || (!wnd_changed && !o->nsack))) {
		/* A duplicate ACK (RFC 5681 section 2). */
		if (++c->dupacks == TCP_DUPTHRESH) {
			struct tcp_seg *s = ring_at(c, 0);

			if (!(s->flags & (SEG_SACKED | SEG_LOST | SEG_RTX)))
				s->flags |= SEG_LOST;
		}
	}
	if ((tcp_mark_lost(c) || c->dupacks == TCP_DUPTHRESH) &&
	    !(c->flags & TF_RECOVERY) && SEQ_GE(c->snd_una, c->recover) &&
	    c->ring_count) {
		/* Fast retransmit / recovery (RFC 5681 3.2, RFC 6675). */
		c->flags |= TF_RECOVERY;
		c->flags &= ~TF_TIMING;
		c->recover = c->snd_nxt;
		c->ssthresh = MAX(MIN(c->cwnd, c->snd_nxt - c->snd_una) / 2,
				  2 * c->mss);
		c->cwnd = c->ssthresh;
		c->ca_acked = 0;
		tcp_stats.fast_rtx++;
	}
	return 0;
}

/* Keep a segment that arrived beyond a gap.  The queue stays sorted and
 * free of overlaps, and within ooo_max bytes of buffer memory: when full,
 * the highest data goes first (what fills the lowest gap matters most). */
static void tcp_ooo_insert(struct tcp_conn *c, struct io_buffer *iob,
			   uint32_t seq, int fin)
{
	struct io_buffer *q, *tmp, *pos = NULL;
	size_t size = iob_truesize(iob);
	uint32_t end, n;
	unsigned int i;

	tcp_stats.ooo_segs++;
	while (c->ooo_mem + size > c->ooo_max) {
		q = list_empty(&c->ooo) ? NULL :
			list_entry(c->ooo.prev, struct io_buffer, list);
		tcp_stats.ooo_drops++;
		if (!q || SEQ_LE(ooo_get(q).seq, seq)) {
			free_iob(iob);
			return;
		}
		list_del(&q->list);
		c->ooo_mem -= iob_truesize(q);
		free_iob(q);
	}
	end = seq + (uint32_t)iob_len(iob) + (uint32_t)fin;
	list_for_each_entry_safe(q, tmp, &c->ooo, list) {
		struct ooo_tag t = ooo_get(q);
		uint32_t qend = ooo_end(q);

		if (SEQ_LE(qend, seq))
			continue;
		if (SEQ_GE(t.seq, end)) {
			pos = q;
			break;
		}
		if (SEQ_LE(t.seq, seq) && SEQ_GE(qend, end)) {
			tcp_stats.dup_segs++;          /* nothing new in it */
			free_iob(iob);
			return;
		}
		if (SEQ_LE(t.seq, seq)) {              /* q has our front */
			n = MIN(qend - seq, (uint32_t)iob_len(iob));
			iob_pull(iob, n);
			seq += n;
			continue;
		}
		if (SEQ_LE(qend, end)) {               /* we have all of q */
			list_del(&q->list);
			c->ooo_mem -= iob_truesize(q);
			free_iob(q);
			continue;
		}
		/* q starts inside us and goes on: cut our tail. */
		iob_unput(iob, iob_len(iob) - (t.seq - seq));
		fin = 0;
		pos = q;
		break;
	}
	ooo_set(iob, seq, fin);
	list_add_tail(&iob->list, pos ? &pos->list : &c->ooo);
	c->ooo_mem += size;
	/* The block holding this segment comes first in the next SACK. */
	for (i = 3; i > 0; i--)
		c->sack_hist[i] = c->sack_hist[i - 1];
	c->sack_hist[0] = seq;
	if (c->sack_nhist < 4)
		c->sack_nhist++;
}

/* The peer's FIN, in sequence (RFC 9293 section 3.10.7.4, eighth). */
static void tcp_rx_fin(struct tcp_conn *c)
{
	c->rcv_nxt++;
	c->flags |= TF_ACK_NOW;
	switch (c->state) {
	case TCP_ESTABLISHED:
		/* End of stream for up; we finish sending by ourselves. */
		c->state = TCP_CLOSE_WAIT;
		c->flags |= TF_USER_CLOSED;
		tcp_drop_ooo(c);
		xfer_close(&c->xfer, 0);
		break;
	case TCP_FIN_WAIT_1:
		c->state = TCP_CLOSING;
		break;
	case TCP_FIN_WAIT_2:
		c->state = TCP_TIME_WAIT;
		tcp_linger(c, TCP_TIMEWAIT_MS);
		break;
	}
}

/* Hand in-order data to up, then whatever the out-of-order queue can now
 * add.  up may close (even abort) the connection in any delivery. */
static void tcp_deliver(struct tcp_conn *c, struct io_buffer *iob, int fin)
{
	struct ooo_tag t;
	uint32_t n;

	for (;;) {
		c->rcv_nxt += (uint32_t)iob_len(iob);
		if (iob_len(iob))
			xfer_deliver(&c->xfer, iob, NULL);
		else
			free_iob(iob);
		if (c->state == TCP_CLOSED)
			return;
		if (fin) {
			tcp_rx_fin(c);
			return;
		}
		for (;;) {
			if (list_empty(&c->ooo))
				return;
			iob = list_first_entry(&c->ooo, struct io_buffer, list);
			t = ooo_get(iob);
			if (SEQ_GT(t.seq, c->rcv_nxt))
				return;
			list_del(&iob->list);
			c->ooo_mem -= iob_truesize(iob);
			fin = (int)t.fin;
			n = c->rcv_nxt - t.seq;
			if (n < iob_len(iob) || (n == iob_len(iob) && fin)) {
				iob_pull(iob, n);
				break;
			}
			free_iob(iob);                 /* all of it old */
		}
	}
}

/* Segment text and FIN (RFC 9293 section 3.10.7.4, seventh and eighth):
 * trim to the window, deliver or queue, decide when to ACK. */
static void tcp_rx_data(struct tcp_conn *c, struct io_buffer *iob,
			uint32_t seq, int fin)
{
	uint32_t len = (uint32_t)iob_len(iob), right, n;
	int gap;

	if (SEQ_LT(seq, c->rcv_nxt)) {
		n = c->rcv_nxt - seq;
		if (n > len) {
			n = len;
			fin = 0;
		}
		iob_pull(iob, n);
		seq += n;
		len -= n;
	}
	right = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv : c->rcv_nxt;
	if (SEQ_GT(seq + len, right)) {
		n = MIN(seq + len - right, len);
		iob_unput(iob, n);
		len -= n;
		fin = 0;
	}
	if (!len && !fin) {
		free_iob(iob);
		c->flags |= TF_ACK_NOW;
		return;
	}
	if (len && (c->flags & TF_USER_CLOSED)) {
		/* Nobody is left to read it: reset (RFC 9293 3.10.4). */
		free_iob(iob);
		tcp_abort(c, 0);
		return;
	}
	if (seq != c->rcv_nxt) {
		tcp_ooo_insert(c, iob, seq, fin);
		c->flags |= TF_ACK_NOW;
		c->quickacks = TCP_QUICKACKS;
		return;
	}
	gap = !list_empty(&c->ooo);
	tcp_deliver(c, iob, fin);
	if (c->state == TCP_CLOSED)
		return;
	/* Every TCP_ACK_EVERY segments (see the top of the file), at
	 * once when a gap is filled.  A segment larger than our MSS (a
	 * virtual NIC passing on what the host did not cut up) counts as
	 * the full-sized segments it holds. */
	c->unacked += len > c->rcv_mss ? len / c->rcv_mss : 1;
	if (gap || c->unacked >= TCP_ACK_EVERY || c->quickacks) {
		if (c->quickacks)
			c->quickacks--;
		c->flags |= TF_ACK_NOW;
	} else if (!timer_running(&c->delack)) {
		timer_start(&c->delack, TCP_DELACK_MS);
	}
}

/* The options and sequence numbers of the peer's SYN. */
static void tcp_rx_syn(struct tcp_conn *c, uint32_t seq,
		       const struct tcp_opts *o)
{
	uint32_t syn_wnd = c->rcv_adv - c->rcv_nxt;  /* what our SYN said */

	c->irs = seq;
	c->rcv_nxt = seq + 1;
	if (o->wscale != 0xff) {
		c->snd_wscale = o->wscale;
		c->rcv_wscale = TCP_RCV_WSCALE;
	} else {
		c->rcv_buf = MIN(c->rcv_buf, 0xffffu);
	}
	c->rcv_adv = c->rcv_nxt + syn_wnd;
	if (o->sack_ok)
		c->flags |= TF_SACK_OK;
	c->mss = MIN(o->mss ? o->mss : TCP_DEFAULT_MSS, c->seg_max);
}

/* The handshake is complete; resent: our SYN timed out at least once. */
static void tcp_established(struct tcp_conn *c, int resent)
{
	/* RFC 6928 initial window; one segment if the SYN was resent. */
	c->cwnd = resent ? c->mss :
		MIN(TCP_IW_SEGS * c->mss, MAX(2 * c->mss, 14600u));
	c->ssthresh = 0x7fffffff;
	/* RFC 6298 (5.7): a SYN timed out and nothing was measured. */
	if (resent && !(c->flags & TF_HAVE_RTT))
		c->rto = 3000;
	c->state = TCP_ESTABLISHED;
	c->quickacks = TCP_QUICKACKS;
	c->flags |= TF_ACK_NOW | TF_WOPEN;
	tcp_stats.established++;
}

static void tcp_rx_syn_sent(struct tcp_conn *c, struct io_buffer *iob,
			    const struct tcphdr *th, const struct tcp_opts *o)
{
	uint32_t seq = ntohl(th->seq), ack = ntohl(th->ack);
	unsigned int fl = th->flags, resent;

	if ((fl & TCP_ACK) && (SEQ_LE(ack, c->iss) || SEQ_GT(ack, c->snd_nxt))) {
		tcp_send_reset((struct sockaddr *)&c->peer,
			       (struct sockaddr *)&c->local, th,
			       (uint32_t)iob_len(iob) + !!(fl & TCP_SYN) +
			       !!(fl & TCP_FIN));
		free_iob(iob);
		/* The peer still holds an old connection on these ports
		 * (ours, before a reboot) and answered with its ACK; the
		 * reset ends it, so send the SYN again now, once, rather
		 * than after the retransmission timeout. */
		if (!(fl & TCP_RST) && !(c->flags & TF_SYN_AGAIN)) {
			c->flags |= TF_SYN_AGAIN;
			c->flags &= ~TF_TIMING;
			ring_at(c, 0)->flags |= SEG_RTX;
			tcp_send_seg(c, ring_at(c, 0));
		}
		return;
	}
	if (fl & TCP_RST) {
		free_iob(iob);
		if (fl & TCP_ACK) {
			tcp_stats.refused++;
			tcp_done(c, -ECONNREFUSED);
		}
		return;
	}
	if (!(fl & TCP_SYN)) {
		free_iob(iob);
		return;
	}
	tcp_rx_syn(c, seq, o);
	if (!(fl & TCP_ACK)) {
		/* Simultaneous open: answer SYN,ACK (RFC 9293 3.5). */
		c->state = TCP_SYN_RECEIVED;
		c->flags &= ~TF_TIMING;
		ring_at(c, 0)->flags |= SEG_RTX;
		tcp_send_seg(c, ring_at(c, 0));
		free_iob(iob);
		return;
	}
	resent = c->backoff;
	tcp_ack_advance(c, ack);
	c->snd_wnd = ntohs(th->win);               /* never scaled in a SYN */
	c->snd_wl1 = seq;
	c->snd_wl2 = ack;
	tcp_established(c, resent);
	if (iob_len(iob) || (fl & TCP_FIN))
		tcp_rx_data(c, iob, seq + 1, !!(fl & TCP_FIN));
	else
		free_iob(iob);
}

/* A segment for connection c, header already checked (iob at the data). */
static void tcp_input(struct tcp_conn *c, struct io_buffer *iob,
		      const struct tcphdr *th, const struct tcp_opts *o)
{
	uint32_t seq = ntohl(th->seq), dlen = (uint32_t)iob_len(iob);
	uint32_t seg_len, wnd;
	unsigned int fl = th->flags;
	int fin = !!(fl & TCP_FIN), ok;

	if (c->state == TCP_SYN_SENT) {
		tcp_rx_syn_sent(c, iob, th, o);
		goto out;
	}
	/* Acceptability (RFC 9293 section 3.10.7.4, first check). */
	seg_len = dlen + (uint32_t)fin + !!(fl & TCP_SYN);
	wnd = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
#define IN_WND(x) (SEQ_LE(c->rcv_nxt, (x)) && SEQ_LT((x), c->rcv_nxt + wnd))
	if (!seg_len)
		ok = wnd ? IN_WND(seq) : seq == c->rcv_nxt;
	else
		ok = wnd && (IN_WND(seq) || IN_WND(seq + seg_len - 1));
#undef IN_WND
	if (!ok && !wnd && seq == c->rcv_nxt) {
		/* A closed window takes no data, but the ACK, RST and
		 * window fields still count (RFC 9293 3.10.7.4). */
		tcp_stats.unacceptable++;
		c->flags |= TF_ACK_NOW;
		iob_unput(iob, dlen);
		dlen = 0;
		fin = 0;
		ok = 1;
	}
	if (!ok) {
		if (seg_len && SEQ_LE(seq + seg_len, c->rcv_nxt))
			tcp_stats.dup_segs++;
		else
			tcp_stats.unacceptable++;
		free_iob(iob);
		if (!(fl & TCP_RST))
			c->flags |= TF_ACK_NOW;
		goto out;
	}
	if (fl & TCP_RST) {
		free_iob(iob);
		/* RFC 5961 section 3.2: only an exact match resets; a reset
		 * elsewhere in the window gets a challenge ACK. */
		if (seq == c->rcv_nxt) {
			if (c->state == TCP_SYN_RECEIVED) {
				tcp_stats.refused++;
				tcp_done(c, -ECONNREFUSED);
			} else {
				tcp_stats.resets_in++;
				tcp_done(c, -ECONNRESET);
			}
			return;
		}
		c->flags |= TF_ACK_NOW;
		goto out;
	}
	if (fl & TCP_SYN) {
		/* RFC 5961 section 4.2: challenge ACK. */
		free_iob(iob);
		c->flags |= TF_ACK_NOW;
		goto out;
	}
	if (!(fl & TCP_ACK)) {
		free_iob(iob);
		goto out;
	}
	if (c->state == TCP_SYN_RECEIVED) {
		uint32_t ack = ntohl(th->ack);

		if (SEQ_LE(ack, c->snd_una) || SEQ_GT(ack, c->snd_nxt)) {
			tcp_send_reset((struct sockaddr *)&c->peer,
				       (struct sockaddr *)&c->local, th, seg_len);
			free_iob(iob);
			goto out;
		}
		c->snd_wl1 = seq;
		c->snd_wl2 = ack;
		tcp_established(c, c->backoff);
	}
	if (tcp_rx_ack(c, th, seq, seg_len, o) < 0) {
		free_iob(iob);
		goto out;
	}
	if ((c->flags & TF_FIN_SENT) && c->snd_una == c->snd_nxt) {
		/* Our FIN is acknowledged. */
		if (c->state == TCP_FIN_WAIT_1) {
			c->state = TCP_FIN_WAIT_2;
			tcp_linger(c, TCP_FINWAIT2_MS);
		} else if (c->state == TCP_CLOSING) {
			c->state = TCP_TIME_WAIT;
			tcp_linger(c, TCP_TIMEWAIT_MS);
		} else if (c->state == TCP_LAST_ACK) {
			free_iob(iob);
			tcp_done(c, 0);
			return;
		}
	}
	if ((dlen || fin) && (c->state == TCP_ESTABLISHED ||
			      c->state == TCP_FIN_WAIT_1 ||
			      c->state == TCP_FIN_WAIT_2))
		tcp_rx_data(c, iob, seq, fin);
	else
		free_iob(iob);
out:
	if (c->state == TCP_CLOSED)
		return;
	tcp_output(c);
	if ((c->flags & TF_WOPEN) && c->state != TCP_CLOSED) {
		c->flags &= ~TF_WOPEN;
		xfer_window_open(&c->xfer);
	}
}

static struct tcp_conn *tcp_demux(const struct sockaddr_in *src,
				  const struct sockaddr_in *dst,
				  uint16_t sport, uint16_t dport)
{
	struct tcp_conn *c;

	list_for_each_entry(c, &tcp_conns, list) {
		if (c->local.sin_port == dport && c->peer.sin_port == sport &&
		    c->peer.sin_addr.s_addr == src->sin_addr.s_addr &&
		    c->local.sin_addr.s_addr == dst->sin_addr.s_addr)
			return c;
	}
	return NULL;
}

static int tcp_rx(struct io_buffer *iob, struct net_device *netdev,
		  const struct sockaddr *src, const struct sockaddr *dst,
		  uint32_t pshdr_sum)
{
	struct tcphdr th;
	struct tcp_opts o;
	size_t len = iob_len(iob), hlen;
	struct tcp_conn *c;

	(void)netdev;
	tcp_stats.segs_in++;
	if (len < sizeof(th))
		goto bad;
	memcpy(&th, iob->data, sizeof(th));
	hlen = (size_t)(th.doff >> 4) * 4;
	if (hlen < sizeof(th) || hlen > len)
		goto bad;
	if (!(iob->flags & IOB_CSUM_OK) &&
	    csum_fold(csum_partial(iob->data, len, pshdr_sum)) != 0) {
		tcp_stats.bad_csum++;
		free_iob(iob);
		return -EINVAL;
	}
	if (tcp_parse_opts((uint8_t *)iob->data + sizeof(th),
			   hlen - sizeof(th), !!(th.flags & TCP_SYN), &o))
		goto bad;
	iob_pull(iob, hlen);
	c = src->sa_family == AF_INET ?
		tcp_demux((const struct sockaddr_in *)src,
			  (const struct sockaddr_in *)dst, th.src, th.dest) :
		NULL;
	if (!c) {
		tcp_stats.no_conn++;
		tcp_send_reset(src, dst, &th, (uint32_t)iob_len(iob) +
			       !!(th.flags & TCP_SYN) + !!(th.flags & TCP_FIN));
		free_iob(iob);
		return -ENOTCONN;
	}
	ref_get(&c->refcnt);
	tcp_input(c, iob, &th, &o);
	ref_put(&c->refcnt);
	return 0;
bad:
	tcp_stats.bad_hdr++;
	free_iob(iob);
	return -EINVAL;
}

/* Stream sockets (xfer_open_socket(), used by HTTP) are TCP. */
SOCKET_OPENER(tcp_socket_opener) = { SOCK_STREAM, tcp_open };

TCPIP_PROTOCOL(tcp_protocol) = {
	.name = "TCP",
	.proto = IP_TCP,
	.rx = tcp_rx,
};

/* ---- the user's side */

static int tcp_xfer_deliver(struct xfer *x, struct io_buffer *iob,
			    const struct xfer_meta *meta)
{
	struct tcp_conn *c = container_of(x, struct tcp_conn, xfer);
	size_t len = iob_len(iob);

	(void)meta;
	if (c->state == TCP_CLOSED || (c->flags & TF_USER_CLOSED)) {
		free_iob(iob);
		return -ENOTCONN;
	}
	if (c->sndq_len + len > 2 * TCP_SNDBUF) {
		free_iob(iob);                 /* far past the window */
		return -ENOBUFS;
	}
	if (!len) {
		free_iob(iob);
		return 0;
	}
	list_add_tail(&iob->list, &c->sndq);
	c->sndq_len += len;
	if (c->state != TCP_SYN_SENT)
		tcp_output(c);
	return 0;
}

static size_t tcp_xfer_window(struct xfer *x)
{
	struct tcp_conn *c = container_of(x, struct tcp_conn, xfer);

	if (c->state != TCP_ESTABLISHED || (c->flags & TF_USER_CLOSED))
		return 0;
	return c->sndq_len < TCP_SNDBUF ? TCP_SNDBUF - c->sndq_len : 0;
}

static void tcp_xfer_close(struct xfer *x, int rc)
{
	struct tcp_conn *c = container_of(x, struct tcp_conn, xfer);

	if (c->state == TCP_CLOSED)
		return;
	if (rc || c->state < TCP_ESTABLISHED) {
		tcp_abort(c, rc);
		return;
	}
	c->flags |= TF_USER_CLOSED;
	tcp_drop_ooo(c);
	tcp_output(c);
}

/* up can take more: advertise it if that opens the window enough to be
 * worth a segment (receiver silly window avoidance, RFC 9293 3.8.6.2.2). */
static void tcp_xfer_window_open(struct xfer *x)
{
	struct tcp_conn *c = container_of(x, struct tcp_conn, xfer);
	uint32_t now, avail;

	if (c->state != TCP_ESTABLISHED)
		return;
	now = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	avail = tcp_rcv_space(c);
	if (avail > now && avail - now >= MIN(c->rcv_buf / 2, c->rcv_mss)) {
		c->flags |= TF_ACK_NOW;
		tcp_output(c);
	}
}

static const struct xfer_ops tcp_xfer_ops = {
	.deliver = tcp_xfer_deliver,
	.window = tcp_xfer_window,
	.close = tcp_xfer_close,
	.window_open = tcp_xfer_window_open,
};

static void tcp_free(struct refcnt *r)
{
	free(container_of(r, struct tcp_conn, refcnt));
}

static int tcp_port_used(uint16_t port)
{
	struct tcp_conn *c;

	list_for_each_entry(c, &tcp_conns, list)
		if (c->local.sin_port == port)
			return 1;
	return 0;
}

void tcp_set_next_iss(uint32_t iss)
{
	tcp_next_iss = iss;
	tcp_iss_set = 1;
}

int tcp_open(struct xfer *up, const struct sockaddr *peer,
	     const struct sockaddr *local)
{
	struct tcp_conn *c;
	struct tcp_seg *s;
	unsigned int tries;
	uint16_t port;
	size_t max;
	int rc;

	if (peer->sa_family != AF_INET)
		return -EAFNOSUPPORT;
	c = zalloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	ref_init(&c->refcnt, tcp_free);
	xfer_init(&c->xfer, &tcp_xfer_ops, &c->refcnt);
	INIT_LIST_HEAD(&c->sndq);
	INIT_LIST_HEAD(&c->ooo);
	timer_init(&c->timer, tcp_timer_expired, &c->refcnt);
	timer_init(&c->delack, tcp_delack_expired, &c->refcnt);
	memcpy(&c->peer, peer, sizeof(c->peer));
	if (local)
		memcpy(&c->local, local, sizeof(c->local));
	c->local.sin_family = AF_INET;
	if (c->local.sin_addr.s_addr == INADDR_ANY) {
		rc = tcpip_select_source(peer, (struct sockaddr *)&c->local);
		if (rc) {
			free(c);
			return rc;
		}
	}
	port = c->local.sin_port;
	for (tries = 0; !port && tries < 16384; tries++) {
		port = htons(tcpip_ephemeral_port());
		if (tcp_port_used(port))
			port = 0;
	}
	if (!port || (c->local.sin_port && tcp_port_used(port))) {
		free(c);
		return -EADDRINUSE;
	}
	c->local.sin_port = port;

	max = tcpip_max_segment(peer);
	c->seg_max = max > 40 + 64 ? (uint32_t)max - 20 : 64 + 20;
	c->rcv_mss = MIN(c->seg_max, 0xffffu);
	c->mss = MIN((uint32_t)TCP_DEFAULT_MSS, c->seg_max);
	/* A large window when the heap can afford it.  The out-of-order
	 * queue is bounded by the memory its buffers take: twice the
	 * window, so that a window's worth in the usual 1.5-2 KiB receive
	 * buffers fits, while tiny segments cannot eat the heap. */
	c->rcv_buf = TCP_RCV_WINDOW;
	if (&main_heap)
		while (c->rcv_buf > TCP_RCV_MIN &&
		       (size_t)c->rcv_buf * 4 > main_heap.free_bytes)
			c->rcv_buf /= 2;
	c->ooo_max = 2 * c->rcv_buf;
	c->rto = TCP_RTO_INIT;
	c->cwnd = c->mss;
	c->ssthresh = 0x7fffffff;

	c->iss = tcp_iss_set ? tcp_next_iss :
		(uint32_t)random() ^ ((uint32_t)random() << 12);
	tcp_iss_set = 0;
	c->snd_una = c->recover = c->iss;
	c->snd_nxt = c->sndq_seq = c->iss + 1;
	s = ring_at(c, c->ring_count++);
	s->seq = c->iss;
	s->len = 1;
	s->flags = SEG_SYN;
	c->state = TCP_SYN_SENT;
	list_add(&c->list, &tcp_conns);
	xfer_plug(&c->xfer, up);
	tcp_stats.active_opens++;
	c->flags |= TF_TIMING;
	c->rtt_seq = c->snd_nxt;
	c->rtt_start = currtime_ms();
	tcp_send_seg(c, s);
	tcp_arm_timer(c);
	return 0;
}

int tcp_conn_info(unsigned int index, struct tcp_conn_info *info)
{
	struct tcp_conn *c;

	list_for_each_entry(c, &tcp_conns, list) {
		if (index--)
			continue;
		memcpy(&info->local, &c->local, sizeof(info->local));
		memcpy(&info->peer, &c->peer, sizeof(info->peer));
		info->state = tcp_state_names[c->state];
		info->send_queue = c->sndq_len;
		info->ooo_queue = c->ooo_mem;
		info->cwnd = c->cwnd;
		info->srtt_ms = c->srtt8 >> 3;
		info->rto_ms = tcp_rto(c);
		return 0;
	}
	return -ENOENT;
}
