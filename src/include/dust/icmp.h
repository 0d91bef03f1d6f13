/* ICMP echo, for answering pings and for the ping command. */
#ifndef DUST_ICMP_H
#define DUST_ICMP_H

#include <stdint.h>
#include <stddef.h>
#include <dust/in.h>
#include <dust/list.h>

struct icmp_echo_waiter {
	struct list_head list;
	uint16_t ident;
	void (*reply)(struct icmp_echo_waiter *w, const struct sockaddr *from,
		      uint16_t seq, size_t len);
};

struct icmp_stats {
	unsigned long echo_requests_sent;
	unsigned long echo_replies_sent;
	unsigned long rx_bad;
};
extern struct icmp_stats icmp_stats;

void icmp_echo_listen(struct icmp_echo_waiter *w);
void icmp_echo_unlisten(struct icmp_echo_waiter *w);
int icmp_echo_send(const struct sockaddr *dst, uint16_t ident, uint16_t seq,
		   size_t payload_len);

#endif
