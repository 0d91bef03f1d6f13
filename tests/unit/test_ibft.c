/* Tests of the iBFT builder: the table as an operating system reads it. */
#include <string.h>
#include <byteswap.h>
#include <dust/ibft.h>
#include "unit.h"

static struct in_addr ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct in_addr x;

	x.s_addr = htonl((uint32_t)a << 24 | (uint32_t)b << 16 |
			 (uint32_t)c << 8 | d);
	return x;
}

/* An IPv4 address as the table holds it: ::ffff:a.b.c.d. */
static void check_mapped(const uint8_t *field, struct in_addr a)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xff, 0xff };

	check_mem(field, prefix, 12);
	check_mem(field + 12, &a.s_addr, 4);
}

static const char *string_at(const uint8_t *table, const uint8_t *len_off)
{
	uint16_t v[2];

	memcpy(v, len_off, sizeof(v));
	if (!v[0])
		return NULL;
	check_eq(table[v[1] + v[0]], 0);
	return (const char *)table + v[1];
}

static void build(uint8_t *buf, size_t len, int from_dhcp,
		  struct ibft_nic **nic, struct ibft_target_s **tgt)
{
	static char name[] = "iqn.2026-11.test.dust:disk1";
	static char ini[] = "iqn.2010-04.org.dust:client1";
	struct ibft_target t;
	struct ibft_nic_info n;
	struct ibft_control ctl;
	uint8_t sum = 0;
	size_t i;
	int used;

	memset(&t, 0, sizeof(t));
	t.ip = ip4(192, 0, 2, 1);
	t.port = 3260;
	t.lun[1] = 1;
	t.name = name;
	t.initiator = ini;
	memset(&n, 0, sizeof(n));
	n.ip = ip4(192, 0, 2, 150);
	n.netmask = ip4(255, 255, 255, 0);
	n.gateway = ip4(192, 0, 2, 1);
	n.dns[0] = ip4(192, 0, 2, 53);
	n.dhcp_server = from_dhcp ? ip4(192, 0, 2, 1) : ip4(0, 0, 0, 0);
	n.from_dhcp = from_dhcp;
	memcpy(n.mac, "\x52\x54\x00\xd5\x00\x01", 6);
	n.pci_bdf = 0x0018;
	n.hostname = "client1";

	memset(buf, 0xa5, len);
	used = ibft_build(buf, len, &t, &n);
	check(used > 0);
	if (used <= 0)
		return;
	check_mem(buf, "iBFT", 4);
	check_eq(((struct ibft_table *)buf)->length, used);
	check_eq(used % 16, 0);
	for (i = 0; i < (size_t)used; i++)
		sum += buf[i];
	check_eq(sum, 0);

	memcpy(&ctl, buf + sizeof(struct ibft_table), sizeof(ctl));
	check_eq(ctl.hdr.id, IBFT_CONTROL_ID);
	check_str(string_at(buf, buf + ctl.initiator +
			    offsetof(struct ibft_initiator, name_len)), ini);
	*nic = (struct ibft_nic *)(buf + ctl.nic0);
	*tgt = (struct ibft_target_s *)(buf + ctl.target0);
	check_eq((*nic)->hdr.id, IBFT_NIC_ID);
	check_eq((*tgt)->hdr.id, IBFT_TARGET_ID);
	check_str(string_at(buf, (uint8_t *)*tgt +
			    offsetof(struct ibft_target_s, name_len)), name);
	check_str(string_at(buf, (uint8_t *)*nic +
			    offsetof(struct ibft_nic, hostname_len)), "client1");
}

UNIT_TEST(ibft_nic_from_dhcp)
{
	static uint8_t buf[1024];
	struct ibft_nic *nic = NULL;
	struct ibft_target_s *tgt = NULL;

	build(buf, sizeof(buf), 1, &nic, &tgt);
	if (!nic || !tgt)
		return;
	check_eq(nic->hdr.flags, IBFT_FL_VALID | IBFT_FL_BOOT | IBFT_FL_GLOBAL);
	check_mapped(nic->ip, ip4(192, 0, 2, 150));
	check_eq(nic->prefix, 24);
	/* IP_PREFIX_ORIGIN: 3 is DHCP (Linux shows it as ethernet0/origin;
	 * 4 would be a router advertisement). */
	check_eq(nic->origin, 3);
	check_mapped(nic->gateway, ip4(192, 0, 2, 1));
	check_mapped(nic->dns1, ip4(192, 0, 2, 53));
	check_mapped(nic->dhcp, ip4(192, 0, 2, 1));
	check_mem(nic->mac, "\x52\x54\x00\xd5\x00\x01", 6);
	check_eq(nic->pci_bdf, 0x0018);
	check_eq(tgt->hdr.flags, IBFT_FL_VALID | IBFT_FL_BOOT);
	check_mapped(tgt->ip, ip4(192, 0, 2, 1));
	check_eq(tgt->port, 3260);
	check_mem(tgt->lun, "\0\1\0\0\0\0\0\0", 8);
	check_eq(tgt->chap_type, IBFT_CHAP_NONE);
	check_eq(tgt->nic, 0);
}

UNIT_TEST(ibft_nic_manual)
{
	static uint8_t buf[1024];
	struct ibft_nic *nic = NULL;
	struct ibft_target_s *tgt = NULL;
	static const uint8_t zero[16];

	build(buf, sizeof(buf), 0, &nic, &tgt);
	if (!nic)
		return;
	check_eq(nic->origin, 1);          /* IP_PREFIX_ORIGIN: manual */
	check_mem(nic->dhcp, zero, 16);    /* no DHCP server */
}

UNIT_TEST(ibft_too_small)
{
	static uint8_t buf[200];
	struct ibft_target t;
	struct ibft_nic_info n;

	memset(&t, 0, sizeof(t));
	memset(&n, 0, sizeof(n));
	check(ibft_build(buf, sizeof(buf), &t, &n) < 0);
}
