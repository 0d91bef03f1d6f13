/* TFTP client (the tftp:// URI scheme). */
#ifndef DUST_TFTP_H
#define DUST_TFTP_H

/* Retransmission timeouts so far (for tests and statistics). */
unsigned long tftp_stats_timeouts(void);

#endif
