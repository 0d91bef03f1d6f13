/* Port I/O and a few CPU instructions. */
#ifndef X86_IO_H
#define X86_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ __volatile__("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ __volatile__("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}
static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

/* Memory-mapped register access (flat addressing, no paging). */
static inline uint32_t readl(const volatile void *a)
{
	return *(const volatile uint32_t *)a;
}
static inline void writel(uint32_t v, volatile void *a)
{
	*(volatile uint32_t *)a = v;
}
static inline uint16_t readw(const volatile void *a)
{
	return *(const volatile uint16_t *)a;
}
static inline void writew(uint16_t v, volatile void *a)
{
	*(volatile uint16_t *)a = v;
}
static inline uint8_t readb(const volatile void *a)
{
	return *(const volatile uint8_t *)a;
}
static inline void writeb(uint8_t v, volatile void *a)
{
	*(volatile uint8_t *)a = v;
}
#define wmb() __asm__ __volatile__("lock; addl $0,0(%%esp)" ::: "memory")
#define rmb() wmb()
#define mb()  wmb()

/* Physical address of a pointer (identity mapped). */
static inline uint32_t virt_to_phys(const volatile void *p)
{
	return (uint32_t)(uintptr_t)p;
}
static inline void *phys_to_virt(uint32_t a)
{
	return (void *)(uintptr_t)a;
}

#endif
