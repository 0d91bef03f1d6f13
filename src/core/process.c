/* The cooperative main loop. */
#include <dust/process.h>

static LIST_HEAD(processes);

void process_add(struct process *proc)
{
	list_add_tail(&proc->list, &processes);
}

void process_del(struct process *proc)
{
	list_del(&proc->list);
}

void step(void)
{
	const struct process_desc *desc;
	struct process *proc, *tmp;

	for_each_table_entry(desc, struct process_desc, "processes")
		desc->step();
	/* A step may remove its own process (or add new ones at the tail). */
	list_for_each_entry_safe(proc, tmp, &processes, list)
		proc->step(proc);
}
