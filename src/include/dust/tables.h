/* Linker tables: arrays the linker assembles from entries spread over files.
 *
 * A table named "foo" lives in input sections ".tbl.foo.NN".  The linker
 * script sorts those sections by name, so NN = 00 holds the start marker,
 * 99 the end marker, and entries use 01..98 to order themselves (init steps
 * rely on this; most tables just use TABLE_ORDER_ANY).
 */
#ifndef DUST_TABLES_H
#define DUST_TABLES_H

#define TABLE_ORDER_ANY 50

/* order is expanded first, so a macro holding a two-digit literal works;
 * it must be exactly two digits for the name sort to order correctly. */
#define _TABLE_STR(x) #x
#define _TABLE_SEC(tbl, order) ".tbl." tbl "." _TABLE_STR(order)
#define _TABLE_ATTR(type, tbl, order) \
	__attribute__((used, section(_TABLE_SEC(tbl, order)), \
		       aligned(__alignof__(type))))

/* Declare an entry: `TABLE_ENTRY(struct command, "commands", 50) x = {...};` */
#define TABLE_ENTRY(type, tbl, order) \
	static const type _TABLE_ATTR(type, tbl, order)

/* An entry other files refer to by name (declare it extern there). */
#define TABLE_ENTRY_GLOBAL(type, tbl, order) \
	const type _TABLE_ATTR(type, tbl, order)

/* Mutable entry (rarely needed). */
#define TABLE_ENTRY_RW(type, tbl, order) \
	static type _TABLE_ATTR(type, tbl, order)

/* The asm hides the marker's identity so the compiler cannot reason that
 * two distinct objects never compare as ordered. */
#define _TABLE_MARK(type, tbl, order) ({ \
	static type __m[0] _TABLE_ATTR(type, tbl, order); \
	type *__p = __m; \
	__asm__("" : "+r"(__p)); \
	__p; })

#define table_start(type, tbl) _TABLE_MARK(type, tbl, 00)
#define table_end(type, tbl)   _TABLE_MARK(type, tbl, 99)
#define table_count(type, tbl) ((size_t)(table_end(type, tbl) - table_start(type, tbl)))

#define for_each_table_entry(p, type, tbl) \
	for (p = table_start(type, tbl); p < table_end(type, tbl); p++)

#endif
