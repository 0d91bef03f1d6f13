/* A QEMU TCG plugin for profiling dust under emulation: counts the guest
 * instructions executed in each translation block, by the block's start
 * address, and writes "address count" lines to $HOT_OUT at exit.
 *
 * QEMU installs no plugin header; the few declarations needed are written
 * here from QEMU's documented plugin API, version 1 (QEMU 7.x). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
typedef struct {
	const char *target_name;
	struct { int min, cur; } version;
	bool system_emulation;
	union {
		int smp_vcpus;
		struct { int smp_vcpus, max_vcpus; } system;
	};
} qemu_info_t;
typedef void (*tb_trans_cb)(qemu_plugin_id_t, struct qemu_plugin_tb *);
typedef void (*udata_cb)(qemu_plugin_id_t, void *);
enum { INLINE_ADD_U64 = 0 };

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, tb_trans_cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *, int,
					      void *, uint64_t);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, udata_cb, void *);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

struct block {
	uint64_t pc, insns;
	struct block *next;
};

#define BUCKETS 65536
static struct block *table[BUCKETS];

/* One counter per start address: a block translated again (the code
 * cache was flushed) keeps adding to the same one. */
static struct block *lookup(uint64_t pc)
{
	unsigned int h = (unsigned int)((pc * 0x9e3779b97f4a7c15ull) >> 48);
	struct block *b;

	for (b = table[h]; b; b = b->next)
		if (b->pc == pc)
			return b;
	b = calloc(1, sizeof(*b));
	if (!b)
		abort();
	b->pc = pc;
	b->next = table[h];
	table[h] = b;
	return b;
}

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	struct block *b = lookup(qemu_plugin_tb_vaddr(tb));

	(void)id;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, INLINE_ADD_U64, &b->insns,
						 qemu_plugin_tb_n_insns(tb));
}

static void finished(qemu_plugin_id_t id, void *unused)
{
	const char *path = getenv("HOT_OUT");
	FILE *f = fopen(path ? path : "hot.txt", "w");
	unsigned int i;
	struct block *b;

	(void)id;
	(void)unused;
	if (!f)
		return;
	for (i = 0; i < BUCKETS; i++)
		for (b = table[i]; b; b = b->next)
			if (b->insns)
				fprintf(f, "%llx %llu\n",
					(unsigned long long)b->pc,
					(unsigned long long)b->insns);
	fclose(f);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
			int argc, char **argv)
{
	(void)info;
	(void)argc;
	(void)argv;
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	qemu_plugin_register_atexit_cb(id, finished, NULL);
	return 0;
}
