/* iSCSI initiator (RFC 7143): wire formats, root-path syntax, login text
 * keys and CHAP.  The session itself lives in src/net/tcp/iscsi.c and is
 * reached through the SAN protocol table (scheme "iscsi"); the helpers
 * here are in src/net/tcp/iscsi_text.c so tests and fuzzers reach them. */
#ifndef DUST_ISCSI_H
#define DUST_ISCSI_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <dust/in.h>

struct xfer;

#define ISCSI_PORT 3260

/* ---- PDU formats (RFC 7143 section 11).  All multi-byte fields are
 * big-endian; every PDU starts with a 48-byte Basic Header Segment. */

#define ISCSI_BHS_LEN 48

/* Opcodes (11.2.1.2).  Initiator opcodes may carry the immediate bit. */
#define ISCSI_OP_IMMEDIATE  0x40
#define ISCSI_OP_MASK       0x3f
#define ISCSI_OP_NOP_OUT    0x00
#define ISCSI_OP_SCSI_CMD   0x01
#define ISCSI_OP_LOGIN      0x03
#define ISCSI_OP_DATA_OUT   0x05
#define ISCSI_OP_LOGOUT     0x06
#define ISCSI_OP_NOP_IN     0x20
#define ISCSI_OP_SCSI_RSP   0x21
#define ISCSI_OP_LOGIN_RSP  0x23
#define ISCSI_OP_DATA_IN    0x25
#define ISCSI_OP_LOGOUT_RSP 0x26
#define ISCSI_OP_R2T        0x31
#define ISCSI_OP_ASYNC      0x32
#define ISCSI_OP_REJECT     0x3f

#define ISCSI_FLAG_FINAL    0x80       /* F: last PDU of a sequence */
#define ISCSI_RESERVED_TAG  0xffffffffu

/* 11.2.1: the fields every PDU shares. */
struct iscsi_bhs {
	uint8_t opcode;
	uint8_t flags;
	uint8_t spec[2];
	uint8_t ahs_len;               /* TotalAHSLength, in 4-byte words */
	uint8_t dsl[3];                /* DataSegmentLength, without padding */
	uint8_t lun[8];
	uint32_t itt;                  /* Initiator Task Tag */
	uint32_t ttt;                  /* (most PDUs) Target Transfer Tag */
	uint32_t statsn;               /* target PDUs: StatSN */
	uint32_t expcmdsn;             /* target PDUs: ExpCmdSN */
	uint32_t maxcmdsn;             /* target PDUs: MaxCmdSN */
	uint32_t w36, w40, w44;        /* opcode-specific */
} __packed;

/* 11.3 SCSI Command */
#define ISCSI_CMD_READ      0x40
#define ISCSI_CMD_WRITE     0x20
#define ISCSI_CMD_SIMPLE    0x01       /* task attribute */
struct iscsi_scsi_cmd {
	uint8_t opcode;
	uint8_t flags;                 /* F, R, W, ATTR */
	uint8_t rsvd[2];
	uint8_t ahs_len;
	uint8_t dsl[3];                /* immediate data */
	uint8_t lun[8];
	uint32_t itt;
	uint32_t edtl;                 /* Expected Data Transfer Length */
	uint32_t cmdsn;
	uint32_t expstatsn;
	uint8_t cdb[16];
} __packed;

/* 11.4 SCSI Response; the data segment holds SenseLength (2 bytes) and
 * the sense data (11.4.7). */
#define ISCSI_RSP_OVERFLOW  0x04       /* O: residual overflow */
#define ISCSI_RSP_UNDERFLOW 0x02       /* U: residual underflow */
struct iscsi_scsi_rsp {
	uint8_t opcode;
	uint8_t flags;
	uint8_t response;              /* 0: completed at target */
	uint8_t status;                /* SCSI status */
	uint8_t ahs_len;
	uint8_t dsl[3];
	uint8_t rsvd[8];
	uint32_t itt;
	uint32_t snack_tag;
	uint32_t statsn;
	uint32_t expcmdsn;
	uint32_t maxcmdsn;
	uint32_t expdatasn;
	uint32_t bidi_residual;
	uint32_t residual;
} __packed;

