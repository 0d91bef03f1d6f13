/* Forced include (-include) for fuzz harnesses that link dust's own string
 * and formatting code (src/core/string.c, src/core/vsprintf.c) instead of
 * the C library's: every name those files define gets a dust_ prefix, in
 * the definitions and at every call in dust's code alike.  The fuzzer then
 * runs the parsers the firmware runs (strtoull wraps on overflow where the
 * C library's saturates; glibc before 2.38 has no strlcpy), while
 * libFuzzer and the sanitizer runtimes keep the C library's functions.
 * malloc(), realloc() and free() become dust_host.c's counting wrappers
 * around the C library's (so ASan still sees every block). */
#ifndef FUZZ_DUST_LIBC_H
#define FUZZ_DUST_LIBC_H

#define memcpy      dust_memcpy
#define memmove     dust_memmove
#define memset      dust_memset
#define memcmp      dust_memcmp
#define memchr      dust_memchr
#define strlen      dust_strlen
#define strnlen     dust_strnlen
#define strcmp      dust_strcmp
#define strncmp     dust_strncmp
#define strcasecmp  dust_strcasecmp
#define strncasecmp dust_strncasecmp
#define strchr      dust_strchr
#define strrchr     dust_strrchr
#define strstr      dust_strstr
#define strcpy      dust_strcpy
#define strncpy     dust_strncpy
#define strcat      dust_strcat
#define strlcpy     dust_strlcpy
#define byte_sum    dust_byte_sum
#define strdup      dust_strdup
#define strndup     dust_strndup
#define strsep      dust_strsep
#define strspn      dust_strspn
#define strcspn     dust_strcspn
#define strtoull    dust_strtoull
#define strtoul     dust_strtoul
#define strtol      dust_strtol
#define abs         dust_abs

#define malloc      fuzz_malloc
#define realloc     fuzz_realloc
#define free        fuzz_free

#define vsnprintf   dust_vsnprintf
#define snprintf    dust_snprintf
#define asprintf    dust_asprintf
#define vcprintf    dust_vcprintf
#define vprintf     dust_vprintf
#define printf      dust_printf
#define putchar     dust_putchar

#endif
