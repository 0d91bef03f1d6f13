/* Recognising dust's own payload inside an image (dust/payload.h). */
#include <string.h>
#include <dust/payload.h>

struct payload_hdr payload_self;

int payload_in_image(const void *image, size_t len,
		     const struct payload_hdr *self)
{
	const uint8_t *p = image;
	size_t off;

	if (self->magic != PAYLOAD_MAGIC || self->hdr_len != sizeof(*self))
		return 0;
	for (off = 0; off + sizeof(*self) <= len; off += 16)
		if (!memcmp(p + off, self, sizeof(*self)))
			return 1;
	return 0;
}
