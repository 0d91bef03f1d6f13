/* Compiler helpers included into every dust translation unit (-include). */
#ifndef COMPILER_H
#define COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define __packed        __attribute__((packed))
#define __aligned(n)    __attribute__((aligned(n)))
#define __unused        __attribute__((unused))
#define __used          __attribute__((used))
#define __noreturn      __attribute__((noreturn))
#define __printf(f, a)  __attribute__((format(__printf__, f, a)))
#define __weak          __attribute__((weak))
#define __section(s)    __attribute__((section(s)))

#define likely(x)       __builtin_expect(!!(x), 1)
#define unlikely(x)     __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define MIN(a, b)       ((a) < (b) ? (a) : (b))
#define MAX(a, b)       ((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a)  (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))

/* Compile-time assertion usable at file scope. */
#define BUILD_ASSERT(cond) _Static_assert(cond, #cond)

/* The firmware passes up to three arguments in registers (-mregparm=3);
 * code that crosses to or from assembly with arguments on the stack says
 * so.  No-op on the host, whose tests never cross. */
#ifdef DUST_HOST
#define __asmcall
#else
#define __asmcall       __attribute__((regparm(0)))
#endif

#define barrier() __asm__ __volatile__("" ::: "memory")

/* Every source file gets a numeric identity from the Makefile so that an
 * error code can tell where it was raised. */
#ifndef ERRFILE
#define ERRFILE 0
#endif

#endif
