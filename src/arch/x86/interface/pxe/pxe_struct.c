/* Checks on a PXE stack's installation structures and on the base memory
 * it occupies.  No real-mode access here: the host unit tests run this. */
#include <string.h>
#include <bios/pxe_client.h>

/* PXE 2.1 "PXENV+ Structure": signature, length, checksum over length. */
const char *pxenv_check(const void *p, size_t room)
{
	const struct pxenv_struct *s = p;

	if (room < PXENV_LEN_20)
		return "out of reach";
	if (memcmp(s->signature, "PXENV+", 6))
		return "bad signature";
	if (s->length < PXENV_LEN_20 || s->length > room)
		return "bad length";
	if (byte_sum(p, s->length))
		return "bad checksum";
	if (!s->rm_entry)
		return "no entry point";
	return NULL;
}

/* PXE 2.1 "!PXE Structure": signature, length, checksum over length. */
const char *ppxe_check(const void *p, size_t room)
{
	const struct ppxe_struct *s = p;

	if (room < PPXE_LEN)
		return "out of reach";
	if (memcmp(s->signature, "!PXE", 4))
		return "bad signature";
	if (s->struct_length < PPXE_LEN || s->struct_length > room)
		return "bad length";
	if (byte_sum(p, s->struct_length))
		return "bad checksum";
	if (!s->entry_sp)
		return "no entry point";
	return NULL;
}

static const struct {
	uint8_t code;
	const char *name;
} status_names[] = {
	{ PXENV_STATUS_SUCCESS, "SUCCESS" },
	{ PXENV_STATUS_FAILURE, "FAILURE" },
	{ PXENV_STATUS_BAD_FUNC, "BAD_FUNC" },
	{ PXENV_STATUS_UNSUPPORTED, "UNSUPPORTED" },
	{ PXENV_STATUS_KEEP_UNDI, "KEEP_UNDI" },
	{ PXENV_STATUS_KEEP_ALL, "KEEP_ALL" },
	{ PXENV_STATUS_OUT_OF_RESOURCES, "OUT_OF_RESOURCES" },
	{ PXENV_STATUS_UNDI_INVALID_FUNCTION, "UNDI_INVALID_FUNCTION" },
	{ PXENV_STATUS_UNDI_MEDIATEST_FAILED, "UNDI_MEDIATEST_FAILED" },
	{ PXENV_STATUS_UNDI_CANNOT_INITIALIZE_NIC, "UNDI_CANNOT_INITIALIZE_NIC" },
	{ PXENV_STATUS_UNDI_CANNOT_INITIALIZE_PHY, "UNDI_CANNOT_INITIALIZE_PHY" },
	{ PXENV_STATUS_UNDI_INVALID_STATE, "UNDI_INVALID_STATE" },
	{ PXENV_STATUS_UNDI_TRANSMIT_ERROR, "UNDI_TRANSMIT_ERROR" },
	{ PXENV_STATUS_UNDI_INVALID_PARAMETER, "UNDI_INVALID_PARAMETER" },
};

const char *pxe_status_name(unsigned int status)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(status_names); i++)
		if (status_names[i].code == status)
			return status_names[i].name;
	return "?";
}

static const struct {
	uint8_t opcode;
	const char *name;
} opcode_names[] = {
	{ PXENV_UNDI_STARTUP, "UNDI_STARTUP" },
	{ PXENV_UNDI_CLEANUP, "UNDI_CLEANUP" },
	{ PXENV_UNDI_INITIALIZE, "UNDI_INITIALIZE" },
	{ PXENV_UNDI_SHUTDOWN, "UNDI_SHUTDOWN" },
	{ PXENV_UNDI_OPEN, "UNDI_OPEN" },
	{ PXENV_UNDI_CLOSE, "UNDI_CLOSE" },
	{ PXENV_UNDI_TRANSMIT, "UNDI_TRANSMIT" },
	{ PXENV_UNDI_GET_INFORMATION, "UNDI_GET_INFORMATION" },
	{ PXENV_UNDI_GET_NIC_TYPE, "UNDI_GET_NIC_TYPE" },
	{ PXENV_UNDI_GET_IFACE_INFO, "UNDI_GET_IFACE_INFO" },
	{ PXENV_UNDI_ISR, "UNDI_ISR" },
	{ PXENV_STOP_UNDI, "STOP_UNDI" },
	{ PXENV_UNLOAD_STACK, "UNLOAD_STACK" },
	{ PXENV_STOP_BASE, "STOP_BASE" },
};

const char *pxe_opcode_name(unsigned int opcode)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(opcode_names); i++)
		if (opcode_names[i].opcode == opcode)
			return opcode_names[i].name;
	return "?";
}

static void add_region(struct pxe_region *out, unsigned int *n,
		       unsigned int max, uint16_t seg, uint32_t size)
{
	if (!seg || !size || *n >= max)
		return;
	out[*n].start = (uint32_t)seg << 4;
	out[*n].end = out[*n].start + size;
	(*n)++;
}

unsigned int pxe_stack_regions(const struct pxenv_struct *pxenv,
			       const struct ppxe_struct *ppxe,
			       struct pxe_region *out, unsigned int max)
{
	unsigned int n = 0;

	if (ppxe) {
		const struct pxe_segdesc *d[] = {
			&ppxe->stack, &ppxe->undi_data, &ppxe->undi_code,
			&ppxe->bc_data, &ppxe->bc_code,
		};
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(d); i++)
			add_region(out, &n, max, d[i]->seg_addr,
				   d[i]->seg_size);
	}
	if (pxenv) {
		add_region(out, &n, max, pxenv->stack_seg, pxenv->stack_size);
		add_region(out, &n, max, pxenv->bc_code_seg,
			   pxenv->bc_code_size);
		add_region(out, &n, max, pxenv->bc_data_seg,
			   pxenv->bc_data_size);
		add_region(out, &n, max, pxenv->undi_data_seg,
			   pxenv->undi_data_size);
		add_region(out, &n, max, pxenv->undi_code_seg,
			   pxenv->undi_code_size);
	}
	return n;
}

int pxe_reclaim(const struct pxe_region *r, unsigned int n,
		unsigned int base_kb, unsigned int limit_kb,
		const uint32_t *vectors, unsigned int nvec,
		unsigned int *top_kb, unsigned int *hooked)
{
	uint32_t base = base_kb * 1024u, top = base, limit = limit_kb * 1024u;
	unsigned int i, grew;

	/* A region across the boundary overlaps memory that is not the
	 * stack's to give back (dust's block or whatever sits there). */
	for (i = 0; i < n; i++)
		if (r[i].start < base && r[i].end > base)
			return PXE_RECLAIM_OVERLAP;
	/* Grow from base over every region that touches what we have; the
	 * loop ends after at most n passes. */
	do {
		grew = 0;
		for (i = 0; i < n; i++) {
			if (r[i].start <= top && r[i].end > top &&
			    r[i].start >= base) {
				top = r[i].end;
				grew = 1;
			}
		}
	} while (grew);
	if (top > limit)
		top = limit;
	top &= ~1023u;
	if (top <= base)
		return PXE_RECLAIM_NOT_AT_TOP;
	for (i = 0; i < nvec; i++) {
		uint32_t lin = (vectors[i] >> 16 << 4) + (vectors[i] & 0xffff);

		if (vectors[i] && lin >= base && lin < top) {
			*hooked = i;
			return PXE_RECLAIM_HOOKED;
		}
	}
	*top_kb = top / 1024u;
	return PXE_RECLAIM_OK;
}
