/* iSCSI helpers without a session: root-path parsing, login text keys
 * (RFC 7143 sections 6.1 and 6.2), binary values and CHAP (RFC 1994). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/crypto.h>
#include <dust/iscsi.h>

/* The value of a hex or base64 digit, or -1. */
static int digit(int c, int b64)
{
	if (!b64)
		return isdigit(c) ? c - '0' :
			isxdigit(c) ? (c | 0x20) - 'a' + 10 : -1;
	return isupper(c) ? c - 'A' : islower(c) ? c - 'a' + 26 :
		isdigit(c) ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1;
}

int iscsi_parse_lun(const char *text, uint8_t lun[8])
{
	unsigned int i, n, v;

	memset(lun, 0, 8);
	for (i = 0; *text && i < 4; i++) {
		for (v = n = 0; isxdigit(*text) && n < 4; n++, text++)
			v = v << 4 | (unsigned int)digit(*text, 0);
		if (!n || (*text && *text != '-'))
			return -EINVAL;
		lun[2 * i] = (uint8_t)(v >> 8);
		lun[2 * i + 1] = (uint8_t)v;
		if (*text && !*++text)
			return -EINVAL;           /* a trailing '-' */
	}
	return *text ? -EINVAL : 0;
}

int iscsi_parse_root_path(const char *text, struct iscsi_root_path *rp)
{
	static const char *const names[] = { "server", "protocol", "port",
					     "LUN" };
	char *f[5], *p, *end;
	unsigned long v;
	unsigned int i;

	memset(rp, 0, sizeof(*rp));
	if (strncasecmp(text, "iscsi:", 6))
		return -EINVAL;
	rp->buf = p = strdup(text + 6);
	if (!p)
		return -ENOMEM;
	/* Four fields end at the first four colons; the rest is the name. */
	for (i = 0; i < 4; i++) {
		f[i] = p;
		p = strchr(p, ':');
		if (!p) {
			printf("root-path \"%s\": too few fields (%u of 5; "
			       "expected iscsi:server:protocol:port:lun:"
			       "targetname)\n", text, i + 1);
			goto bad;
		}
		*p++ = 0;
	}
	f[4] = p;
	rp->server = f[0];
	rp->target = f[4];
	if (!*rp->server) {
		printf("root-path \"%s\": the server field is empty\n", text);
		goto bad;
	}
	if (*f[1] && (strtoul(f[1], &end, 10) != IP_TCP || *end)) {
		printf("root-path: %s field \"%s\": only 6 (TCP) is "
		       "supported\n", names[1], f[1]);
		goto bad;
	}
	rp->port = ISCSI_PORT;
	if (*f[2]) {
		v = strtoul(f[2], &end, 10);
		if (*end || !isdigit(*f[2])) {
			printf("root-path: %s field \"%s\" is not a number\n",
			       names[2], f[2]);
			goto bad;
		}
		if (!v || v > 65535) {
			printf("root-path: %s field \"%s\" is out of range "
			       "(1-65535)\n", names[2], f[2]);
			goto bad;
		}
		rp->port = (uint16_t)v;
	}
	if (iscsi_parse_lun(f[3], rp->lun)) {
		printf("root-path: %s field \"%s\" is not a LUN (up to four "
		       "groups of hex digits separated by '-')\n", names[3],
		       f[3]);
		goto bad;
	}
	if (!*rp->target) {
		printf("root-path \"%s\": the target name is missing\n", text);
		goto bad;
	}
	return 0;
bad:
	free(rp->buf);
	rp->buf = NULL;
	return -EINVAL;
}

/* Key names (6.1): a letter, then letters, digits and ".-+@_". */
static int key_name_ok(const char *k)
{
	if (!isalpha(*k))
		return 0;
	for (; *k; k++)
		if (!isalnum(*k) && !strchr(".-+@_", *k))
			return 0;
	return 1;
}

