/* Time: a monotonic millisecond clock and busy-wait delays. */
#ifndef DUST_TIMER_H
#define DUST_TIMER_H

#include <stdint.h>

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

#endif
