/* The DHCP client (RFC 2131) with the PXE extensions: vendor class
 * PXEClient, user class, client architecture, NII and UUID, ProxyDHCP
 * offers and the boot server on port 4011.
 *
 * The session is a state machine: each state says what it sends, how
 * often, and what it does with a reply; a timer drives retransmission
 * with randomised exponential back-off. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>
#include <dust/console.h>
#include <dust/dhcp.h>
#include <dust/iobuf.h>
#include <dust/ipv4.h>
#include <dust/netdevice.h>
#include <dust/process.h>
#include <dust/settings.h>
#include <dust/timer.h>
#include <dust/udp.h>
#include <dust/uri.h>
#include <dust/xfer.h>
#include <config/general.h>

#define DHCP_FIRST_TIMEOUT_MS 1000
#define DHCP_MAX_TIMEOUT_MS   8000
/* How long to wait for a ProxyDHCP or better offer when the first offer
 * names nothing to boot. */
#define DHCP_PROXY_WAIT_MS    1000
#define DHCP_MAX_RESTARTS     2       /* after a NAK */
#define DHCP_LINK_WAIT_MS     10000

struct dhcp_stats dhcp_stats;

struct dhcp_session;

struct dhcp_state {
	const char *name;
	uint8_t msgtype;             /* what this state sends */
	unsigned int tries;          /* sends before giving up */
	void (*rx)(struct dhcp_session *s, struct dhcp_packet *pkt,
		   const struct sockaddr_in *from);
	/* Out of tries: finish with this rc (0 keeps the lease). */
	int give_up_rc;
};

struct dhcp_session {
	struct refcnt refcnt;
	struct xfer xfer;
	struct net_device *netdev;
	const struct dhcp_state *state;
	uint32_t xid;
	unsigned int tries;
	uint32_t timeout;            /* current retransmit interval */
	struct timer timer;
	uint32_t start_ms;
	unsigned int restarts;
	/* Offers collected while discovering. */
	struct dhcp_packet *offer;   /* best address offer so far */
	struct dhcp_packet *proxy;   /* ProxyDHCP offer */
	void *proxy_raw;             /* ... as it came (for the PXE API) */
	size_t proxy_raw_len;
	const void *raw;             /* the reply being handled, as it came */
	size_t raw_len;
	struct in_addr offer_server, proxy_server;
	uint32_t first_offer_ms;
	int waiting_for_proxy;
	struct in_addr leased;
	int done;
	int rc;
};

static void dhcp_rx_offer(struct dhcp_session *s, struct dhcp_packet *pkt,
			  const struct sockaddr_in *from);
static void dhcp_rx_ack(struct dhcp_session *s, struct dhcp_packet *pkt,
			const struct sockaddr_in *from);
static void dhcp_rx_proxy_ack(struct dhcp_session *s, struct dhcp_packet *pkt,
			      const struct sockaddr_in *from);

static const struct dhcp_state dhcp_discover = {
	"discover", DHCPDISCOVER, 5, dhcp_rx_offer, -ETIMEDOUT,
};
static const struct dhcp_state dhcp_request = {
	"request", DHCPREQUEST, 4, dhcp_rx_ack, -ETIMEDOUT,
};
static const struct dhcp_state dhcp_proxy_request = {
	"proxy", DHCPREQUEST, 3, dhcp_rx_proxy_ack, 0,
};

/* ---- raw copies of the last exchange, for the PXE API */

static unsigned int dhcp_count;

void dhcp_cache_put(struct net_device *netdev, unsigned int which,
		    const void *data, size_t len)
{
	void *copy = data ? malloc(len) : NULL;

	free(netdev->dhcp_pkt[which]);
	netdev->dhcp_pkt[which] = copy;
	netdev->dhcp_pkt_len[which] = copy ? (uint16_t)len : 0;
	if (copy)
		memcpy(copy, data, len);
}

static void dhcp_finish(struct dhcp_session *s, int rc)
{
	timer_stop(&s->timer);
	xfer_close(&s->xfer, rc);
	s->done = 1;
	s->rc = rc;
}

