/* Firmware assertion failures: report and carry on (a halt would turn a
 * bookkeeping slip into a machine that never boots). */
#include <assert.h>
#include <stdio.h>

void assert_failed(const char *expr, const char *file, int line)
{
	printf("dust: internal check failed: %s (%s:%d)\n", expr, file, line);
}
