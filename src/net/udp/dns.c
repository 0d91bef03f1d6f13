/* The resolver: asks the DNS servers from the settings, tries the search
 * domains, follows CNAMEs, and gives up after bounded retries. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>
#include <dust/console.h>
#include <dust/dns.h>
#include <dust/iobuf.h>
#include <dust/process.h>
#include <dust/settings.h>
#include <dust/timer.h>
#include <dust/udp.h>
#include <dust/xfer.h>

#define DNS_MAX_SERVERS 3
#define DNS_MAX_SEARCH 4
#define DNS_TRIES 3                /* per name and server */
#define DNS_FIRST_TIMEOUT_MS 1000
#define DNS_MAX_QUERIES 16         /* names asked in one resolution */

SETTING(SETTING_ORDER_NET) domain_search_setting = {
	"domain-search", "DNS search domains (option 119)", &setting_type_hex,
	119, NULL };

struct resolv_request {
	struct refcnt refcnt;
	struct xfer xfer;
	struct timer timer;
	resolv_done_t done;
	void *ctx;
	int finished;
	/* What to ask: the name as given plus search-domain variants. */
	char names[DNS_MAX_SEARCH + 1][DNS_MAX_NAME + 1];
	unsigned int nnames, name_idx;
	char current[DNS_MAX_NAME + 1];   /* after CNAMEs */
	unsigned int cname_hops;
	struct in_addr servers[DNS_MAX_SERVERS];
	unsigned int nservers, server_idx;
	unsigned int tries, queries;
	uint32_t timeout;
	uint16_t id;
	int last_rc;
};

static void resolv_finish(struct resolv_request *r, int rc, struct in_addr a)
{
	if (r->finished)
		return;
	r->finished = 1;
	timer_stop(&r->timer);
	xfer_close(&r->xfer, 0);
	if (r->done)
		r->done(r->ctx, rc, a);
	ref_put(&r->refcnt);     /* the reference the running request held */
}

static int resolv_send(struct resolv_request *r)
{
	struct io_buffer *iob = alloc_iob(DNS_MAX_NAME + 32);
	struct sockaddr_in dest;
	struct xfer_meta meta;
	int n;

	if (!iob)
		return -ENOMEM;
	r->id = (uint16_t)random();
	n = dns_build_query(r->id, r->current, iob->data, iob_tailroom(iob));
	if (n < 0) {
		free_iob(iob);
		return n;
	}
	iob_put(iob, (size_t)n);
	memset(&dest, 0, sizeof(dest));
	dest.sin_family = AF_INET;
	dest.sin_addr = r->servers[r->server_idx];
	dest.sin_port = htons(DNS_PORT);
	memset(&meta, 0, sizeof(meta));
	meta.dest = (struct sockaddr *)&dest;
	r->queries++;
	return xfer_deliver(&r->xfer, iob, &meta);
}

/* Ask about the next candidate name, or give up. */
static void resolv_next_name(struct resolv_request *r)
{
	struct in_addr none = { 0 };

	if (r->name_idx >= r->nnames || r->queries >= DNS_MAX_QUERIES) {
		resolv_finish(r, r->last_rc, none);
		return;
	}
	strcpy(r->current, r->names[r->name_idx++]);
	r->cname_hops = 0;
	r->server_idx = 0;
	r->tries = 0;
	r->timeout = DNS_FIRST_TIMEOUT_MS;
	resolv_send(r);
	timer_start(&r->timer, r->timeout);
}

static void resolv_expired(struct timer *t)
{
	struct resolv_request *r = container_of(t, struct resolv_request, timer);

	r->last_rc = -ETIMEDOUT;
	if (++r->tries >= DNS_TRIES) {
		/* This server has had its chances: the next one, or give up
		 * (no answer at all is not "no such name"). */
		r->tries = 0;
		r->timeout = DNS_FIRST_TIMEOUT_MS;
		if (++r->server_idx >= r->nservers) {
			struct in_addr none = { 0 };

			resolv_finish(r, -ETIMEDOUT, none);
			return;
		}
	} else {
		r->timeout *= 2;
	}
	resolv_send(r);
	timer_start(&r->timer, r->timeout);
}

static int resolv_deliver(struct xfer *x, struct io_buffer *iob,
			  const struct xfer_meta *meta)
{
	struct resolv_request *r = container_of(x, struct resolv_request, xfer);
	struct dns_result *res = malloc(sizeof(*res));
	int rc;

	if (!res || r->finished) {
		free(res);
		free_iob(iob);
		return 0;
	}
	rc = dns_parse_response(iob->data, iob_len(iob), r->id, r->current, res);
	free_iob(iob);
	if (rc_is(rc, EINVAL_K)) {
		free(res);        /* not an answer to our question: ignore */
		return 0;
	}
	if (rc == 0) {
		resolv_finish(r, 0, res->addr);
	} else if (rc == 1 && ++r->cname_hops <= DNS_MAX_CNAMES) {
		/* The chain ends somewhere the server did not answer for. */
		strcpy(r->current, res->cname);
		r->tries = 0;
		r->timeout = DNS_FIRST_TIMEOUT_MS;
		resolv_send(r);
		timer_start(&r->timer, r->timeout);
	} else if (rc == 1) {
		struct in_addr none = { 0 };

		resolv_finish(r, -ELOOP, none);
	} else if (rc_is(rc, EIO_K) && r->server_idx + 1 < r->nservers) {
		r->server_idx++;
		r->tries = 0;
		resolv_send(r);
		timer_start(&r->timer, r->timeout);
	} else {
		r->last_rc = rc;
		timer_stop(&r->timer);
		resolv_next_name(r);
	}
	free(res);
	return 0;
}

