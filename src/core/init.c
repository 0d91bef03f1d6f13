/* Running the start-up and shut-down tables. */
#include <dust/init.h>

void run_init_fns(void)
{
	const struct init_fn *fn;

	for_each_table_entry(fn, struct init_fn, "init")
		fn->init();
}

void run_shutdown_fns(int booting)
{
	const struct shutdown_fn *fn;

	/* Reverse order: undo the last thing set up first. */
	for (fn = table_end(struct shutdown_fn, "shutdown");
	     fn-- > table_start(struct shutdown_fn, "shutdown");)
		fn->shutdown(booting);
}
