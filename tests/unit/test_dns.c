/* Tests of DNS message handling and of the resolver against a fake
 * server. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>
#include <dust/dns.h>
#include <dust/iobuf.h>
#include <dust/netdevice.h>
#include <dust/process.h>
#include <dust/settings.h>
#include "fakenet.h"
#include "unit.h"

/* A response builder: header, the question, then records. */
struct msg {
	uint8_t b[1024];
	size_t n;
	uint16_t ancount;
};

static void msg_start(struct msg *m, uint16_t id, uint16_t flags,
		      const char *qname)
{
	int n;

	memset(m, 0, sizeof(*m));
	m->b[0] = (uint8_t)(id >> 8);
	m->b[1] = (uint8_t)id;
	m->b[2] = (uint8_t)(flags >> 8);
	m->b[3] = (uint8_t)flags;
	m->b[5] = 1;
	m->n = 12;
	n = dns_encode_name(qname, m->b + m->n, sizeof(m->b) - m->n);
	m->n += (size_t)n;
	m->b[m->n + 1] = 1;
	m->b[m->n + 3] = 1;
	m->n += 4;
}

static void msg_raw(struct msg *m, const void *p, size_t len)
{
	memcpy(m->b + m->n, p, len);
	m->n += len;
}

/* A record: owner given as raw encoded bytes (so tests can use
 * pointers), type, and rdata. */
static void msg_rr(struct msg *m, const uint8_t *owner, size_t olen,
		   uint16_t type, const void *rdata, size_t rdlen)
{
	uint8_t fixed[10] = { 0, 0, 0, 1, 0, 0, 0, 60, 0, 0 };

	msg_raw(m, owner, olen);
	fixed[0] = (uint8_t)(type >> 8);
	fixed[1] = (uint8_t)type;
	fixed[8] = (uint8_t)(rdlen >> 8);
	fixed[9] = (uint8_t)rdlen;
	msg_raw(m, fixed, 10);
	msg_raw(m, rdata, rdlen);
	m->ancount++;
	m->b[6] = (uint8_t)(m->ancount >> 8);
	m->b[7] = (uint8_t)m->ancount;
}

static const uint8_t to_qname[2] = { 0xc0, 12 };   /* pointer to question */

UNIT_TEST(dns_names)
{
	uint8_t buf[300];
	char out[300];
	size_t off;

	check_eq(dns_encode_name("www.example.test", buf, sizeof(buf)), 18);
	check_mem(buf, "\3www\7example\4test\0", 18);
	check_eq(dns_encode_name("trailing.dot.", buf, sizeof(buf)), 14);
	check(rc_is(dns_encode_name("a..b", buf, sizeof(buf)), EINVAL_K));
	check(dns_encode_name("x", buf, 2) < 0);
	/* 64-byte label: too long. */
	memset(out, 'a', 64);
	out[64] = 0;
	check(rc_is(dns_encode_name(out, buf, sizeof(buf)), EINVAL_K));

	/* Compression: "mail" + pointer back to "example.test". */
	memcpy(buf, "\7example\4test\0\4mail\xc0\x00", 21);
	off = 14;
	check_eq(dns_decode_name(buf, 21, &off, out, sizeof(out)), 0);
	check_str(out, "mail.example.test");
	check_eq(off, 21);
	/* A pointer to itself, and a pointer forward: both refused. */
	memcpy(buf, "\4loop\xc0\x00", 7);
	off = 0;
	check(rc_is(dns_decode_name(buf, 7, &off, out, sizeof(out)), EINVAL_K));
	memcpy(buf, "\xc0\x02\4fwd\0", 7);
	off = 0;
	check(rc_is(dns_decode_name(buf, 7, &off, out, sizeof(out)), EINVAL_K));
	/* Two pointers that point at each other. */
	memcpy(buf, "\xc0\x02\xc0\x00", 4);
	off = 2;
	check(rc_is(dns_decode_name(buf, 4, &off, out, sizeof(out)), EINVAL_K));
	/* Truncated label, reserved label type. */
	memcpy(buf, "\7exam", 5);
	off = 0;
	check(rc_is(dns_decode_name(buf, 5, &off, out, sizeof(out)), EINVAL_K));
	memcpy(buf, "\x80xx\0", 4);
	off = 0;
	check(rc_is(dns_decode_name(buf, 4, &off, out, sizeof(out)), EINVAL_K));
}

