/* DHCP messages: parsing replies defensively and building requests. */
#include <errno.h>
#include <string.h>
#include <byteswap.h>
#include <dust/dhcp.h>

/* Smallest request we send: some servers ignore shorter BOOTP frames. */
#define DHCP_MIN_LEN 300

static struct dhcp_option_ref *find_ref(struct dhcp_packet *pkt, uint8_t tag)
{
	unsigned int i;

	for (i = 0; i < pkt->noptions; i++)
		if (pkt->opt[i].tag == tag)
			return &pkt->opt[i];
	return NULL;
}

/* Add one piece of an option.  Pieces of the same option concatenate
 * (RFC 3396): the value is moved to the end of the data area first if
 * something else was stored after it. */
static int add_piece(struct dhcp_packet *pkt, uint8_t tag, const uint8_t *data,
		     size_t len)
{
	struct dhcp_option_ref *ref = find_ref(pkt, tag);

	if (!ref) {
		if (pkt->noptions == DHCP_MAX_OPTIONS)
			return -E2BIG;
		ref = &pkt->opt[pkt->noptions++];
		ref->tag = tag;
		ref->len = 0;
		ref->offset = (uint16_t)pkt->used;
	} else if (ref->offset + ref->len != pkt->used) {
		if (pkt->used + ref->len > sizeof(pkt->data))
			return -E2BIG;
		memmove(pkt->data + pkt->used, pkt->data + ref->offset, ref->len);
		ref->offset = (uint16_t)pkt->used;
		pkt->used += ref->len;
	}
	if (pkt->used + len > sizeof(pkt->data) || ref->len + len > 0xffff)
		return -E2BIG;
	memcpy(pkt->data + pkt->used, data, len);
	pkt->used += len;
	ref->len = (uint16_t)(ref->len + len);
	return 0;
}

/* Walk one option area.  A missing end option is tolerated (the area
 * ends); an option whose length runs past the area is not. */
static int parse_area(struct dhcp_packet *pkt, const uint8_t *p, size_t len,
		      int *overload)
{
	size_t i = 0;
	int rc;

	while (i < len) {
		uint8_t tag = p[i], olen;

		if (tag == DHCP_PAD) {
			i++;
			continue;
		}
		if (tag == DHCP_END)
			return 0;
		if (i + 1 >= len)
			return -EINVAL;
		olen = p[i + 1];
		if (i + 2 + olen > len)
			return -EINVAL;
		if (tag == DHCP_OVERLOAD) {
			if (!overload || olen != 1 || p[i + 2] < 1 || p[i + 2] > 3)
				return -EINVAL;
			*overload = p[i + 2];
		}
		rc = add_piece(pkt, tag, p + i + 2, olen);
		if (rc)
			return rc;
		i += 2 + (size_t)olen;
	}
	return 0;
}

int dhcp_parse(const void *msg, size_t len, struct dhcp_packet *pkt)
{
	const uint8_t *m = msg;
	int overload = 0, rc;

	pkt->noptions = 0;
	pkt->used = 0;
	if (len < sizeof(struct dhcphdr) - 4)
		return -EINVAL;
	memset(&pkt->hdr, 0, sizeof(pkt->hdr));
	memcpy(&pkt->hdr, m, len < sizeof(pkt->hdr) ? len : sizeof(pkt->hdr));
	if (pkt->hdr.op != BOOTP_REPLY || pkt->hdr.htype != 1 ||
	    pkt->hdr.hlen != 6)
		return -EINVAL;
	if (len < sizeof(struct dhcphdr) || pkt->hdr.magic != htonl(DHCP_MAGIC)) {
		/* A plain BOOTP reply (RFC 951): no options. */
		pkt->hdr.magic = 0;
		return 0;
	}
	rc = parse_area(pkt, m + sizeof(struct dhcphdr),
			len - sizeof(struct dhcphdr), &overload);
	if (!rc && (overload & 1))
		rc = parse_area(pkt, (const uint8_t *)pkt->hdr.file,
				sizeof(pkt->hdr.file), NULL);
	if (!rc && (overload & 2))
		rc = parse_area(pkt, (const uint8_t *)pkt->hdr.sname,
				sizeof(pkt->hdr.sname), NULL);
	if (overload & 1)
		memset(pkt->hdr.file, 0, sizeof(pkt->hdr.file));
	if (overload & 2)
		memset(pkt->hdr.sname, 0, sizeof(pkt->hdr.sname));
	return rc;
}

const uint8_t *dhcp_option(const struct dhcp_packet *pkt, uint8_t tag,
			   size_t *len)
{
	unsigned int i;

	for (i = 0; i < pkt->noptions; i++) {
		if (pkt->opt[i].tag == tag) {
			*len = pkt->opt[i].len;
			return pkt->data + pkt->opt[i].offset;
		}
	}
	*len = 0;
	return NULL;
}

int dhcp_msgtype(const struct dhcp_packet *pkt)
{
	size_t len;
	const uint8_t *t = dhcp_option(pkt, DHCP_MESSAGE_TYPE, &len);

	return (t && len == 1) ? t[0] : 0;
}

static int has_text(const struct dhcp_packet *pkt, uint8_t tag)
{
	size_t len;
	const uint8_t *v = dhcp_option(pkt, tag, &len);

	return v && len && v[0];
}

int dhcp_has_boot_info(const struct dhcp_packet *pkt)
{
	return has_text(pkt, DHCP_BOOTFILE) || has_text(pkt, DHCP_ROOT_PATH) ||
	       pkt->hdr.file[0];
}

int dhcp_is_proxy(const struct dhcp_packet *pkt)
{
	size_t len;
	const uint8_t *vc = dhcp_option(pkt, DHCP_VENDOR_CLASS, &len);

	return pkt->hdr.yiaddr.s_addr == INADDR_ANY && vc && len >= 9 &&
	       !memcmp(vc, "PXEClient", 9);
}

void dhcp_build_start(struct dhcp_builder *b, void *buf, size_t max,
		      uint8_t msgtype, uint32_t xid, const uint8_t *mac)
{
	struct dhcphdr *h = buf;

	b->buf = buf;
	b->max = max;
	b->overflow = max < sizeof(*h) + 4;
	if (b->overflow)
		return;
	memset(buf, 0, max < DHCP_MIN_LEN ? max : DHCP_MIN_LEN);
	h->op = BOOTP_REQUEST;
	h->htype = 1;
	h->hlen = 6;
	h->xid = xid;
	h->flags = htons(DHCP_FLAG_BROADCAST);
	memcpy(h->chaddr, mac, 6);
	h->magic = htonl(DHCP_MAGIC);
	b->len = sizeof(*h);
	dhcp_build_option(b, DHCP_MESSAGE_TYPE, &msgtype, 1);
}

void dhcp_build_option(struct dhcp_builder *b, uint8_t tag, const void *data,
		       size_t len)
{
	if (b->overflow || len > 255 || b->len + 2 + len + 1 > b->max) {
		b->overflow = 1;
		return;
	}
	b->buf[b->len++] = tag;
	b->buf[b->len++] = (uint8_t)len;
	memcpy(b->buf + b->len, data, len);
	b->len += len;
}

int dhcp_build_end(struct dhcp_builder *b)
{
	if (b->overflow || b->len + 1 > b->max)
		return -ENOSPC;
	b->buf[b->len++] = DHCP_END;
	if (b->len < DHCP_MIN_LEN && b->max >= DHCP_MIN_LEN)
		b->len = DHCP_MIN_LEN;
	return (int)b->len;
}