static void resolv_xfer_close(struct xfer *x, int rc)
{
	struct resolv_request *r = container_of(x, struct resolv_request, xfer);
	struct in_addr none = { 0 };

	resolv_finish(r, rc ? rc : -ECONNABORTED, none);
}

static const struct xfer_ops resolv_xfer_ops = {
	.deliver = resolv_deliver,
	.close = resolv_xfer_close,
};

static void resolv_free(struct refcnt *rc)
{
	free(container_of(rc, struct resolv_request, refcnt));
}

/* The names to try: with a dot, the name first; without one, the
 * search domains first (RFC 1535 caution aside, that is what users of
 * short names mean). */
static void resolv_make_names(struct resolv_request *r, const char *name)
{
	char search[DNS_MAX_SEARCH][DNS_MAX_NAME + 1];
	unsigned int nsearch = 0, i;
	uint8_t opt[256];
	int n;

	n = fetch_setting(NULL, &domain_search_setting, opt, sizeof(opt));
	if (n > 0 && (size_t)n <= sizeof(opt))
		nsearch = (unsigned int)dns_parse_search_list(opt, (size_t)n,
							      search, DNS_MAX_SEARCH);
	if (!nsearch && fetch_string_setting(NULL, &domain_setting, search[0],
					     sizeof(search[0])) > 0)
		nsearch = 1;
	if (strchr(name, '.'))
		strcpy(r->names[r->nnames++], name);
	for (i = 0; i < nsearch && r->nnames < DNS_MAX_SEARCH; i++) {
		if (strlen(name) + 1 + strlen(search[i]) > DNS_MAX_NAME)
			continue;
		snprintf(r->names[r->nnames++], DNS_MAX_NAME + 1, "%s.%s", name,
			 search[i]);
	}
	if (!strchr(name, '.'))
		strcpy(r->names[r->nnames++], name);
}

/* A literal address still answers through the main loop, like a query. */
struct resolv_literal {
	struct process proc;
	resolv_done_t done;
	void *ctx;
	struct in_addr addr;
};

static void resolv_literal_step(struct process *p)
{
	struct resolv_literal *l = container_of(p, struct resolv_literal, proc);

	process_del(p);
	l->done(l->ctx, 0, l->addr);
	free(l);
}

int resolv_start(const char *name, resolv_done_t done, void *ctx,
		 struct resolv_request **reqp)
{
	struct resolv_request *r;
	struct sockaddr_in peer;
	struct in_addr addr;
	int rc;

	if (reqp)
		*reqp = NULL;
	if (inet_aton(name, &addr)) {
		struct resolv_literal *l = zalloc(sizeof(*l));

		if (!l)
			return -ENOMEM;
		l->done = done;
		l->ctx = ctx;
		l->addr = addr;
		l->proc.step = resolv_literal_step;
		process_add(&l->proc);
		return 0;
	}
	if (!*name || strlen(name) > DNS_MAX_NAME - 2)
		return -EINVAL;
	r = zalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	ref_init(&r->refcnt, resolv_free);
	xfer_init(&r->xfer, &resolv_xfer_ops, &r->refcnt);
	timer_init(&r->timer, resolv_expired, &r->refcnt);
	r->done = done;
	r->ctx = ctx;
	r->last_rc = -ENOENT;
	rc = fetch_ipv4_array_setting(NULL, &dns_setting, r->servers,
				      DNS_MAX_SERVERS);
	if (rc <= 0) {
		free(r);
		return -ENXIO;      /* no DNS server known */
	}
	r->nservers = (unsigned int)rc;
	resolv_make_names(r, name);
	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	peer.sin_addr.s_addr = INADDR_BROADCAST;   /* answers from any server */
	rc = udp_open(&r->xfer, (struct sockaddr *)&peer, NULL);
	if (rc) {
		free(r);
		return rc;
	}
	ref_get(&r->refcnt);        /* held while the request runs */
	if (reqp)
		*reqp = r;
	resolv_next_name(r);
	if (!reqp)
		ref_put(&r->refcnt);  /* the caller keeps no handle */
	return 0;
}

void resolv_cancel(struct resolv_request *r)
{
	struct in_addr none = { 0 };

	if (!r)
		return;
	r->done = NULL;
	resolv_finish(r, -ECANCELED, none);
	ref_put(&r->refcnt);
}

struct resolv_wait_ctx {
	int done;
	int rc;
	struct in_addr addr;
};

static void resolv_wait_done(void *ctx, int rc, struct in_addr addr)
{
	struct resolv_wait_ctx *w = ctx;

	w->done = 1;
	w->rc = rc;
	w->addr = addr;
}

int resolv_wait(const char *name, struct in_addr *addr)
{
	struct resolv_wait_ctx w = { 0, 0, { 0 } };
	struct resolv_request *r;
	int rc;

	rc = resolv_start(name, resolv_wait_done, &w, &r);
	if (rc)
		return rc;
	while (!w.done) {
		if (interrupted()) {
			resolv_cancel(r);
			return -ECANCELED;
		}
		step();
	}
	if (r)
		ref_put(&r->refcnt);
	*addr = w.addr;
	return w.rc;
}

