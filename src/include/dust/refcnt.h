/* Reference counts for objects shared between layers (connections,
 * devices, downloads). */
#ifndef DUST_REFCNT_H
#define DUST_REFCNT_H

#include <stddef.h>

struct refcnt {
	int count;                       /* references beyond the first */
	void (*free)(struct refcnt *r);  /* called when the last one goes */
};

static inline void ref_init(struct refcnt *r, void (*fn)(struct refcnt *r))
{
	r->count = 0;
	r->free = fn;
}

static inline struct refcnt *ref_get(struct refcnt *r)
{
	if (r)
		r->count++;
	return r;
}

void ref_put(struct refcnt *r);

#endif
