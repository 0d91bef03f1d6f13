/* Resetting the machine: the PCI reset register, the keyboard controller,
 * and a deliberate triple fault as last resort. */
#include <x86/io.h>
#include <dust/timer.h>
#include <dust/machine.h>

void machine_reboot(void)
{
	static const struct { uint16_t limit; uint32_t base; } __packed null_idt;

	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06);
	mdelay(50);
	outb(0x64, 0xfe);
	mdelay(50);
	__asm__ __volatile__("lidt %0; int3" : : "m"(null_idt));
	for (;;)
		__asm__ __volatile__("hlt");
}