/* The options every request carries: what we are and what we want. */
static void dhcp_add_identity(struct dhcp_session *s, struct dhcp_builder *b)
{
	static const uint8_t params[] = {
		DHCP_NETMASK, DHCP_ROUTERS, DHCP_DNS, DHCP_HOSTNAME,
		DHCP_DOMAIN, DHCP_ROOT_PATH, DHCP_MTU, DHCP_BROADCAST,
		DHCP_VENDOR_ENCAP, DHCP_VENDOR_CLASS, DHCP_TFTP_SERVER,
		DHCP_BOOTFILE, DHCP_DOMAIN_SEARCH,
	};
	static const char vendor[] = "PXEClient:Arch:00000:UNDI:002001";
	static const uint8_t arch[2] = { 0, 0 };          /* x86 BIOS */
	static const uint8_t nii[3] = { 1, 2, 1 };        /* UNDI 2.1 */
	static const uint16_t max_msg = htons(1472);
	uint8_t client_id[7], uuid[17];
	char uclass[64];
	int n;

	dhcp_build_option(b, DHCP_MAX_MESSAGE, &max_msg, 2);
	dhcp_build_option(b, DHCP_PARAM_LIST, params, sizeof(params));
	dhcp_build_option(b, DHCP_VENDOR_CLASS, vendor, sizeof(vendor) - 1);
	n = fetch_string_setting(NULL, &user_class_setting, uclass,
				 sizeof(uclass));
	if (n > 0)
		dhcp_build_option(b, DHCP_USER_CLASS, uclass, strlen(uclass));
	dhcp_build_option(b, DHCP_CLIENT_ARCH, arch, sizeof(arch));
	dhcp_build_option(b, DHCP_CLIENT_NDI, nii, sizeof(nii));
	client_id[0] = 1;
	memcpy(client_id + 1, s->netdev->ll_addr, ETH_ALEN);
	dhcp_build_option(b, DHCP_CLIENT_ID, client_id, sizeof(client_id));
	uuid[0] = 0;
	if (fetch_setting(NULL, &uuid_setting, uuid + 1, 16) == 16)
		dhcp_build_option(b, DHCP_CLIENT_UUID, uuid, sizeof(uuid));
}

static int dhcp_send(struct dhcp_session *s)
{
	struct io_buffer *iob = alloc_iob(576);
	struct sockaddr_in dest;
	struct xfer_meta meta;
	struct dhcp_builder b;
	struct dhcphdr *h;
	int len;

	if (!iob)
		return -ENOMEM;
	dhcp_build_start(&b, iob->data, iob_tailroom(iob), s->state->msgtype,
			 s->xid, s->netdev->ll_addr);
	h = (struct dhcphdr *)iob->data;
	h->secs = htons((uint16_t)((currtime_ms() - s->start_ms) / 1000));
	memset(&dest, 0, sizeof(dest));
	dest.sin_family = AF_INET;
	dest.sin_addr.s_addr = INADDR_BROADCAST;
	dest.sin_port = htons(BOOTPS_PORT);
	if (s->state == &dhcp_request) {
		dhcp_build_option(&b, DHCP_REQUESTED_IP, &s->offer->hdr.yiaddr, 4);
		dhcp_build_option(&b, DHCP_SERVER_ID, &s->offer_server, 4);
	} else if (s->state == &dhcp_proxy_request) {
		/* PXE spec 2.2.5: ask the boot server on port 4011, unicast,
		 * from the address just leased. */
		h->ciaddr = s->leased;
		h->flags = 0;
		dest.sin_addr = s->proxy_server;
		dest.sin_port = htons(PXE_PORT);
	}
	dhcp_add_identity(s, &b);
	len = dhcp_build_end(&b);
	if (len < 0) {
		free_iob(iob);
		return len;
	}
	iob_put(iob, (size_t)len);
	if (s->state == &dhcp_discover)
		dhcp_cache_put(s->netdev, DHCP_CACHED_DISCOVER, iob->data,
			       (size_t)len);
	memset(&meta, 0, sizeof(meta));
	meta.dest = (struct sockaddr *)&dest;
	meta.netdev = s->netdev;
	dhcp_stats.tx++;
	return xfer_deliver(&s->xfer, iob, &meta);
}

/* Enter a state and send its first message at once. */
static void dhcp_set_state(struct dhcp_session *s, const struct dhcp_state *st)
{
	s->state = st;
	s->tries = 0;
	s->timeout = DHCP_FIRST_TIMEOUT_MS;
	s->tries++;
	dhcp_send(s);
	timer_start(&s->timer, s->timeout);
}

