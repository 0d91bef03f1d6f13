/* Tests of one-shot timers and the main loop. */
#include <dust/timer.h>
#include <dust/process.h>
#include <dust/refcnt.h>
#include "unit.h"

static int fired;
static struct timer t1, t2;

static void on_t1(struct timer *t)
{
	fired |= 1;
	/* Restarting from the handler works. */
	if (!(fired & 4)) {
		fired |= 4;
		timer_start(t, 10);
	}
}

static void on_t2(struct timer *t)
{
	(void)t;
	fired |= 2;
	timer_stop(&t1);
}

static int freed;
static void on_free(struct refcnt *r)
{
	(void)r;
	freed++;
}

UNIT_TEST(timers_fire_and_restart)
{
	struct refcnt owner;

	ref_init(&owner, on_free);
	fired = 0;
	freed = 0;
	timer_init(&t1, on_t1, &owner);
	timer_init(&t2, on_t2, NULL);
	timer_start(&t1, 100);
	timer_start(&t1, 100);       /* restarting a running timer */
	check(timer_running(&t1));
	check_eq(owner.count, 1);
	timers_run();
	check_eq(fired, 0);
	host_advance_ms(150);
	timers_run();
	check_eq(fired, 1 | 4);
	check(timer_running(&t1));
	timer_start(&t2, 5);
	host_advance_ms(20);
	timers_run();
	/* t1 (due) and t2 (due, stops t1) both ran or t1 was stopped. */
	check(fired & 2);
	check(!timer_running(&t1));
	check(!timer_running(&t2));
	/* Timers held their owner while running and let go after. */
	check_eq(owner.count, 0);
	check_eq(freed, 0);
	ref_put(&owner);
	check_eq(freed, 1);
}