/* 11.7.1 SCSI Data-Out */
struct iscsi_data_out {
	uint8_t opcode;
	uint8_t flags;                 /* F */
	uint8_t rsvd[2];
	uint8_t ahs_len;
	uint8_t dsl[3];
	uint8_t lun[8];
	uint32_t itt;
	uint32_t ttt;                  /* from the R2T, or reserved */
	uint32_t rsvd2;
	uint32_t expstatsn;
	uint32_t rsvd3;
	uint32_t datasn;
	uint32_t offset;               /* Buffer Offset */
	uint32_t rsvd4;
} __packed;

/* 11.7 SCSI Data-In: the status may ride on the last PDU (S bit). */
#define ISCSI_DATA_STATUS   0x01       /* S */
struct iscsi_data_in {
	uint8_t opcode;
	uint8_t flags;                 /* F, A, O, U, S */
	uint8_t rsvd;
	uint8_t status;                /* with S */
	uint8_t ahs_len;
	uint8_t dsl[3];
	uint8_t lun[8];
	uint32_t itt;
	uint32_t ttt;
	uint32_t statsn;               /* with S */
	uint32_t expcmdsn;
	uint32_t maxcmdsn;
	uint32_t datasn;
	uint32_t offset;
	uint32_t residual;             /* with S */
} __packed;

/* 11.8 Ready To Transfer */
struct iscsi_r2t {
	uint8_t opcode;
	uint8_t flags;
	uint8_t rsvd[2];
	uint8_t ahs_len;
	uint8_t dsl[3];
	uint8_t lun[8];
	uint32_t itt;
	uint32_t ttt;
	uint32_t statsn;
	uint32_t expcmdsn;
	uint32_t maxcmdsn;
	uint32_t r2tsn;
	uint32_t offset;
	uint32_t length;               /* Desired Data Transfer Length */
} __packed;

/* 11.9 Asynchronous Message */
#define ISCSI_ASYNC_SCSI         0
#define ISCSI_ASYNC_LOGOUT       1     /* target asks for a logout */
#define ISCSI_ASYNC_DROP         2     /* target will drop the connection */
#define ISCSI_ASYNC_DROP_ALL     3
#define ISCSI_ASYNC_RENEGOTIATE  4
struct iscsi_async {
	uint8_t opcode;
	uint8_t flags;
	uint8_t rsvd[2];
	uint8_t ahs_len;
	uint8_t dsl[3];
	uint8_t lun[8];
	uint32_t itt;                  /* reserved tag */
	uint32_t rsvd2;
	uint32_t statsn;
	uint32_t expcmdsn;
	uint32_t maxcmdsn;
	uint8_t event;
	uint8_t vcode;
	uint16_t param[3];
	uint32_t rsvd3;
} __packed;

/* 11.12 Login Request; 11.13 Login Response */
#define ISCSI_LOGIN_TRANSIT  0x80      /* T */
#define ISCSI_LOGIN_CONTINUE 0x40      /* C */
#define ISCSI_CSG_SHIFT      2
#define ISCSI_STAGE_SECURITY 0
#define ISCSI_STAGE_OPERATIONAL 1
#define ISCSI_STAGE_FFP      3         /* Full Feature Phase */
struct iscsi_login_req {
	uint8_t opcode;
	uint8_t flags;                 /* T, C, CSG, NSG */
	uint8_t version_max;
	uint8_t version_min;
	uint8_t ahs_len;
	uint8_t dsl[3];
	uint8_t isid[6];
	uint16_t tsih;
	uint32_t itt;
	uint16_t cid;
	uint16_t rsvd;
	uint32_t cmdsn;
	uint32_t expstatsn;
	uint8_t rsvd2[16];
} __packed;

