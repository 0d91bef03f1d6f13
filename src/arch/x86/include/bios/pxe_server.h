/* dust as the PXE stack of a program it chainloads (PXE 2.1 chapter 3):
 * the services (pxe_api.c, portable: the host unit tests run it) and
 * what the platform glue (pxe_entry.c) provides around them.
 *
 * Real-mode addresses the caller hands over (parameter blocks, buffers)
 * are checked before use: a block must lie whole in the first MiB, above
 * the interrupt table and BIOS data area, without running past the end
 * of its segment.  A block that fails the check cannot even be told why:
 * the call just fails (AX = PXENV_EXIT_FAILURE).  Every other failure is
 * a status in the block:
 *   unknown opcode                    PXENV_STATUS_UNSUPPORTED
 *   a bad pointer or value inside it  PXENV_STATUS_UNDI_INVALID_PARAMETER
 *                                     (UNDI calls), PXENV_STATUS_BAD_FUNC
 *                                     (the others)
 *   a call in the wrong state         PXENV_STATUS_UNDI_INVALID_STATE,
 *                                     TFTP_CLOSED/TFTP_OPEN, UDP_CLOSED
 *   a file larger than its buffer     PXENV_STATUS_OUT_OF_RESOURCES
 * A caller buffer shorter than a DHCP packet or a UDP datagram gets what
 * fits (BufferSize says how much), as PXE ROMs do.
 */
#ifndef BIOS_PXE_SERVER_H
#define BIOS_PXE_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <bios/pxe_api.h>
#include <dust/tables.h>

struct net_device;

/* Base memory the API owns while a program runs (allocated below the
 * resident block by the platform).  The structures are paragraph
 * aligned; the packet buffers are what GET_CACHED_INFO hands out when
 * the caller brings none, the frame buffer what UNDI_ISR points at. */
struct pxe_area {
	struct pxenv_struct pxenv;
	uint8_t pad1[48 - PXENV_LEN_21];
	struct ppxe_struct ppxe;
	uint8_t pad2[144 - 48 - PPXE_LEN];
	uint8_t cached[3][PXE_BOOTPLAYER_SIZE];
	uint8_t frame[1536];
} __packed;

BUILD_ASSERT(offsetof(struct pxe_area, ppxe) == 48);
BUILD_ASSERT(offsetof(struct pxe_area, cached) == 144);

/* Where linear address 0 is (0 in firmware; a buffer in host tests). */
extern uintptr_t pxe_lowmem;

/* The caller's seg:off as a pointer to len bytes, or NULL if they are not
 * all in reach (see above). */
void *pxe_ptr(uint32_t segoff, size_t len);
/* seg:off (offset < 16) of a pointer into base memory. */
uint32_t pxe_segoff(const void *p);

/* Offer the services on netdev, with area in base memory (its cached
 * packets are filled in here).  0 or -errno. */
int pxe_api_start(struct net_device *netdev, struct pxe_area *area);
/* Close what the program left open (UDP, TFTP) and let go of the
 * device (reopened if the program closed it and restore is set); calls
 * after this fail. */
void pxe_api_stop(int restore);
/* Did the program take the stack down (UNLOAD_STACK, STOP_UNDI)? */
int pxe_api_unloaded(void);

/* One call: the opcode and the caller's seg:off of its parameter block.
 * Returns PXENV_EXIT_SUCCESS or PXENV_EXIT_FAILURE; the status word says
 * why (when the block is reachable). */
unsigned int pxe_api_call(unsigned int opcode, uint32_t segoff);

/* ---- services: each file registers the opcodes it answers */

struct pxe_service {
	uint8_t opcode;
	uint8_t len;               /* parameter block bytes */
	uint8_t flags;             /* PXE_UNDI_CALL, PXE_ANY_TIME */
	/* Handle the call (the block is in reach); returns a status. */
	unsigned int (*fn)(void *blk);
};
#define PXE_UNDI_CALL 0x01     /* bad parameters: UNDI_INVALID_PARAMETER */
#define PXE_ANY_TIME  0x02     /* also answered (yes) once stopped */
#define PXE_SERVICES(name) \
	TABLE_ENTRY(struct pxe_service, "pxe_services", 50) name[]
#define SVC(op, type, flags, fn) { op, sizeof(type), flags, fn }

/* Run by pxe_api_stop(): close what a service file keeps open. */
typedef void (*pxe_stop_fn)(void);
#define PXE_STOP_FN(name) TABLE_ENTRY(pxe_stop_fn, "pxe_stop_fns", 50) name

/* The device the services run on (NULL once stopped). */
struct net_device *pxe_api_netdev(void);

/* ---- the platform glue (pxe_entry.c) */

/* Offer the API to a program about to start: base memory for the area
 * (above `below`, the end of the program), the structures, the entry
 * points and INT 1Ah.  Returns 0 and the seg:off of PXENV+ and !PXE, or
 * -ENODEV (no NIC) / -ENOSPC (no base memory). */
int pxe_activate(uint32_t below, uint32_t *pxenv, uint32_t *ppxe);
/* The program returned: stop offering it, give the memory back. */
void pxe_deactivate(void);

/* Provided by the platform for pxe_api.c (the unit tests bring their
 * own). */

/* The program ends the network (UNLOAD_STACK, or STOP_UNDI without it):
 * stop the services (pxe_api_stop), close the NICs, remove the hooks
 * nothing needs any more.  Returns PXENV_STATUS_SUCCESS, or
 * PXENV_STATUS_KEEP_ALL when dust must stay (a SAN disk, or a hook
 * someone chained over) and nothing was changed. */
unsigned int pxe_platform_unload(void);
/* Must dust's NIC stay open whatever the program asks (a SAN disk)? */
int pxe_platform_keep_nic(void);
/* May the program have [start, start + len) written (TFTP_READ_FILE)? */
int pxe_platform_mem_ok(uint32_t start, uint32_t len);

#endif
