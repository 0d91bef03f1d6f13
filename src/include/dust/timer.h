/* Time: a monotonic millisecond clock and busy-wait delays. */
#ifndef DUST_TIMER_H
#define DUST_TIMER_H

#include <stdint.h>
#include <dust/list.h>

/* Milliseconds since the clock started; wraps after 49 days. */
uint32_t currtime_ms(void);
/* Microseconds since the clock started (64-bit). */
uint64_t currtime_us(void);
void udelay(unsigned long usecs);
void mdelay(unsigned long msecs);

/* Has `deadline` (a currtime_ms value) passed?  Safe across wraparound. */
static inline int time_after_ms(uint32_t now, uint32_t deadline)
{
	return (int32_t)(now - deadline) >= 0;
}

/* One-shot timers run from the main loop (never from interrupts). */
struct refcnt;
struct timer {
	struct list_head list;
	uint32_t expires;                /* currtime_ms() at expiry */
	int running;
	void (*expired)(struct timer *t);
	struct refcnt *owner;            /* kept alive while expired() runs */
};

void timer_init(struct timer *t, void (*expired)(struct timer *t),
		struct refcnt *owner);
/* (Re)start: expired() runs once, `ms` milliseconds from now. */
void timer_start(struct timer *t, uint32_t ms);
void timer_stop(struct timer *t);
static inline int timer_running(const struct timer *t)
{
	return t->running;
}
/* Run the timers that are due (the main loop does this every step). */
void timers_run(void);

#endif