static void dhcp_timer_expired(struct timer *t)
{
	struct dhcp_session *s = container_of(t, struct dhcp_session, timer);
	uint32_t jitter;

	if (s->waiting_for_proxy) {
		/* The wait for something better is over: take what we have. */
		s->waiting_for_proxy = 0;
		dhcp_set_state(s, &dhcp_request);
		return;
	}
	if (s->tries >= s->state->tries) {
		if (s->state == &dhcp_proxy_request) {
			printf("%s: no answer from the PXE boot server %s\n",
			       s->netdev->name, inet_ntoa(s->proxy_server));
		}
		dhcp_finish(s, s->state->give_up_rc);
		return;
	}
	/* RFC 2131 4.1: double the delay, randomised by +-1/4. */
	if (s->timeout < DHCP_MAX_TIMEOUT_MS)
		s->timeout *= 2;
	jitter = s->timeout / 4;
	s->tries++;
	dhcp_send(s);
	timer_start(&s->timer,
		    s->timeout - jitter + (uint32_t)random() % (2 * jitter + 1));
}

static struct dhcp_packet *dhcp_copy(const struct dhcp_packet *pkt)
{
	struct dhcp_packet *c = malloc(sizeof(*c));

	if (c)
		memcpy(c, pkt, sizeof(*c));
	return c;
}

static struct in_addr dhcp_server_of(const struct dhcp_packet *pkt,
				     const struct sockaddr_in *from)
{
	struct in_addr server = from->sin_addr;
	size_t len;
	const uint8_t *id = dhcp_option(pkt, DHCP_SERVER_ID, &len);

	if (id && len == 4)
		memcpy(&server.s_addr, id, 4);
	return server;
}

static void dhcp_rx_offer(struct dhcp_session *s, struct dhcp_packet *pkt,
			  const struct sockaddr_in *from)
{
	int type = dhcp_msgtype(pkt);

	if (type != DHCPOFFER && type != 0)
		return;
	if (dhcp_is_proxy(pkt)) {
		if (!s->proxy) {
			s->proxy = dhcp_copy(pkt);
			s->proxy_raw = malloc(s->raw_len);
			if (s->proxy_raw) {
				memcpy(s->proxy_raw, s->raw, s->raw_len);
				s->proxy_raw_len = s->raw_len;
			}
			s->proxy_server = dhcp_server_of(pkt, from);
		}
	} else if (pkt->hdr.yiaddr.s_addr != INADDR_ANY) {
		/* Prefer an offer that names something to boot. */
		if (!s->offer || (!dhcp_has_boot_info(s->offer) &&
				  dhcp_has_boot_info(pkt))) {
			free(s->offer);
			s->offer = dhcp_copy(pkt);
			s->offer_server = dhcp_server_of(pkt, from);
		}
	}
	if (!s->offer)
		return;
	/* Go ahead at once when there is nothing to wait for. */
	if (dhcp_has_boot_info(s->offer) || s->proxy) {
		s->waiting_for_proxy = 0;
		dhcp_set_state(s, &dhcp_request);
		return;
	}
	if (!s->waiting_for_proxy) {
		s->waiting_for_proxy = 1;
		s->first_offer_ms = currtime_ms();
		timer_start(&s->timer, DHCP_PROXY_WAIT_MS);
	}
}

/* Keep every option of a reply as a setting of the device. */
static void dhcp_store(struct dhcp_session *s, const struct dhcp_packet *pkt,
		       unsigned int origin)
{
	struct settings *block = settings_for_netdev(s->netdev);
	struct setting tmp;
	unsigned int i;
	size_t len, olen;

	memset(&tmp, 0, sizeof(tmp));
	tmp.type = &setting_type_hex;
	for (i = 0; i < pkt->noptions; i++) {
		tmp.tag = pkt->opt[i].tag;
		tmp.name = "dhcp";
		store_setting(block, &tmp, pkt->data + pkt->opt[i].offset,
			      pkt->opt[i].len, origin);
	}
	if (pkt->hdr.yiaddr.s_addr != INADDR_ANY)
		store_setting(block, &ip_setting, &pkt->hdr.yiaddr, 4, origin);
	if (pkt->hdr.siaddr.s_addr != INADDR_ANY)
		store_setting(block, &next_server_setting, &pkt->hdr.siaddr, 4,
			      origin);
	/* The BOOTP fields, where no option says the same. */
	len = strnlen(pkt->hdr.file, sizeof(pkt->hdr.file));
	if (len && !dhcp_option(pkt, DHCP_BOOTFILE, &olen))
		store_setting(block, &filename_setting, pkt->hdr.file, len,
			      origin);
	len = strnlen(pkt->hdr.sname, sizeof(pkt->hdr.sname));
	if (len && !dhcp_option(pkt, DHCP_TFTP_SERVER, &olen)) {
		tmp.tag = DHCP_TFTP_SERVER;
		store_setting(block, &tmp, pkt->hdr.sname, len, origin);
	}
}

