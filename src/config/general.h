/* Build-time choices that apply to every image.  Each can be overridden
 * from make, e.g. `make CTRLB_MS=2000 USER_CLASS=lab7`. */
#ifndef CONFIG_GENERAL_H
#define CONFIG_GENERAL_H

/* How long after the banner Ctrl-B opens the command line (milliseconds).
 * The window runs while bring-up proceeds; it never delays a boot. */
#ifndef CONFIG_CTRLB_MS
#define CONFIG_CTRLB_MS 1000
#endif

/* What happens when dust cannot boot by itself: 0 hands back to the BIOS
 * (which tries its next boot device), 1 opens the command line. */
#ifndef CONFIG_AUTOBOOT_FAIL_SHELL
#define CONFIG_AUTOBOOT_FAIL_SHELL 0
#endif

/* DHCP user class (option 77) that tells a DHCP server "this is dust". */
#ifndef CONFIG_USER_CLASS
#define CONFIG_USER_CLASS "dust"
#endif

#endif
