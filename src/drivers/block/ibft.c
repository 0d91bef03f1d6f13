/* Building the iBFT (IBM "iSCSI Boot Firmware Table", version 1.03): a
 * header, the control structure, one initiator, one NIC and one target
 * structure, then the strings they point to.  Addresses are IPv6-shaped
 * (IPv4 mapped as ::ffff:a.b.c.d); every offset counts from the start of
 * the table, so it can be copied anywhere. */
#include <errno.h>
#include <string.h>
#include <byteswap.h>
#include <dust/ibft.h>
#include <dust/netdevice.h>
#include <dust/settings.h>

struct builder {
	uint8_t *buf;
	size_t len, used;
	int overflow;
};

/* Reserve n bytes aligned to 8 (structures) and return their offset. */
static size_t reserve(struct builder *b, size_t n)
{
	size_t off = ALIGN_UP(b->used, 8);

	if (off + n > b->len) {
		b->overflow = 1;
		return 0;
	}
	memset(b->buf + off, 0, n);
	b->used = off + n;
	return off;
}

/* The address of a field of a packed structure, as bytes. */
#define FIELD(p, f) ((uint8_t *)(p) + offsetof(__typeof__(*(p)), f))

/* Add a NUL-terminated string and record its length and offset in the
 * two 16-bit fields at len_field (length first, then offset). */
static void add_string(struct builder *b, const char *s, uint8_t *len_field)
{
	uint16_t v[2] = { 0, 0 };
	size_t n;

	if (s && *s) {
		n = strlen(s);
		if (b->used + n + 1 > b->len || n > 0xffff) {
			b->overflow = 1;
			return;
		}
		memcpy(b->buf + b->used, s, n + 1);
		v[0] = (uint16_t)n;
		v[1] = (uint16_t)b->used;
		b->used += n + 1;
	}
	memcpy(len_field, v, sizeof(v));
}

static void put_ipv4(uint8_t *dst, struct in_addr a)
{
	memset(dst, 0, 16);
	if (a.s_addr == INADDR_ANY)
		return;
	dst[10] = dst[11] = 0xff;
	memcpy(dst + 12, &a.s_addr, 4);
}

static void hdr(struct ibft_hdr *h, uint8_t id, uint16_t len, uint8_t flags)
{
	h->id = id;
	h->version = 1;
	h->length = len;
	h->index = 0;
	h->flags = flags;
}

static unsigned int prefix_len(struct in_addr mask)
{
	uint32_t m = ntohl(mask.s_addr);
	unsigned int n = 0;

	while (n < 32 && (m & (0x80000000u >> n)))
		n++;
	return n;
}