/* Relative names (a bare DHCP filename, a script's neighbours) are
 * fetched from the TFTP server DHCP named. */
static void dhcp_set_cwuri(struct dhcp_session *s)
{
	struct settings *block = settings_for_netdev(s->netdev);
	struct in_addr next;
	char text[40];
	struct uri *uri;

	if (fetch_ipv4_setting(block, &next_server_setting, &next) < 0 ||
	    next.s_addr == INADDR_ANY)
		return;
	snprintf(text, sizeof(text), "tftp://%s/", inet_ntoa(next));
	uri = parse_uri(text);
	if (uri)
		set_cwuri(uri);
	free(uri);
}

static void dhcp_report(struct dhcp_session *s)
{
	struct in_addr mask = { 0 }, gw = { 0 };
	struct settings *block = settings_for_netdev(s->netdev);
	unsigned int prefix = 0;
	char gwtext[16];

	fetch_ipv4_setting(block, &netmask_setting, &mask);
	while (prefix < 32 && (ntohl(mask.s_addr) & (0x80000000u >> prefix)))
		prefix++;
	strcpy(gwtext, "none");
	if (fetch_ipv4_setting(block, &gateway_setting, &gw) == 0)
		snprintf(gwtext, sizeof(gwtext), "%s", inet_ntoa(gw));
	printf("%s: %s/%u gateway %s (DHCP from %s, %u ms)\n",
	       s->netdev->name, inet_ntoa(s->leased), prefix, gwtext,
	       inet_ntoa(s->offer_server),
	       (unsigned int)(currtime_ms() - s->netdev->open_time_ms));
}

static void dhcp_rx_ack(struct dhcp_session *s, struct dhcp_packet *pkt,
			const struct sockaddr_in *from)
{
	int type = dhcp_msgtype(pkt);
	struct in_addr server = dhcp_server_of(pkt, from);
	struct settings *block = settings_for_netdev(s->netdev);

	if (server.s_addr != s->offer_server.s_addr)
		return;
	if (type == DHCPNAK) {
		printf("%s: DHCP server %s declined the request\n",
		       s->netdev->name, inet_ntoa(server));
		free(s->offer);
		s->offer = NULL;
		if (++s->restarts > DHCP_MAX_RESTARTS) {
			dhcp_finish(s, -EACCES);
			return;
		}
		dhcp_set_state(s, &dhcp_discover);
		return;
	}
	if (type != DHCPACK && type != 0)
		return;
	s->leased = pkt->hdr.yiaddr;
	clear_settings(block, SETTING_FROM_DHCP);
	clear_settings(block, SETTING_FROM_PROXY);
	dhcp_store(s, pkt, SETTING_FROM_DHCP);
	dhcp_cache_put(s->netdev, DHCP_CACHED_ACK, s->raw, s->raw_len);
	dhcp_cache_put(s->netdev, DHCP_CACHED_REPLY, NULL, 0);
	dhcp_report(s);
	if (s->proxy && !dhcp_has_boot_info(pkt)) {
		if (dhcp_has_boot_info(s->proxy)) {
			/* The ProxyDHCP offer already says what to boot. */
			dhcp_store(s, s->proxy, SETTING_FROM_PROXY);
			dhcp_cache_put(s->netdev, DHCP_CACHED_REPLY,
				       s->proxy_raw, s->proxy_raw_len);
		} else {
			dhcp_set_state(s, &dhcp_proxy_request);
			return;
		}
	}
	dhcp_set_cwuri(s);
	dhcp_finish(s, 0);
}

static void dhcp_rx_proxy_ack(struct dhcp_session *s, struct dhcp_packet *pkt,
			      const struct sockaddr_in *from)
{
	if (dhcp_msgtype(pkt) != DHCPACK ||
	    from->sin_addr.s_addr != s->proxy_server.s_addr)
		return;
	dhcp_store(s, pkt, SETTING_FROM_PROXY);
	dhcp_cache_put(s->netdev, DHCP_CACHED_REPLY, s->raw, s->raw_len);
	dhcp_set_cwuri(s);
	dhcp_finish(s, 0);
}