struct iscsi_login_rsp {
	uint8_t opcode;
	uint8_t flags;
	uint8_t version_max;
	uint8_t version_active;
	uint8_t ahs_len;
	uint8_t dsl[3];
	uint8_t isid[6];
	uint16_t tsih;
	uint32_t itt;
	uint32_t rsvd;
	uint32_t statsn;
	uint32_t expcmdsn;
	uint32_t maxcmdsn;
	uint8_t status_class;          /* 11.13.5 */
	uint8_t status_detail;
	uint8_t rsvd2[10];
} __packed;

/* 11.14 Logout Request (reason 0: close the session); 11.15 Response */
struct iscsi_logout_req {
	uint8_t opcode;
	uint8_t flags;                 /* F | reason */
	uint8_t rsvd[2];
	uint8_t ahs_len;
	uint8_t dsl[3];
	uint8_t rsvd2[8];
	uint32_t itt;
	uint16_t cid;
	uint16_t rsvd3;
	uint32_t cmdsn;
	uint32_t expstatsn;
	uint8_t rsvd4[16];
} __packed;

/* 11.17 Reject: the data segment holds the rejected PDU's header. */
struct iscsi_reject {
	uint8_t opcode;
	uint8_t flags;
	uint8_t reason;
	uint8_t rsvd;
	uint8_t ahs_len;
	uint8_t dsl[3];
	uint8_t rsvd2[8];
	uint32_t itt;                  /* reserved tag */
	uint32_t rsvd3;
	uint32_t statsn;
	uint32_t expcmdsn;
	uint32_t maxcmdsn;
	uint32_t datasn;
	uint8_t rsvd4[8];
} __packed;

/* 11.18 NOP-Out (11.19 NOP-In has the iscsi_bhs layout) */
struct iscsi_nop_out {
	uint8_t opcode;
	uint8_t flags;
	uint8_t rsvd[2];
	uint8_t ahs_len;
	uint8_t dsl[3];
	uint8_t lun[8];
	uint32_t itt;
	uint32_t ttt;
	uint32_t cmdsn;
	uint32_t expstatsn;
	uint8_t rsvd2[16];
} __packed;

BUILD_ASSERT(sizeof(struct iscsi_bhs) == ISCSI_BHS_LEN);
BUILD_ASSERT(sizeof(struct iscsi_scsi_cmd) == ISCSI_BHS_LEN);
BUILD_ASSERT(sizeof(struct iscsi_scsi_rsp) == ISCSI_BHS_LEN);
BUILD_ASSERT(sizeof(struct iscsi_data_out) == ISCSI_BHS_LEN);
BUILD_ASSERT(sizeof(struct iscsi_data_in) == ISCSI_BHS_LEN);
BUILD_ASSERT(sizeof(struct iscsi_r2t) == ISCSI_BHS_LEN);
BUILD_ASSERT(sizeof(struct iscsi_async) == ISCSI_BHS_LEN);
BUILD_ASSERT(sizeof(struct iscsi_login_req) == ISCSI_BHS_LEN);
BUILD_ASSERT(sizeof(struct iscsi_login_rsp) == ISCSI_BHS_LEN);
BUILD_ASSERT(sizeof(struct iscsi_logout_req) == ISCSI_BHS_LEN);
BUILD_ASSERT(sizeof(struct iscsi_reject) == ISCSI_BHS_LEN);
BUILD_ASSERT(sizeof(struct iscsi_nop_out) == ISCSI_BHS_LEN);

static inline uint32_t iscsi_dsl(const uint8_t *dsl)
{
	return (uint32_t)dsl[0] << 16 | (uint32_t)dsl[1] << 8 | dsl[2];
}

static inline void iscsi_set_dsl(uint8_t *dsl, uint32_t len)
{
	dsl[0] = (uint8_t)(len >> 16);
	dsl[1] = (uint8_t)(len >> 8);
	dsl[2] = (uint8_t)len;
}

