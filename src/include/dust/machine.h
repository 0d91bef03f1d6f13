/* Whole-machine operations each platform provides. */
#ifndef DUST_MACHINE_H
#define DUST_MACHINE_H

/* Reset the machine; does not return. */
void machine_reboot(void) __attribute__((noreturn));

#endif
