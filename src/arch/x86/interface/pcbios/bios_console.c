/* The BIOS text console: output with INT 10h teletype, input with INT 16h. */
#include <dust/console.h>
#include <dust/init.h>
#include <bios/realmode.h>

/* Scan codes of the keys we translate (INT 16h AH=00h, AH = scan code). */
static const struct {
	uint8_t scan;
	uint16_t key;
} bios_keys[] = {
	{ 0x48, KEY_UP }, { 0x50, KEY_DOWN }, { 0x4b, KEY_LEFT },
	{ 0x4d, KEY_RIGHT }, { 0x47, KEY_HOME }, { 0x4f, KEY_END },
	{ 0x53, KEY_DELETE },
};

static void bios_putchar(int c)
{
	struct bregs r = { .eflags = FLAG_IF };

	if (c == '\n')
		bios_putchar('\r');
	r.ah = 0x0e;
	r.al = (uint8_t)c;
	r.bx = 0x0007;
	real_int(0x10, &r);
}

static int bios_iskey(void)
{
	struct bregs r = { .eflags = FLAG_IF };

	r.ah = 0x01;
	real_int(0x16, &r);
	return !(r.eflags & FLAG_ZF);
}

static int bios_getkey(void)
{
	struct bregs r = { .eflags = FLAG_IF };
	unsigned int i;

	r.ah = 0x00;
	real_int(0x16, &r);
	if (r.al == 0 || r.al == 0xe0) {
		for (i = 0; i < ARRAY_SIZE(bios_keys); i++)
			if (bios_keys[i].scan == r.ah)
				return bios_keys[i].key;
		return 0;
	}
	return r.al;
}

CONSOLE_DRIVER(bios_console) = {
	.name = "bios",
	.enabled = 1,
	.putchar = bios_putchar,
	.iskey = bios_iskey,
	.getkey = bios_getkey,
};
