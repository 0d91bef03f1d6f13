/* Formatted output. */
#ifndef STDIO_H
#define STDIO_H

#include <stddef.h>
#include <stdarg.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(__printf__, 3, 4)));
int vprintf(const char *fmt, va_list args);
int printf(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
int putchar(int c);
int getchar(void);
/* Allocate a formatted string; returns length or negative on failure. */
int asprintf(char **strp, const char *fmt, ...)
	__attribute__((format(__printf__, 2, 3)));

/* Generic formatter: calls out(c, ctx) for each character produced. */
int vcprintf(void (*out)(int c, void *ctx), void *ctx, const char *fmt,
	     va_list args);

#endif