static int dhcp_deliver(struct xfer *x, struct io_buffer *iob,
			const struct xfer_meta *meta)
{
	struct dhcp_session *s = container_of(x, struct dhcp_session, xfer);
	struct dhcp_packet *pkt = malloc(sizeof(*pkt));
	struct sockaddr_in from;
	int rc = 0;

	if (!pkt) {
		free_iob(iob);
		return -ENOMEM;
	}
	if (dhcp_parse(iob->data, iob_len(iob), pkt) != 0 || !meta ||
	    !meta->src) {
		dhcp_stats.rx_bad++;
		rc = -EINVAL;
		goto out;
	}
	memcpy(&from, meta->src, sizeof(from));
	if (pkt->hdr.xid != s->xid ||
	    memcmp(pkt->hdr.chaddr, s->netdev->ll_addr, ETH_ALEN) ||
	    (meta->netdev && meta->netdev != s->netdev) || s->done) {
		dhcp_stats.rx_ignored++;
		goto out;
	}
	dhcp_stats.rx_ok++;
	s->raw = iob->data;
	s->raw_len = iob_len(iob);
	s->state->rx(s, pkt, &from);
out:
	free(pkt);
	free_iob(iob);
	return rc;
}

static void dhcp_xfer_close(struct xfer *x, int rc)
{
	struct dhcp_session *s = container_of(x, struct dhcp_session, xfer);

	if (!s->done)
		dhcp_finish(s, rc ? rc : -ECONNABORTED);
}

static const struct xfer_ops dhcp_xfer_ops = {
	.deliver = dhcp_deliver,
	.close = dhcp_xfer_close,
};

static void dhcp_free(struct refcnt *r)
{
	struct dhcp_session *s = container_of(r, struct dhcp_session, refcnt);

	free(s->offer);
	free(s->proxy);
	free(s->proxy_raw);
	netdev_put(s->netdev);
	free(s);
}

/* Wait for link-up, bounded; a key press of Ctrl-C gives up. */
static int dhcp_wait_link(struct net_device *netdev)
{
	uint32_t deadline = currtime_ms() + DHCP_LINK_WAIT_MS;

	while (!netdev_link_ok(netdev)) {
		if (time_after_ms(currtime_ms(), deadline))
			return -ENETDOWN;
		if (interrupted()) {
			return -ECANCELED;
		}
		step();
	}
	return 0;
}

int dhcp(struct net_device *netdev)
{
	struct dhcp_session *s;
	struct sockaddr_in local, peer;
	int rc;

	rc = netdev_open(netdev);
	if (rc)
		return rc;
	rc = dhcp_wait_link(netdev);
	if (rc) {
		if (rc_is(rc, ENETDOWN_K))
			printf("%s: link is down\n", netdev->name);
		return rc;
	}
	s = zalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	ref_init(&s->refcnt, dhcp_free);
	xfer_init(&s->xfer, &dhcp_xfer_ops, &s->refcnt);
	timer_init(&s->timer, dhcp_timer_expired, &s->refcnt);
	s->netdev = netdev;
	ref_get(&netdev->refcnt);
	s->xid = (uint32_t)random() ^ (uint32_t)currtime_ms() << 16;
	s->start_ms = currtime_ms();

	memset(&local, 0, sizeof(local));
	local.sin_family = AF_INET;
	local.sin_port = htons(BOOTPC_PORT);
	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	peer.sin_addr.s_addr = INADDR_BROADCAST;
	peer.sin_port = htons(BOOTPS_PORT);
	rc = udp_open(&s->xfer, (struct sockaddr *)&peer,
		      (struct sockaddr *)&local);
	if (rc) {
		ref_put(&s->refcnt);
		return rc;
	}
	printf("%s: DHCP (%s)...\n", netdev->name, eth_ntoa(netdev->ll_addr));
	dhcp_set_state(s, &dhcp_discover);
	while (!s->done) {
		if (interrupted()) {
			dhcp_finish(s, -ECANCELED);
			break;
		}
		step();
	}
	rc = s->rc;
	if (!rc)
		netdev->dhcp_done = ++dhcp_count;
	if (rc_is(rc, ETIMEDOUT_K))
		printf("%s: no DHCP %s after %u attempts (%u s)\n",
		       netdev->name,
		       s->state == &dhcp_discover ? "offer" : "acknowledgement",
		       s->tries,
		       (unsigned int)((currtime_ms() - s->start_ms) / 1000));
	ref_put(&s->refcnt);
	return rc;
}
