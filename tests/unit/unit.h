/* The host unit-test harness: tests register in a linker table; checks
 * record failures and carry on; the runner checks for leaks after each. */
#ifndef UNIT_H
#define UNIT_H

#include <dust/tables.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

#define UNIT_TEST(fn) \
	static void fn(void); \
	TABLE_ENTRY(struct unit_test, "unit_tests", 50) fn##_entry = { #fn, fn }; \
	static void fn(void)

void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
extern unsigned long unit_checks;

#define check(cond) do { \
	unit_checks++; \
	if (!(cond)) unit_fail(__FILE__, __LINE__, "%s", #cond); \
} while (0)

#define check_eq(a, b) do { \
	long long _a = (long long)(a), _b = (long long)(b); \
	unit_checks++; \
	if (_a != _b) \
		unit_fail(__FILE__, __LINE__, "%s == %s (%lld != %lld)", \
			  #a, #b, _a, _b); \
} while (0)

#define check_str(a, b) do { \
	const char *_a = (a), *_b = (b); \
	unit_checks++; \
	if (!_a || !_b || strcmp(_a, _b)) \
		unit_fail(__FILE__, __LINE__, "%s == %s (\"%s\" != \"%s\")", \
			  #a, #b, _a ? _a : "(null)", _b ? _b : "(null)"); \
} while (0)

#define check_mem(a, b, n) do { \
	unit_checks++; \
	if (memcmp((a), (b), (n))) \
		unit_fail(__FILE__, __LINE__, "%s and %s differ", #a, #b); \
} while (0)

/* Host services (tests/unit/hostshim.c). */
/* Capture console output into a buffer instead of printing it. */
void host_capture_start(void);
/* Stop capturing; returns the captured text (valid until the next start). */
const char *host_capture_stop(void);
/* Queue keys for the host console to return. */
void host_input(const char *keys);
/* The same, but they arrive only after `polls` polls of the console. */
void host_input_delayed(const char *keys, unsigned int polls);
/* The fake clock behind currtime_ms(). */
void host_advance_ms(unsigned long ms);
/* Deterministic pseudo-random numbers for tests. */
unsigned int host_rand(void);

#endif
