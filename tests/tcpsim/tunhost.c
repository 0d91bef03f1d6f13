/* Host side of the Linux interop tool (tests/tcpsim/interop.c): a TUN
 * device and a clock, compiled against the C library. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/if.h>
#include <linux/if_tun.h>

int tun_open(const char *name);
long tun_read(int fd, void *buf, unsigned long len, int timeout_ms);
long tun_write(int fd, const void *buf, unsigned long len);
uint64_t host_now_us(void);

int tun_open(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR);

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

long tun_read(int fd, void *buf, unsigned long len, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, timeout_ms) <= 0)
		return 0;
	return read(fd, buf, len);
}

long tun_write(int fd, const void *buf, unsigned long len)
{
	return write(fd, buf, len);
}

uint64_t host_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}
