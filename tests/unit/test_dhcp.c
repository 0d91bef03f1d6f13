/* Tests of DHCP: message parsing (malformed, truncated, overloaded) and
 * the client against a fake server on a fake network device. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>
#include <dust/dhcp.h>
#include <dust/iobuf.h>
#include <dust/ipv4.h>
#include <dust/netdevice.h>
#include <dust/process.h>
#include <dust/settings.h>
#include <dust/timer.h>
#include <dust/uri.h>
#include "fakenet.h"
#include "unit.h"

/* ---- building replies */

struct reply {
	uint8_t buf[1024];
	size_t len;
};

static void reply_start(struct reply *r, uint32_t xid, const char *yiaddr,
			const char *siaddr, int type)
{
	struct dhcphdr *h = (struct dhcphdr *)r->buf;
	struct in_addr a;

	memset(r->buf, 0, sizeof(r->buf));
	h->op = BOOTP_REPLY;
	h->htype = 1;
	h->hlen = 6;
	h->xid = xid;
	if (yiaddr) {
		inet_aton(yiaddr, &a);
		h->yiaddr = a;
	}
	if (siaddr) {
		inet_aton(siaddr, &a);
		h->siaddr = a;
	}
	memcpy(h->chaddr, fake_mac, 6);
	h->magic = htonl(DHCP_MAGIC);
	r->len = sizeof(*h);
	if (type) {
		r->buf[r->len++] = DHCP_MESSAGE_TYPE;
		r->buf[r->len++] = 1;
		r->buf[r->len++] = (uint8_t)type;
	}
}

static void reply_opt(struct reply *r, uint8_t tag, const void *data,
		      size_t len)
{
	r->buf[r->len++] = tag;
	r->buf[r->len++] = (uint8_t)len;
	memcpy(r->buf + r->len, data, len);
	r->len += len;
}

static void reply_ip(struct reply *r, uint8_t tag, const char *ip)
{
	struct in_addr a;

	inet_aton(ip, &a);
	reply_opt(r, tag, &a, 4);
}

static void reply_str(struct reply *r, uint8_t tag, const char *s)
{
	reply_opt(r, tag, s, strlen(s));
}

static void reply_end(struct reply *r)
{
	r->buf[r->len++] = DHCP_END;
}

/* ---- parsing */

UNIT_TEST(dhcp_parse_good_and_bad)
{
	struct dhcp_packet *pkt = malloc(sizeof(*pkt));
	struct reply r;
	size_t len;
	const uint8_t *v;

	reply_start(&r, 42, "192.0.2.100", "192.0.2.1", DHCPOFFER);
	reply_ip(&r, DHCP_SERVER_ID, "192.0.2.1");
	reply_str(&r, DHCP_ROOT_PATH, "iscsi:192.0.2.1::::iqn.x");
	reply_end(&r);
	check_eq(dhcp_parse(r.buf, r.len, pkt), 0);
	check_eq(dhcp_msgtype(pkt), DHCPOFFER);
	v = dhcp_option(pkt, DHCP_ROOT_PATH, &len);
	check(v && len == 24 && !memcmp(v, "iscsi:192.0.2.1::::iqn.x", 24));
	check(dhcp_has_boot_info(pkt));
	check(!dhcp_is_proxy(pkt));

	/* No end option: the options area simply ends. */
	check_eq(dhcp_parse(r.buf, r.len - 1, pkt), 0);
	check(dhcp_option(pkt, DHCP_ROOT_PATH, &len) != NULL);
	/* An option whose length runs past the message. */
	check(rc_is(dhcp_parse(r.buf, r.len - 4, pkt), EINVAL_K));
	/* A tag with no length byte. */
	{
		struct reply t;

		reply_start(&t, 1, NULL, NULL, DHCPOFFER);
		t.buf[t.len++] = DHCP_HOSTNAME;
		check(rc_is(dhcp_parse(t.buf, t.len, pkt), EINVAL_K));
	}
	/* Shorter than a BOOTP header, or a request instead of a reply. */
	check(rc_is(dhcp_parse(r.buf, 100, pkt), EINVAL_K));
	r.buf[0] = BOOTP_REQUEST;
	check(rc_is(dhcp_parse(r.buf, r.len, pkt), EINVAL_K));
	r.buf[0] = BOOTP_REPLY;
	r.buf[2] = 16;           /* hlen */
	check(rc_is(dhcp_parse(r.buf, r.len, pkt), EINVAL_K));
	free(pkt);
}

UNIT_TEST(dhcp_parse_overload_and_long_options)
{
	struct dhcp_packet *pkt = malloc(sizeof(*pkt));
	struct dhcphdr *h;
	struct reply r;
	uint8_t big[200], ov = 3;
	size_t len, i;
	const uint8_t *v;

	/* Options continue in the file and sname fields (option 52). */
	reply_start(&r, 7, "192.0.2.100", NULL, DHCPACK);
	reply_opt(&r, DHCP_OVERLOAD, &ov, 1);
	reply_end(&r);
	h = (struct dhcphdr *)r.buf;
	h->file[0] = DHCP_BOOTFILE;
	h->file[1] = 8;
	memcpy(h->file + 2, "boot.ipx", 8);
	h->file[10] = (char)DHCP_END;
	h->sname[0] = DHCP_HOSTNAME;
	h->sname[1] = 4;
	memcpy(h->sname + 2, "node", 4);
	check_eq(dhcp_parse(r.buf, r.len, pkt), 0);
	v = dhcp_option(pkt, DHCP_BOOTFILE, &len);
	check(v && len == 8 && !memcmp(v, "boot.ipx", 8));
	v = dhcp_option(pkt, DHCP_HOSTNAME, &len);
	check(v && len == 4 && !memcmp(v, "node", 4));
	check_eq(pkt->hdr.file[0], 0);     /* not mistaken for a file name */

	/* A bad overload value is malformed. */
	reply_start(&r, 7, NULL, NULL, DHCPACK);
	ov = 9;
	reply_opt(&r, DHCP_OVERLOAD, &ov, 1);
	check(rc_is(dhcp_parse(r.buf, r.len, pkt), EINVAL_K));

	/* RFC 3396: an option split in pieces is one value again. */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	reply_start(&r, 7, NULL, NULL, DHCPACK);
	reply_opt(&r, DHCP_VENDOR_ENCAP, big, 150);
	reply_str(&r, DHCP_HOSTNAME, "in-between");
	reply_opt(&r, DHCP_VENDOR_ENCAP, big + 150, 50);
	reply_end(&r);
	check_eq(dhcp_parse(r.buf, r.len, pkt), 0);
	v = dhcp_option(pkt, DHCP_VENDOR_ENCAP, &len);
	check_eq(len, 200);
	check(v && !memcmp(v, big, 200));
	v = dhcp_option(pkt, DHCP_HOSTNAME, &len);
	check(v && len == 10 && !memcmp(v, "in-between", 10));

	/* Oversized: more option data than any real message holds. */
	{
		static uint8_t huge[4096];
		size_t n = sizeof(struct dhcphdr);

		memcpy(huge, r.buf, n);
		while (n + 257 < sizeof(huge)) {
			huge[n++] = DHCP_VENDOR_ENCAP;
			huge[n++] = 255;
			memset(huge + n, 0xab, 255);
			n += 255;
		}
		check(rc_is(dhcp_parse(huge, n, pkt), E2BIG_K));
	}
	free(pkt);
}

UNIT_TEST(dhcp_parse_bootp_and_proxy)
{
	struct dhcp_packet *pkt = malloc(sizeof(*pkt));
	struct dhcphdr *h;
	struct reply r;

	/* A plain BOOTP reply: no magic cookie, boot file in the header. */
	reply_start(&r, 1, "192.0.2.100", "192.0.2.1", 0);
	h = (struct dhcphdr *)r.buf;
	h->magic = 0;
	strcpy(h->file, "pxelinux.0");
	check_eq(dhcp_parse(r.buf, r.len, pkt), 0);
	check_eq(dhcp_msgtype(pkt), 0);
	check(dhcp_has_boot_info(pkt));
	/* ProxyDHCP: PXEClient, no address. */
	reply_start(&r, 1, NULL, "192.0.2.9", DHCPOFFER);
	reply_str(&r, DHCP_VENDOR_CLASS, "PXEClient");
	reply_end(&r);
	check_eq(dhcp_parse(r.buf, r.len, pkt), 0);
	check(dhcp_is_proxy(pkt));
	check(!dhcp_has_boot_info(pkt));
	free(pkt);
}

/* ---- the client against a fake server */

#define SRV_BOOTINFO   0x01   /* offers carry a root-path */
#define SRV_PROXY      0x02   /* a ProxyDHCP server answers too */
#define SRV_NAK_FIRST  0x04   /* the first REQUEST gets a NAK */
#define SRV_BAD_XID    0x08   /* send a wrong-xid offer first */
#define SRV_SILENT     0x10   /* nobody answers */
#define SRV_GARBAGE    0x20   /* send malformed replies too */

static struct {
	struct net_device *netdev;
	int armed, mode;
	unsigned int discovers, requests, proxy_requests, naks;
	uint32_t offer_ms, request_ms;
	struct dhcp_packet *last_discover;
} srv;

static void srv_send(struct reply *r, const char *src_ip, uint16_t sport)
{
	uint8_t frame[1200];

	fakenet_inject(srv.netdev, frame,
		       build_udp(frame, eth_broadcast, server_mac, src_ip, sport,
				 "255.255.255.255", BOOTPC_PORT, r->buf, r->len));
}

static void srv_offer(uint32_t xid, int type, const char *server)
{
	struct reply r;

	reply_start(&r, xid, "192.0.2.100", "192.0.2.1", type);
	reply_ip(&r, DHCP_SERVER_ID, server);
	reply_ip(&r, DHCP_NETMASK, "255.255.255.0");
	reply_ip(&r, DHCP_ROUTERS, "192.0.2.1");
	reply_ip(&r, DHCP_DNS, "192.0.2.1");
	reply_str(&r, DHCP_DOMAIN, "lab.test");
	if (srv.mode & SRV_BOOTINFO)
		reply_str(&r, DHCP_ROOT_PATH,
			  "iscsi:192.0.2.1::::iqn.2026-11.test:disk");
	reply_end(&r);
	srv_send(&r, server, BOOTPS_PORT);
}

static void srv_step(void)
{
	struct io_buffer *iob;

	if (!srv.armed)
		return;
	while ((iob = fakenet_take(srv.netdev))) {
		struct dhcp_packet *pkt = malloc(sizeof(*pkt));
		uint16_t sport, dport;
		struct in_addr dst;
		size_t len;
		const uint8_t *p = parse_udp(iob, &len, &sport, &dport, NULL, &dst);
		uint8_t copy[1500];
		uint32_t xid;

		if (!p && iob_len(iob) >= 42 &&
		    ((uint8_t *)iob->data)[12] == 0x08 &&
		    ((uint8_t *)iob->data)[13] == 0x06) {
			/* Answer ARP for any address: the servers live here. */
			uint8_t arp[60];
			const uint8_t *q = iob->data;

			memset(arp, 0, sizeof(arp));
			memcpy(arp, fake_mac, 6);
			memcpy(arp + 6, server_mac, 6);
			memcpy(arp + 12, q + 12, 10);
			arp[21] = 2;
			memcpy(arp + 22, server_mac, 6);
			memcpy(arp + 28, q + 38, 4);
			memcpy(arp + 32, q + 22, 10);
			fakenet_inject(srv.netdev, arp, sizeof(arp));
		}
		if (!p || sport != BOOTPC_PORT || len > sizeof(copy)) {
			free(pkt);
			free_iob(iob);
			continue;
		}
		memcpy(copy, p, len);
		copy[0] = BOOTP_REPLY;      /* so the reply parser reads it */
		check_eq(dhcp_parse(copy, len, pkt), 0);
		xid = pkt->hdr.xid;
		if (srv.mode & SRV_SILENT) {
			if (dhcp_msgtype(pkt) == DHCPDISCOVER)
				srv.discovers++;
		} else if (dhcp_msgtype(pkt) == DHCPDISCOVER) {
			srv.discovers++;
			if (!srv.last_discover)
				srv.last_discover = malloc(sizeof(*pkt));
			memcpy(srv.last_discover, pkt, sizeof(*pkt));
			if (srv.mode & SRV_GARBAGE) {
				uint8_t junk[300];
				struct reply r;

				memset(junk, 0x5a, sizeof(junk));
				memcpy(r.buf, junk, sizeof(junk));
				r.len = sizeof(junk);
				srv_send(&r, "192.0.2.1", BOOTPS_PORT);
			}
			if (srv.mode & SRV_BAD_XID)
				srv_offer(xid + 1, DHCPOFFER, "192.0.2.1");
			if (srv.mode & SRV_PROXY) {
				struct reply r;

				reply_start(&r, xid, NULL, NULL, DHCPOFFER);
				reply_ip(&r, DHCP_SERVER_ID, "192.0.2.9");
				reply_str(&r, DHCP_VENDOR_CLASS, "PXEClient");
				reply_end(&r);
				srv_send(&r, "192.0.2.9", BOOTPS_PORT);
			}
			srv.offer_ms = currtime_ms();
			srv_offer(xid, DHCPOFFER, "192.0.2.1");
		} else if (dhcp_msgtype(pkt) == DHCPREQUEST && dport == PXE_PORT) {
			struct reply r;

			srv.proxy_requests++;
			check_eq(ntohl(dst.s_addr), 0xc0000209);   /* 192.0.2.9 */
			reply_start(&r, xid, NULL, "192.0.2.9", DHCPACK);
			reply_str(&r, DHCP_VENDOR_CLASS, "PXEClient");
			reply_str(&r, DHCP_BOOTFILE, "undionly.kpxe");
			reply_end(&r);
			{
				uint8_t frame[1200];

				fakenet_inject(srv.netdev, frame,
					build_udp(frame, fake_mac, server_mac,
						  "192.0.2.9", PXE_PORT,
						  "192.0.2.100", BOOTPC_PORT,
						  r.buf, r.len));
			}
		} else if (dhcp_msgtype(pkt) == DHCPREQUEST) {
			size_t l;
			const uint8_t *req = dhcp_option(pkt, DHCP_REQUESTED_IP, &l);
			const uint8_t *sid = dhcp_option(pkt, DHCP_SERVER_ID, &l);

			srv.requests++;
			srv.request_ms = currtime_ms();
			check(req && !memcmp(req, "\xc0\x00\x02\x64", 4));
			check(sid && !memcmp(sid, "\xc0\x00\x02\x01", 4));
			if ((srv.mode & SRV_NAK_FIRST) && !srv.naks) {
				struct reply r;

				srv.naks++;
				reply_start(&r, xid, NULL, NULL, DHCPNAK);
				reply_ip(&r, DHCP_SERVER_ID, "192.0.2.1");
				reply_end(&r);
				srv_send(&r, "192.0.2.1", BOOTPS_PORT);
			} else {
				srv_offer(xid, DHCPACK, "192.0.2.1");
			}
		}
		free(pkt);
		free_iob(iob);
	}
}

PERMANENT_PROCESS(fake_dhcp_server) = { "test-dhcp-server", srv_step };

static struct net_device *srv_start(int mode)
{
	free(srv.last_discover);
	memset(&srv, 0, sizeof(srv));
	srv.netdev = fakenet_create(fake_mac);
	srv.mode = mode;
	srv.armed = 1;
	return srv.netdev;
}

static void srv_stop(void)
{
	set_cwuri(NULL);          /* a lease points it at the TFTP server */
	srv.armed = 0;
	fakenet_destroy(srv.netdev);
	free(srv.last_discover);
	srv.last_discover = NULL;
}

static int has_bytes(const uint8_t *p, size_t len, const char *what,
		     size_t n)
{
	size_t i;

	for (i = 0; i + n <= len; i++)
		if (!memcmp(p + i, what, n))
			return 1;
	return 0;
}

static int has_param(const struct dhcp_packet *pkt, uint8_t tag)
{
	size_t len, i;
	const uint8_t *p = dhcp_option(pkt, DHCP_PARAM_LIST, &len);

	for (i = 0; p && i < len; i++)
		if (p[i] == tag)
			return 1;
	return 0;
}

UNIT_TEST(dhcp_client_lease)
{
	struct net_device *netdev = srv_start(SRV_BOOTINFO);
	struct settings *block = settings_for_netdev(netdev);
	char buf[128];
	struct in_addr a;
	size_t len;
	const uint8_t *v;

	check_eq(dhcp(netdev), 0);
	check_eq(srv.discovers, 1);
	check_eq(srv.requests, 1);
	/* The lease is in the device's settings... */
	check_eq(fetch_ipv4_setting(block, &ip_setting, &a), 0);
	check_str(inet_ntoa(a), "192.0.2.100");
	check(fetch_string_setting(NULL, &root_path_setting, buf,
				   sizeof(buf)) > 0);
	check_str(buf, "iscsi:192.0.2.1::::iqn.2026-11.test:disk");
	fetchf_setting(NULL, &next_server_setting, buf, sizeof(buf));
	check_str(buf, "192.0.2.1");
	fetchf_setting(NULL, &domain_setting, buf, sizeof(buf));
	check_str(buf, "lab.test");
	/* ...and the route follows it, and relative names go to the
	 * TFTP server it named. */
	check(ipv4_has_address(netdev));
	check(cwuri && cwuri->host && !strcmp(cwuri->host, "192.0.2.1"));
	check_str(cwuri ? cwuri->scheme : "", "tftp");
	/* What the client said about itself. */
	if (srv.last_discover) {
		v = dhcp_option(srv.last_discover, DHCP_VENDOR_CLASS, &len);
		check(v && len == 32 &&
		      !memcmp(v, "PXEClient:Arch:00000:UNDI:002001", 32));
		v = dhcp_option(srv.last_discover, DHCP_USER_CLASS, &len);
		check(v && len == 4 && !memcmp(v, "dust", 4));
		v = dhcp_option(srv.last_discover, DHCP_CLIENT_ARCH, &len);
		check(v && len == 2 && v[0] == 0 && v[1] == 0);
		v = dhcp_option(srv.last_discover, DHCP_CLIENT_NDI, &len);
		check(v && len == 3 && v[0] == 1 && v[1] == 2 && v[2] == 1);
		check(has_param(srv.last_discover, DHCP_ROOT_PATH));
		check(has_param(srv.last_discover, DHCP_BOOTFILE));
		check(has_param(srv.last_discover, DHCP_DOMAIN_SEARCH));
		check(has_param(srv.last_discover, DHCP_VENDOR_ENCAP));
		check(ntohs(srv.last_discover->hdr.flags) & DHCP_FLAG_BROADCAST);
	}
	/* With boot information in the first offer, no waiting. */
	check(srv.request_ms - srv.offer_ms < 500);
	/* What the PXE API will hand a chainloaded program: the discover
	 * as sent, the ACK as received, no ProxyDHCP reply. */
	check(netdev->dhcp_done != 0);
	v = netdev->dhcp_pkt[DHCP_CACHED_DISCOVER];
	len = netdev->dhcp_pkt_len[DHCP_CACHED_DISCOVER];
	check(v && len > 240 && v[0] == BOOTP_REQUEST);
	check(v && has_bytes(v, len, "\x35\x01\x01", 3));
	v = netdev->dhcp_pkt[DHCP_CACHED_ACK];
	len = netdev->dhcp_pkt_len[DHCP_CACHED_ACK];
	check(v && len > 240 && v[0] == BOOTP_REPLY);
	check(v && has_bytes(v, len, "\x35\x01\x05", 3));
	check(netdev->dhcp_pkt[DHCP_CACHED_REPLY] == NULL);
	srv_stop();
}

UNIT_TEST(dhcp_client_ignores_bad_replies)
{
	struct net_device *netdev = srv_start(SRV_BOOTINFO | SRV_BAD_XID |
					      SRV_GARBAGE);
	unsigned long ignored = dhcp_stats.rx_ignored, bad = dhcp_stats.rx_bad;

	check_eq(dhcp(netdev), 0);
	check(dhcp_stats.rx_ignored > ignored);
	check(dhcp_stats.rx_bad > bad);
	srv_stop();
}

UNIT_TEST(dhcp_client_no_server)
{
	struct net_device *netdev = srv_start(SRV_SILENT);
	uint32_t start = currtime_ms();
	int rc;

	host_capture_start();
	rc = dhcp(netdev);
	check(strstr(host_capture_stop(), "no DHCP offer") != NULL);
	check(rc_is(rc, ETIMEDOUT_K));
	/* Bounded in count and time. */
	check_eq(srv.discovers, 5);
	check(currtime_ms() - start < 60000);
	check(!ipv4_has_address(netdev));
	srv_stop();
}

UNIT_TEST(dhcp_client_nak_restarts)
{
	struct net_device *netdev = srv_start(SRV_BOOTINFO | SRV_NAK_FIRST);

	host_capture_start();
	check_eq(dhcp(netdev), 0);
	host_capture_stop();
	check_eq(srv.discovers, 2);
	check_eq(srv.requests, 2);
	check(ipv4_has_address(netdev));
	srv_stop();
}

UNIT_TEST(dhcp_client_proxy)
{
	struct net_device *netdev = srv_start(SRV_PROXY);
	char buf[64];

	check_eq(dhcp(netdev), 0);
	check_eq(srv.requests, 1);
	check_eq(srv.proxy_requests, 1);
	check(fetch_string_setting(settings_for_netdev(netdev),
				   &filename_setting, buf, sizeof(buf)) > 0);
	check_str(buf, "undionly.kpxe");
	/* The boot server's ACK is the cached reply. */
	{
		const uint8_t *v = netdev->dhcp_pkt[DHCP_CACHED_REPLY];

		check(v && has_bytes(v, netdev->dhcp_pkt_len[DHCP_CACHED_REPLY],
				     "undionly.kpxe", 13));
	}
	srv_stop();
}
