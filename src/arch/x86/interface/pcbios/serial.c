/* COM1 as a console: a 16550 UART at 115200 8N1, polled. */
#include <dust/console.h>
#include <dust/init.h>
#include <x86/io.h>

#define COM1      0x3f8
#define UART_RBR  0  /* receive buffer */
#define UART_THR  0  /* transmit holding */
#define UART_DLL  0  /* divisor latch, low (DLAB=1) */
#define UART_DLM  1  /* divisor latch, high (DLAB=1) */
#define UART_IER  1
#define UART_FCR  2
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5
#define  LSR_DR   0x01
#define  LSR_THRE 0x20
#define UART_SCR  7

#define BAUD_DIVISOR 1   /* 115200 */
/* Bound on waiting for the transmitter (a missing UART must not hang). */
#define TX_SPINS 100000

static void serial_putchar(int c);
static int serial_iskey(void);
static int serial_getkey(void);

CONSOLE_DRIVER(serial_console) = {
	.name = "serial",
	.enabled = 0,
	.putchar = serial_putchar,
	.iskey = serial_iskey,
	.getkey = serial_getkey,
};

static void serial_tx(uint8_t c)
{
	unsigned int i;

	for (i = 0; i < TX_SPINS; i++)
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			break;
	outb(COM1 + UART_THR, c);
}

static void serial_putchar(int c)
{
	if (c == '\n')
		serial_tx('\r');
	serial_tx((uint8_t)c);
}

static int serial_iskey(void)
{
	return inb(COM1 + UART_LSR) & LSR_DR;
}

static int serial_getkey(void)
{
	return inb(COM1 + UART_RBR);
}

/* Does the BIOS already copy its text console to the serial port?  A
 * system BIOS that has hooked INT 10h over a video BIOS does that (SeaBIOS
 * under QEMU -nographic, server firmware with console redirection); dust
 * writing to COM1 as well would print everything twice. */
static int bios_mirrors_console(void)
{
	uint32_t int10 = *(volatile uint32_t *)(0x10 * 4);
	int video_bios = *(volatile uint16_t *)0xc0000 == 0xaa55;

	return video_bios && (int10 >> 16) >= 0xe000;
}

static void serial_init(void)
{
	/* A UART has a scratch register that keeps what is written to it. */
	outb(COM1 + UART_SCR, 0x5a);
	if (inb(COM1 + UART_SCR) != 0x5a)
		return;
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80);
	outb(COM1 + UART_DLL, BAUD_DIVISOR & 0xff);
	outb(COM1 + UART_DLM, BAUD_DIVISOR >> 8);
	outb(COM1 + UART_LCR, 0x03);    /* 8N1 */
	outb(COM1 + UART_FCR, 0x07);    /* FIFOs on and cleared */
	outb(COM1 + UART_MCR, 0x03);    /* DTR, RTS */
	serial_console.enabled = 1;
	if (bios_mirrors_console())
		serial_console.putchar = NULL;  /* keep input, drop output */
}

INIT_FN(INIT_EARLY) serial_init_fn = { "serial", serial_init };