UNIT_TEST(dns_responses)
{
	struct dns_result *res = malloc(sizeof(*res));
	const uint8_t addr[4] = { 192, 0, 2, 7 };
	uint8_t cname[64];
	struct msg m;
	int n;

	/* A plain answer. */
	msg_start(&m, 0x1234, 0x8180, "boot.lab.test");
	msg_rr(&m, to_qname, 2, 1, addr, 4);
	check_eq(dns_parse_response(m.b, m.n, 0x1234, "boot.lab.test", res), 0);
	check_mem(&res->addr.s_addr, addr, 4);
	/* Wrong id: not ours.  Case differences: still the name. */
	check(rc_is(dns_parse_response(m.b, m.n, 0x1235, "boot.lab.test", res),
		    EINVAL_K));
	check_eq(dns_parse_response(m.b, m.n, 0x1234, "BOOT.lab.TEST", res), 0);
	/* Truncated anywhere: malformed, never a crash. */
	for (n = 0; n < (int)m.n; n++)
		check(dns_parse_response(m.b, (size_t)n, 0x1234,
					 "boot.lab.test", res) < 0);
	/* rdlength beyond the message. */
	m.b[m.n - 5] = 40;
	check(rc_is(dns_parse_response(m.b, m.n, 0x1234, "boot.lab.test", res),
		    EINVAL_K));

	/* A CNAME chain answered in the same message. */
	msg_start(&m, 1, 0x8180, "alias.lab.test");
	n = dns_encode_name("real.lab.test", cname, sizeof(cname));
	msg_rr(&m, to_qname, 2, 5, cname, (size_t)n);
	msg_rr(&m, cname, (size_t)n, 1, addr, 4);
	check_eq(dns_parse_response(m.b, m.n, 1, "alias.lab.test", res), 0);
	check_mem(&res->addr.s_addr, addr, 4);
	/* A CNAME without the final address: ask again for the target. */
	msg_start(&m, 2, 0x8180, "alias.lab.test");
	msg_rr(&m, to_qname, 2, 5, cname, (size_t)n);
	check_eq(dns_parse_response(m.b, m.n, 2, "alias.lab.test", res), 1);
	check_str(res->cname, "real.lab.test");
	/* A CNAME loop inside one message. */
	{
		uint8_t a_name[32], b_name[32];
		int na = dns_encode_name("a.test", a_name, sizeof(a_name));
		int nb = dns_encode_name("b.test", b_name, sizeof(b_name));

		msg_start(&m, 3, 0x8180, "a.test");
		msg_rr(&m, a_name, (size_t)na, 5, b_name, (size_t)nb);
		msg_rr(&m, b_name, (size_t)nb, 5, a_name, (size_t)na);
		check(rc_is(dns_parse_response(m.b, m.n, 3, "a.test", res),
			    ELOOP_K));
	}
	/* No such name, and a server failure. */
	msg_start(&m, 4, 0x8183, "nx.test");
	check(rc_is(dns_parse_response(m.b, m.n, 4, "nx.test", res), ENOENT_K));
	msg_start(&m, 5, 0x8182, "x.test");
	check(rc_is(dns_parse_response(m.b, m.n, 5, "x.test", res), EIO_K));
	/* An answer for another name only: no address for ours. */
	msg_start(&m, 6, 0x8180, "x.test");
	msg_rr(&m, cname, (size_t)n, 1, addr, 4);
	check(rc_is(dns_parse_response(m.b, m.n, 6, "x.test", res), ENOENT_K));
	/* A query, not a response. */
	msg_start(&m, 7, 0x0100, "x.test");
	check(rc_is(dns_parse_response(m.b, m.n, 7, "x.test", res), EINVAL_K));
	free(res);
}

UNIT_TEST(dns_search_list)
{
	char names[4][DNS_MAX_NAME + 1];
	/* RFC 3397 example style: second name compressed onto the first. */
	const uint8_t opt[] = "\3eng\7example\3com\0\3mkt\xc0\x04";

	check_eq(dns_parse_search_list(opt, sizeof(opt) - 1, names, 4), 2);
	check_str(names[0], "eng.example.com");
	check_str(names[1], "mkt.example.com");
	check_eq(dns_parse_search_list((const uint8_t *)"\3ab", 3, names, 4), 0);
}

/* ---- the resolver against a fake server */

static struct {
	struct net_device *netdev;
	int armed;
	unsigned int queries;
	int drop_first;            /* lose this many queries */
	char asked[8][64];
} dnssrv;

