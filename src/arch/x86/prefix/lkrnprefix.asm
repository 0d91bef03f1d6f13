; Linux kernel format prefix (.lkrn): a bzImage that QEMU -kernel, SYSLINUX
; and GRUB can load.  The loader puts the setup sectors (this prefix, the
; resident block and the install stub) low and the payload at 1 MiB, then
; enters at setup segment + 20h in real mode.  Leaving uses INT 18h, which
; makes the BIOS try the next boot device.
;
; Field offsets and meanings: the Linux/x86 boot protocol, version 2.06.

%include "prefix.inc"

bits 16
org 0

boot_sector:
	; Booted directly from a disk this is not a boot sector: say so.
	jmp 0x07c0:.direct
.direct:
	push cs
	pop ds
	mov si, msg_direct - boot_sector
	mov ah, 0x0e
.ch:	lodsb
	test al, al
	jz .hang
	mov bx, 7
	int 0x10
	jmp .ch
.hang:	int 0x18
msg_direct: db "dust.lkrn is a kernel image: load it with a boot loader", 13, 10, 0

	times 0x1f1 - ($ - $$) db 0
setup_sects:	db (payload_image - boot_sector - 512) / 512
root_flags:	dw 0
syssize:	dd (payload_image_end - payload_image + 15) / 16
ram_size:	dw 0
vid_mode:	dw 0xffff               ; "normal"
root_dev:	dw 0
boot_flag:	dw 0xaa55
; 0x200: entry point
	jmp short setup_start
		db "HdrS"
		dw 0x0206               ; protocol version
realmode_swtch:	dd 0
start_sys_seg:	dw 0x1000
kernel_version:	dw version_str - 0x200
type_of_loader:	db 0
loadflags:	db 0x01                 ; LOADED_HIGH: payload at 1 MiB
setup_move_size: dw 0x8000
code32_start:	dd 0x100000
ramdisk_image:	dd 0
ramdisk_size:	dd 0
bootsect_kludge: dd 0
heap_end_ptr:	dw 0
ext_loader_ver:	db 0
ext_loader_type: db 0
cmd_line_ptr:	dd 0
initrd_addr_max: dd 0x7fffffff
kernel_alignment: dd 0
relocatable_kernel: db 0
min_alignment:	db 0
xloadflags:	dw 0
cmdline_size:	dd 4095

version_str:	db "dust", 0

setup_start:
	; CS = setup segment + 20h; run with offsets from the image start.
	mov ax, cs
	sub ax, 0x20
	push ax
	push word .go
	retf
.go:
	SAVE_CALLER
	push cs
	pop ds
	call install_prepare
	jc .fail
	mov word [es:di + BI_TYPE], IMAGE_LKRN
	mov word [es:di + BI_EXIT], EXIT_INT18
	mov [es:di + BI_CALLER_SS], ss
	mov [es:di + BI_CALLER_SP], sp
	mov eax, [code32_start]         ; the loader put the payload here
	mov [es:di + BI_PAYLOAD], eax
	mov eax, [syssize]
	shl eax, 4
	mov [es:di + BI_PAYLOAD_LEN], eax
	mov eax, [cmd_line_ptr]
	mov [es:di + BI_CMDLINE], eax
	mov eax, [ramdisk_image]
	mov [es:di + BI_INITRD], eax
	mov eax, [ramdisk_size]
	mov [es:di + BI_INITRD_LEN], eax
	jmp install_run
.fail:
	int 0x18

%define LOADED_END payload_image
%define PAYLOAD_ALIGN 512
%include "installer.inc"
%include "body.inc"
	align 16, db 0
image_end:
