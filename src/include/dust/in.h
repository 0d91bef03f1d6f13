/* Internet addresses and socket addresses. */
#ifndef DUST_IN_H
#define DUST_IN_H

#include <stdint.h>

#define AF_INET  2
#define AF_INET6 10

#define IP_ICMP  1
#define IP_TCP   6
#define IP_UDP   17
#define IP_ICMP6 58

struct in_addr {
	uint32_t s_addr;            /* network byte order */
};

struct in6_addr {
	union {
		uint8_t s6_addr[16];
		uint16_t s6_addr16[8];
		uint32_t s6_addr32[4];
	};
};

/* Every socket address fits in struct sockaddr; family and port come
 * first in all of them. */
struct sockaddr {
	uint16_t sa_family;
	uint16_t sa_port;           /* network byte order */
	uint8_t sa_data[28];
};

struct sockaddr_in {
	uint16_t sin_family;
	uint16_t sin_port;
	struct in_addr sin_addr;
	uint8_t pad[sizeof(struct sockaddr) - 8];
};

struct sockaddr_in6 {
	uint16_t sin6_family;
	uint16_t sin6_port;
	uint32_t sin6_flowinfo;
	struct in6_addr sin6_addr;
	uint32_t sin6_scope_id;     /* interface index for link-local */
	uint8_t pad[sizeof(struct sockaddr) - 28];
};

BUILD_ASSERT(sizeof(struct sockaddr_in) == sizeof(struct sockaddr));
BUILD_ASSERT(sizeof(struct sockaddr_in6) == sizeof(struct sockaddr));

#define INADDR_ANY       0x00000000u
#define INADDR_BROADCAST 0xffffffffu

/* "192.0.2.1" in one of four static buffers used in turn (so up to four
 * addresses can be formatted in one printf). */
const char *inet_ntoa(struct in_addr in);
/* Parse a dotted quad; returns 1 on success, 0 if it is not one. */
int inet_aton(const char *s, struct in_addr *in);
/* Address (and port if nonzero) of a socket address, for messages. */
const char *sock_ntoa(const struct sockaddr *sa);

#endif