/* ---- root-path (gPXE/iPXE syntax)
 *
 *   iscsi:<server>:<protocol>:<port>:<lun>:<targetname>
 *
 * server: IPv4 address or DNS name (required); protocol: empty or 6
 * (TCP); port: empty for 3260; lun: empty for 0, else up to four groups
 * of up to four hex digits separated by '-', each group one 16-bit level
 * of the 8-byte SAM LUN ("1" and "0001-0000-0000-0000" are both LUN 1,
 * which on the wire is 00 01 00 00 00 00 00 00); targetname: everything
 * after the fifth colon (IQNs contain colons), required. */
struct iscsi_root_path {
	char *server;                  /* pointers into buf */
	char *target;
	uint16_t port;
	uint8_t lun[8];
	char *buf;                     /* malloc'd; the caller frees it */
};

/* Parse; on error prints which field is wrong and returns -EINVAL. */
int iscsi_parse_root_path(const char *text, struct iscsi_root_path *rp);
/* The LUN part alone (empty text is LUN 0). */
int iscsi_parse_lun(const char *text, uint8_t lun[8]);

/* ---- login text (RFC 7143 sections 6.1, 6.2): key=value pairs, each
 * ended by a NUL. */
#define ISCSI_KEY_MAX 63               /* longest key name (6.1) */
#define ISCSI_VALUE_MAX 8192           /* longest value we accept */

/* The next pair in buf[*pos..len): 1 with *key and *value pointing into
 * buf (the '=' and the terminator become NULs), 0 at the end, -EPROTO
 * for a malformed pair (no '=', bad key, over-long, no terminator). */
int iscsi_key_next(char *buf, size_t len, size_t *pos, char **key,
		   char **value);
/* Append "key=value\0" (value printf-formatted) at buf+pos; returns the
 * new position, or len+1 when it did not fit (which stays len+1). */
size_t iscsi_key_add(char *buf, size_t len, size_t pos, const char *key,
		     const char *fmt, ...) __printf(5, 6);
size_t iscsi_key_vadd(char *buf, size_t len, size_t pos, const char *key,
		      const char *fmt, va_list ap) __printf(5, 0);
/* A numerical value (decimal or 0x hex, below 2^32): 0 or -EINVAL. */
int iscsi_parse_number(const char *value, uint32_t *out);
/* A binary value (6.1: "0x" hex or "0b" base64) into out: its length,
 * or -EINVAL (malformed, or longer than max). */
int iscsi_parse_binary(const char *value, uint8_t *out, size_t max);
/* "0x" and lower-case hex of bin into out (2 * len + 3 bytes). */
void iscsi_hex(char *out, const uint8_t *bin, size_t len);

/* ---- CHAP (RFC 1994 section 4.1; RFC 7143 section 12.1.3): the MD5
 * of the identifier, the secret and the challenge. */
#define ISCSI_CHAP_MD5 5
void iscsi_chap_md5(uint8_t id, const char *secret, const uint8_t *challenge,
		    size_t len, uint8_t out[16]);

/* ---- the session */

/* How a session reaches its target: NULL (the default) opens a stream
 * socket (TCP); tests plug an in-memory target in here. */
extern int (*iscsi_connect)(struct xfer *up, const struct sockaddr *peer,
			    const struct sockaddr *local);

/* Prefix of the initiator name dust makes up when initiator-iqn is not
 * set (followed by the host name, else the system UUID, else the MAC). */
#define ISCSI_IQN_PREFIX "iqn.2010-04.org.dust:"

/* Timing (milliseconds). */
#define ISCSI_LOGIN_TIMEOUT_MS  15000  /* one connection + login attempt */
#define ISCSI_RECOVER_MS        30000  /* re-login after a lost connection */
#define ISCSI_PING_MS            5000  /* silence before a NOP-Out ping */
#define ISCSI_DEAD_MS           15000  /* silence that ends a connection */

#endif
