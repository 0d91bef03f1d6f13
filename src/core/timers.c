/* One-shot timers, run from the main loop. */
#include <dust/timer.h>
#include <dust/process.h>
#include <dust/refcnt.h>

static LIST_HEAD(timers);

void timer_init(struct timer *t, void (*expired)(struct timer *t),
		struct refcnt *owner)
{
	INIT_LIST_HEAD(&t->list);
	t->running = 0;
	t->expired = expired;
	t->owner = owner;
}

void timer_start(struct timer *t, uint32_t ms)
{
	/* A running timer already holds its reference to the owner. */
	if (t->running)
		list_del(&t->list);
	else
		ref_get(t->owner);
	t->expires = currtime_ms() + ms;
	t->running = 1;
	list_add_tail(&t->list, &timers);
}

void timer_stop(struct timer *t)
{
	if (!t->running)
		return;
	list_del(&t->list);
	t->running = 0;
	ref_put(t->owner);
}

void timers_run(void)
{
	uint32_t now = currtime_ms();
	struct timer *t;
	int again = 1;

	/* A handler may start or stop any timer, so rescan after each. */
	while (again) {
		again = 0;
		list_for_each_entry(t, &timers, list) {
			if (!time_after_ms(now, t->expires))
				continue;
			list_del(&t->list);
			t->running = 0;
			t->expired(t);
			/* The reference the running timer held. */
			ref_put(t->owner);
			again = 1;
			break;
		}
	}
}

PERMANENT_PROCESS(timers_process) = { "timers", timers_run };