static void dnssrv_step(void)
{
	struct io_buffer *iob;

	if (!dnssrv.armed)
		return;
	while ((iob = fakenet_take(dnssrv.netdev))) {
		const uint8_t *q = iob->data;
		uint16_t sport, dport;
		size_t len, off = 12;
		const uint8_t *p;
		char name[256];

		if (iob_len(iob) >= 42 && q[12] == 0x08 && q[13] == 0x06) {
			uint8_t arp[60];

			memset(arp, 0, sizeof(arp));
			memcpy(arp, fake_mac, 6);
			memcpy(arp + 6, server_mac, 6);
			memcpy(arp + 12, q + 12, 10);
			arp[21] = 2;
			memcpy(arp + 22, server_mac, 6);
			memcpy(arp + 28, q + 38, 4);
			memcpy(arp + 32, q + 22, 10);
			fakenet_inject(dnssrv.netdev, arp, sizeof(arp));
			free_iob(iob);
			continue;
		}
		p = parse_udp(iob, &len, &sport, &dport, NULL, NULL);
		if (!p || dport != 53 ||
		    dns_decode_name(p, len, &off, name, sizeof(name))) {
			free_iob(iob);
			continue;
		}
		if (dnssrv.queries < 8)
			strcpy(dnssrv.asked[dnssrv.queries], name);
		dnssrv.queries++;
		if (dnssrv.drop_first) {
			dnssrv.drop_first--;
			free_iob(iob);
			continue;
		}
		{
			struct msg m;
			uint8_t frame[1200];
			uint16_t id = (uint16_t)(p[0] << 8 | p[1]);
			const uint8_t addr[4] = { 192, 0, 2, 42 };

			if (!strcmp(name, "boot.lab.test")) {
				msg_start(&m, id, 0x8180, name);
				msg_rr(&m, to_qname, 2, 1, addr, 4);
			} else {
				msg_start(&m, id, 0x8183, name);
			}
			fakenet_inject(dnssrv.netdev, frame,
				       build_udp(frame, fake_mac, server_mac,
						 "192.0.2.1", 53, "192.0.2.100",
						 sport, m.b, m.n));
		}
		free_iob(iob);
	}
}

PERMANENT_PROCESS(fake_dns_server) = { "test-dns-server", dnssrv_step };

static void dnssrv_start(void)
{
	char name[32];
	struct settings *block;
	const struct setting *s;
	struct setting tmp;

	memset(&dnssrv, 0, sizeof(dnssrv));
	dnssrv.netdev = fakenet_create(fake_mac);
	snprintf(name, sizeof(name), "%s/ip", dnssrv.netdev->name);
	parse_setting_name(name, &block, &s, &tmp);
	storef_setting(block, s, "192.0.2.100");
	strcpy(name, "dns");
	parse_setting_name(name, &block, &s, &tmp);
	storef_setting(settings_for_netdev(dnssrv.netdev), s, "192.0.2.1");
	strcpy(name, "domain");
	parse_setting_name(name, &block, &s, &tmp);
	storef_setting(settings_for_netdev(dnssrv.netdev), s, "lab.test");
	dnssrv.armed = 1;
}

static void dnssrv_stop(void)
{
	dnssrv.armed = 0;
	fakenet_destroy(dnssrv.netdev);
}

UNIT_TEST(resolver_search_and_retry)
{
	struct in_addr a;

	dnssrv_start();
	/* A short name gets the search domain; the first query is lost
	 * and retried. */
	dnssrv.drop_first = 1;
	check_eq(resolv_wait("boot", &a), 0);
	check_str(inet_ntoa(a), "192.0.2.42");
	check_str(dnssrv.asked[0], "boot.lab.test");
	check_eq(dnssrv.queries, 2);
	/* A literal needs no server. */
	dnssrv.queries = 0;
	check_eq(resolv_wait("192.0.2.5", &a), 0);
	check_str(inet_ntoa(a), "192.0.2.5");
	check_eq(dnssrv.queries, 0);
	/* Unknown names fail after asking each candidate once. */
	check(rc_is(resolv_wait("nothere", &a), ENOENT_K));
	check_eq(dnssrv.queries, 2);   /* nothere.lab.test, then nothere */
	/* A server that never answers: bounded retries, then a timeout. */
	dnssrv.queries = 0;
	dnssrv.drop_first = 100;
	check(rc_is(resolv_wait("boot.lab.test", &a), ETIMEDOUT_K));
	check(dnssrv.queries >= 2 && dnssrv.queries <= 4);
	dnssrv_stop();
	/* No DNS server known at all. */
	check(rc_is(resolv_wait("boot", &a), ENXIO_K));
}
