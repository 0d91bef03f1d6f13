/* Time from the CPU's time-stamp counter, calibrated against the PIT
 * (channel 2 counts at 1.193182 MHz whatever the CPU does).  Works with
 * interrupts off, which is how protected mode runs. */
#include <stdlib.h>
#include <dust/div64.h>
#include <dust/timer.h>
#include <dust/init.h>
#include <x86/io.h>

#define PIT_HZ       1193182u
#define CALIBRATE_MS 10u
#define PIT_CH2      0x42
#define PIT_CMD      0x43
#define PORT_B       0x61

static uint64_t tsc_start;
static uint32_t tsc_per_ms = 1000000;    /* replaced at calibration */
static uint32_t tsc_per_us = 1000;

static void timer_calibrate(void)
{
	uint32_t latch = PIT_HZ * CALIBRATE_MS / 1000;
	uint64_t t0, t1;
	uint8_t b;
	unsigned long spins = 0;

	b = inb(PORT_B);
	outb(PORT_B, (b & ~0x02) | 0x01);        /* gate on, speaker off */
	outb(PIT_CMD, 0xb0);                     /* ch2, lo/hi, mode 0 */
	outb(PIT_CH2, latch & 0xff);
	outb(PIT_CH2, latch >> 8);
	t0 = rdtsc();
	while (!(inb(PORT_B) & 0x20) && ++spins < 100000000ul)
		;
	t1 = rdtsc();
	outb(PORT_B, b);
	if (t1 > t0 && (t1 - t0) / CALIBRATE_MS > 1000) {
		tsc_per_ms = (uint32_t)((t1 - t0) / CALIBRATE_MS);
		tsc_per_us = tsc_per_ms / 1000;
	}
	tsc_start = t1;
	random_mix(&t0, sizeof(t0));
	random_mix(&t1, sizeof(t1));
}

uint64_t currtime_us(void)
{
	return (rdtsc() - tsc_start) / tsc_per_us;
}

/* Called on every pass of every polling loop: one hardware division
 * while the quotient fits in 32 bits (49 days), not a 64-bit one. */
uint32_t currtime_ms(void)
{
	uint64_t t = rdtsc() - tsc_start;

	if ((uint32_t)(t >> 32) < tsc_per_ms)
		return div64_32((uint32_t)(t >> 32), (uint32_t)t, tsc_per_ms,
				NULL);
	return (uint32_t)(t / tsc_per_ms);
}

void udelay(unsigned long usecs)
{
	uint64_t end = rdtsc() + (uint64_t)usecs * tsc_per_us;

	while (rdtsc() < end)
		cpu_relax();
}

void mdelay(unsigned long msecs)
{
	while (msecs--)
		udelay(1000);
}

INIT_FN(INIT_CLOCK) timer_init_fn = { "timer", timer_calibrate };