int iscsi_key_next(char *buf, size_t len, size_t *pos, char **key,
		   char **value)
{
	char *p, *eq, *nul;

	/* Empty strings (padding a sender counted in) are skipped. */
	while (*pos < len && !buf[*pos])
		(*pos)++;
	if (*pos >= len)
		return 0;
	p = buf + *pos;
	nul = memchr(p, 0, len - *pos);
	if (!nul)
		return -EPROTO;
	eq = memchr(p, '=', (size_t)(nul - p));
	if (!eq || eq == p || eq - p > ISCSI_KEY_MAX ||
	    nul - eq - 1 > ISCSI_VALUE_MAX)
		return -EPROTO;
	*eq = 0;
	if (!key_name_ok(p))
		return -EPROTO;
	*key = p;
	*value = eq + 1;
	*pos = (size_t)(nul - buf) + 1;
	return 1;
}

size_t iscsi_key_vadd(char *buf, size_t len, size_t pos, const char *key,
		      const char *fmt, va_list ap)
{
	size_t klen = strlen(key);
	int n;

	if (pos + klen + 2 > len)
		return len + 1;
	memcpy(buf + pos, key, klen);
	pos += klen;
	buf[pos++] = '=';
	n = vsnprintf(buf + pos, len - pos, fmt, ap);
	if (n < 0 || (size_t)n >= len - pos)
		return len + 1;
	return pos + (size_t)n + 1;
}

size_t iscsi_key_add(char *buf, size_t len, size_t pos, const char *key,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pos = iscsi_key_vadd(buf, len, pos, key, fmt, ap);
	va_end(ap);
	return pos;
}

int iscsi_parse_number(const char *value, uint32_t *out)
{
	int hex = value[0] == '0' && (value[1] | 0x20) == 'x';
	const char *p = value + (hex ? 2 : 0);
	unsigned long long v = 0;
	int d;

	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		d = hex ? digit(*p, 0) : isdigit(*p) ? *p - '0' : -1;
		v = v * (hex ? 16 : 10) + (unsigned int)d;
		if (d < 0 || v > 0xffffffffull)
			return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

int iscsi_parse_binary(const char *value, uint8_t *out, size_t max)
{
	int b64 = value[0] == '0' && (value[1] | 0x20) == 'b', d;
	unsigned int shift = b64 ? 6 : 4, acc = 0, bits;
	const char *p = value + 2;
	size_t n = 0, len;

	if (!b64 && (value[0] != '0' || (value[1] | 0x20) != 'x'))
		return -EINVAL;
	len = strlen(p);
	/* base64 may end in up to two '=' of padding */
	for (n = 0; b64 && n < 2 && len && p[len - 1] == '='; n++)
		len--;
	if (!len)
		return -EINVAL;
	/* An odd count of hex digits has an implied leading zero. */
	bits = !b64 && (len & 1) ? 4 : 0;
	for (n = 0; len--; ) {
		d = digit(*p++, b64);
		if (d < 0)
			return -EINVAL;
		acc = (acc << shift | (unsigned int)d) & 0xffff;
		bits += shift;
		if (bits >= 8) {
			bits -= 8;
			if (n >= max)
				return -EINVAL;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* Left-over base64 bits are padding and must be zero; a single
	 * base64 digit (6 bits) cannot end a value. */
	if (b64 && (bits >= 6 || (acc & ((1u << bits) - 1))))
		return -EINVAL;
	return (int)n;
}

void iscsi_hex(char *out, const uint8_t *bin, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	*out++ = '0';
	*out++ = 'x';
	while (len--) {
		*out++ = digits[*bin >> 4];
		*out++ = digits[*bin++ & 15];
	}
	*out = 0;
}

void iscsi_chap_md5(uint8_t id, const char *secret, const uint8_t *challenge,
		    size_t len, uint8_t out[16])
{
	struct md5_ctx c;

	md5_init(&c);
	md5_update(&c, &id, 1);
	md5_update(&c, secret, strlen(secret));
	md5_update(&c, challenge, len);
	md5_final(&c, out);
}