int ibft_build(void *buf, size_t len, const struct ibft_target *t,
	       const struct ibft_nic_info *nic)
{
	struct builder b = { buf, len, 0, 0 };
	size_t o_ctl, o_ini, o_nic, o_tgt;
	struct ibft_table *tbl;
	struct ibft_control *ctl;
	struct ibft_initiator *ini;
	struct ibft_nic *n;
	struct ibft_target_s *tg;

	if (len < sizeof(*tbl))
		return -ENOSPC;
	memset(buf, 0, sizeof(*tbl));
	b.used = sizeof(*tbl);
	o_ctl = reserve(&b, sizeof(*ctl));
	o_ini = reserve(&b, sizeof(*ini));
	o_nic = reserve(&b, sizeof(*n));
	o_tgt = reserve(&b, sizeof(*tg));
	if (b.overflow)
		return -ENOSPC;
	tbl = buf;
	ctl = (void *)(b.buf + o_ctl);
	ini = (void *)(b.buf + o_ini);
	n = (void *)(b.buf + o_nic);
	tg = (void *)(b.buf + o_tgt);

	hdr(&ctl->hdr, IBFT_CONTROL_ID, sizeof(*ctl), 0);
	ctl->initiator = (uint16_t)o_ini;
	ctl->nic0 = (uint16_t)o_nic;
	ctl->target0 = (uint16_t)o_tgt;

	hdr(&ini->hdr, IBFT_INITIATOR_ID, sizeof(*ini),
	    IBFT_FL_VALID | IBFT_FL_BOOT);
	add_string(&b, t->initiator, FIELD(ini, name_len));

	hdr(&n->hdr, IBFT_NIC_ID, sizeof(*n),
	    IBFT_FL_VALID | IBFT_FL_BOOT | IBFT_FL_GLOBAL);
	put_ipv4(n->ip, nic->ip);
	n->prefix = (uint8_t)prefix_len(nic->netmask);
	n->origin = nic->from_dhcp ? IBFT_ORIGIN_DHCP : IBFT_ORIGIN_MANUAL;
	put_ipv4(n->gateway, nic->gateway);
	put_ipv4(n->dns1, nic->dns[0]);
	put_ipv4(n->dns2, nic->dns[1]);
	put_ipv4(n->dhcp, nic->dhcp_server);
	memcpy(n->mac, nic->mac, 6);
	n->pci_bdf = nic->pci_bdf;
	add_string(&b, nic->hostname, FIELD(n, hostname_len));

	hdr(&tg->hdr, IBFT_TARGET_ID, sizeof(*tg), IBFT_FL_VALID | IBFT_FL_BOOT);
	put_ipv4(tg->ip, t->ip);
	tg->port = t->port;
	memcpy(tg->lun, t->lun, 8);
	tg->nic = 0;
	add_string(&b, t->name, FIELD(tg, name_len));
	if (t->chap_name) {
		tg->chap_type = t->reverse_chap_name ? IBFT_CHAP_MUTUAL
						     : IBFT_CHAP_ONE_WAY;
		add_string(&b, t->chap_name, FIELD(tg, chap_name_len));
		add_string(&b, t->chap_secret, FIELD(tg, chap_secret_len));
		add_string(&b, t->reverse_chap_name, FIELD(tg, rchap_name_len));
		add_string(&b, t->reverse_chap_secret,
			   FIELD(tg, rchap_secret_len));
	}
	if (b.overflow)
		return -ENOSPC;

	b.used = ALIGN_UP(b.used, 16);
	if (b.used > len)
		return -ENOSPC;
	memcpy(tbl->signature, "iBFT", 4);
	tbl->length = (uint32_t)b.used;
	tbl->revision = 1;
	memcpy(tbl->oem_id, "DUST  ", 6);
	memcpy(tbl->oem_table_id, "DUST    ", 8);
	tbl->checksum = 0;
	tbl->checksum = (uint8_t)-byte_sum(b.buf, b.used);
	return (int)b.used;
}

void ibft_nic_from_netdev(struct net_device *netdev, struct ibft_nic_info *nic)
{
	struct settings *block = settings_for_netdev(netdev);
	static char hostname[64];
	struct in_addr dns[2];
	int n;

	memset(nic, 0, sizeof(*nic));
	fetch_ipv4_setting(block, &ip_setting, &nic->ip);
	fetch_ipv4_setting(block, &netmask_setting, &nic->netmask);
	fetch_ipv4_setting(block, &gateway_setting, &nic->gateway);
	n = fetch_ipv4_array_setting(block, &dns_setting, dns, 2);
	if (n > 0)
		nic->dns[0] = dns[0];
	if (n > 1)
		nic->dns[1] = dns[1];
	nic->from_dhcp =
		fetch_ipv4_setting(block, &dhcp_server_setting,
				   &nic->dhcp_server) == 0;
	memcpy(nic->mac, netdev->ll_addr, 6);
	nic->pci_bdf = netdev->dev.location;
	if (fetch_string_setting(NULL, &hostname_setting, hostname,
				 sizeof(hostname)) > 0)
		nic->hostname = hostname;
}
