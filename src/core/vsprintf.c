/* printf-style formatting: one formatter (vcprintf) feeding either a buffer
 * or the console. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F_LEFT   0x01
#define F_ZERO   0x02
#define F_PLUS   0x04
#define F_SPACE  0x08
#define F_ALT    0x10
#define F_UPPER  0x20

struct fmt_out {
	void (*out)(int c, void *ctx);
	void *ctx;
	int count;
};

static void emit(struct fmt_out *o, int c)
{
	o->out(c, o->ctx);
	o->count++;
}

static void emit_pad(struct fmt_out *o, int c, int n)
{
	while (n-- > 0)
		emit(o, c);
}

/* Format an unsigned number with sign/prefix, width and precision. */
static void emit_number(struct fmt_out *o, unsigned long long v, int neg,
			unsigned int base, int flags, int width, int prec)
{
	const char *digits = (flags & F_UPPER) ? "0123456789ABCDEF"
					       : "0123456789abcdef";
	char buf[24];
	const char *prefix = "";
	int n = 0, plen, zeros, len;

	while (v) {
		buf[n++] = digits[v % base];
		v /= base;
	}
	if (prec < 0 && !n)
		buf[n++] = '0';
	if (neg)
		prefix = "-";
	else if (flags & F_PLUS)
		prefix = "+";
	else if (flags & F_SPACE)
		prefix = " ";
	if ((flags & F_ALT) && base == 16 && n && !(n == 1 && buf[0] == '0'))
		prefix = (flags & F_UPPER) ? "0X" : "0x";
	if ((flags & F_ALT) && base == 8 && (n == 0 || buf[n - 1] != '0'))
		buf[n++] = '0';
	plen = (int)strlen(prefix);
	zeros = prec > n ? prec - n : 0;
	len = plen + zeros + n;
	if ((flags & F_ZERO) && !(flags & F_LEFT) && prec < 0 && width > len) {
		zeros += width - len;
		len = width;
	}
	if (!(flags & F_LEFT))
		emit_pad(o, ' ', width - len);
	while (*prefix)
		emit(o, *prefix++);
	emit_pad(o, '0', zeros);
	while (n)
		emit(o, buf[--n]);
	if (flags & F_LEFT)
		emit_pad(o, ' ', width - len);
}

int vcprintf(void (*out)(int c, void *ctx), void *ctx, const char *fmt,
	     va_list args)
{
	struct fmt_out o = { out, ctx, 0 };
	va_list ap;

	va_copy(ap, args);
	for (; *fmt; fmt++) {
		int flags = 0, width = 0, prec = -1, lng = 0;
		unsigned long long v;
		const char *s;
		int len;

		if (*fmt != '%') {
			emit(&o, *fmt);
			continue;
		}
		for (;;) {
			fmt++;
			if (*fmt == '-') flags |= F_LEFT;
			else if (*fmt == '0') flags |= F_ZERO;
			else if (*fmt == '+') flags |= F_PLUS;
			else if (*fmt == ' ') flags |= F_SPACE;
			else if (*fmt == '#') flags |= F_ALT;
			else break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				if (prec < 0)
					prec = -1;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		/* Length: 1 = long, 2 = long long, 3 = size_t, -1 short, -2 char */
		for (;; fmt++) {
			if (*fmt == 'l') lng = lng == 1 ? 2 : 1;
			else if (*fmt == 'h') lng = lng == -1 ? -2 : -1;
			else if (*fmt == 'z' || *fmt == 't') lng = 3;
			else if (*fmt == 'j' || *fmt == 'q') lng = 2;
			else break;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			long long sv;

			if (lng == 2) sv = va_arg(ap, long long);
			else if (lng == 1) sv = va_arg(ap, long);
			else if (lng == 3) sv = (long long)va_arg(ap, ptrdiff_t);
			else sv = va_arg(ap, int);
			if (lng == -1) sv = (short)sv;
			if (lng == -2) sv = (signed char)sv;
			emit_number(&o, sv < 0 ? -(unsigned long long)sv
					       : (unsigned long long)sv,
				    sv < 0, 10, flags, width, prec);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (lng == 2) v = va_arg(ap, unsigned long long);
			else if (lng == 1) v = va_arg(ap, unsigned long);
			else if (lng == 3) v = va_arg(ap, size_t);
			else v = va_arg(ap, unsigned int);
			if (lng == -1) v = (unsigned short)v;
			if (lng == -2) v = (unsigned char)v;
			if (*fmt == 'X')
				flags |= F_UPPER;
			emit_number(&o, v, 0,
				    *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
				    flags & ~(F_PLUS | F_SPACE), width, prec);
			break;
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			emit_number(&o, v, 0, 16, F_ALT | (flags & F_LEFT),
				    width, prec);
			break;
		case 'c':
			if (!(flags & F_LEFT))
				emit_pad(&o, ' ', width - 1);
			emit(&o, (unsigned char)va_arg(ap, int));
			if (flags & F_LEFT)
				emit_pad(&o, ' ', width - 1);
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			len = (int)strnlen(s, prec < 0 ? (size_t)-1 : (size_t)prec);
			if (!(flags & F_LEFT))
				emit_pad(&o, ' ', width - len);
			for (int i = 0; i < len; i++)
				emit(&o, s[i]);
			if (flags & F_LEFT)
				emit_pad(&o, ' ', width - len);
			break;
		case '%':
			emit(&o, '%');
			break;
		case 0:
			fmt--;
			break;
		default:
			/* Unknown conversion: show it rather than guess. */
			emit(&o, '%');
			emit(&o, *fmt);
			break;
		}
	}
	va_end(ap);
	return o.count;
}

struct buf_ctx {
	char *buf;
	size_t size, len;
};

static void buf_out(int c, void *ctx)
{
	struct buf_ctx *b = ctx;

	if (b->len + 1 < b->size)
		b->buf[b->len] = (char)c;
	b->len++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	struct buf_ctx b = { buf, size, 0 };
	int n = vcprintf(buf_out, &b, fmt, args);

	if (size)
		buf[b.len < size ? b.len : size - 1] = 0;
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int asprintf(char **strp, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	*strp = malloc((size_t)n + 1);
	if (!*strp)
		return -1;
	va_start(ap, fmt);
	vsnprintf(*strp, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return n;
}

static void console_out(int c, void *ctx)
{
	(void)ctx;
	putchar(c);
}

int vprintf(const char *fmt, va_list args)
{
	return vcprintf(console_out, NULL, fmt, args);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
