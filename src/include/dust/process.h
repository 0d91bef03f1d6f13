/* The cooperative main loop: every registered process gets a step() call
 * each time round.  Nothing runs in interrupt context. */
#ifndef DUST_PROCESS_H
#define DUST_PROCESS_H

#include <dust/list.h>
#include <dust/tables.h>

struct process {
	struct list_head list;
	void (*step)(struct process *proc);
};

/* Processes that exist for the whole run register statically. */
struct process_desc {
	const char *name;
	void (*step)(void);
};
#define PERMANENT_PROCESS(name) \
	TABLE_ENTRY(struct process_desc, "processes", 50) name

void process_add(struct process *proc);
void process_del(struct process *proc);
/* Run every process once. */
void step(void);

#endif
