/* Byte order conversion for wire formats (x86 is little-endian). */
#ifndef BYTESWAP_H
#define BYTESWAP_H

#include <stdint.h>

#define bswap16(x) __builtin_bswap16(x)
#define bswap32(x) __builtin_bswap32(x)
#define bswap64(x) __builtin_bswap64(x)

#define htons(x) ((uint16_t)bswap16((uint16_t)(x)))
#define ntohs(x) htons(x)
#define htonl(x) ((uint32_t)bswap32((uint32_t)(x)))
#define ntohl(x) htonl(x)
#define htonll(x) ((uint64_t)bswap64((uint64_t)(x)))
#define ntohll(x) htonll(x)
#define cpu_to_le16(x) ((uint16_t)(x))
#define cpu_to_le32(x) ((uint32_t)(x))
#define cpu_to_le64(x) ((uint64_t)(x))
#define le16_to_cpu(x) ((uint16_t)(x))
#define le32_to_cpu(x) ((uint32_t)(x))
#define le64_to_cpu(x) ((uint64_t)(x))
#define cpu_to_be16(x) htons(x)
#define cpu_to_be32(x) htonl(x)
#define be16_to_cpu(x) ntohs(x)
#define be32_to_cpu(x) ntohl(x)

#endif
