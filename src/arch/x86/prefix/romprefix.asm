; PCI option ROM prefix: ROM header, PCI data structure and PnP expansion
; header.  POST calls init (which only records our PCI address); the BIOS
; calls the BEV when it picks us as boot device, and dust runs from there.
; Returning from the BEV (the `exit` command) makes the BIOS try the next
; boot device.  util/romfix fills in the checksums.

%include "prefix.inc"

%ifndef PCI_VENDOR
%error "PCI_VENDOR must be defined"
%endif
%ifndef PCI_DEVICE
%error "PCI_DEVICE must be defined"
%endif

bits 16
org 0

rom_start:
	db 0x55, 0xaa
	db (rom_end - rom_start) / 512  ; size in 512-byte blocks
	jmp near init                   ; offset 3: init entry
rom_csum:
	db 0                            ; offset 6: checksum byte (romfix)
	times 0x18 - ($ - $$) db 0
	dw pcir                         ; 0x18: PCI data structure
	dw pnp                          ; 0x1a: PnP expansion header

; PCI Firmware Specification 3.0, 5.1.2: PCI data structure.
	align 4, db 0
pcir:
	db "PCIR"
	dw PCI_VENDOR
	dw PCI_DEVICE
	dw 0                            ; device list (none)
	dw pcir_end - pcir              ; structure length
	db 3                            ; structure revision
	db 0x00, 0x00, 0x02             ; class: network, Ethernet
	dw (rom_end - rom_start) / 512  ; image length
	dw 1                            ; revision level
	db 0                            ; code type: x86 PC-AT
	db 0x80                         ; last image
	dw (rom_end - rom_start) / 512  ; maximum run-time image length
	dw 0                            ; configuration utility
	dw 0                            ; DMTF CLP entry point
pcir_end:

; Plug and Play BIOS Specification 1.0A, 3.2: expansion header.
	align 16, db 0
pnp:
	db "$PnP"
	db 1                            ; revision
	db (pnp_end - pnp) / 16         ; length in 16-byte units
	dw 0                            ; next header
	db 0
	db 0                            ; checksum (util/romfix)
	dd 0                            ; device id
	dw str_mfg
	dw str_product
	db 0x02, 0x00, 0x00             ; device type: network, Ethernet
	db 0x44                         ; indicators: shadowable, IPL device
	dw 0                            ; boot connection vector
	dw 0                            ; disconnect vector
	dw bev                          ; bootstrap entry vector
	dw 0
	dw 0                            ; static resource information
pnp_end:

str_mfg:	db "dust", 0
str_product:	db "dust network boot", 0

; Our PCI bus:dev.fn, stored by init while the ROM is still writable.
init_bdf:	dw 0xffff

; POST initialisation: AX = PCI bus:dev.fn.  Keep it quick and quiet.
; The BIOS checks the ROM's checksum again after init, so the checksum byte
; absorbs the change that storing the address makes.
init:
	push ds
	push bx
	push cs
	pop ds
	mov bl, [init_bdf]
	add bl, [init_bdf + 1]
	sub bl, al
	sub bl, ah
	add [rom_csum], bl
	mov [init_bdf], ax
	pop bx
	pop ds
	mov ax, 0x20                    ; PnP: IPL device attached
	retf

; Bootstrap entry vector: the BIOS boots us.
bev:
	SAVE_CALLER
	push cs
	pop ds
	call install_prepare
	jc .fail
	mov word [es:di + BI_TYPE], IMAGE_ROM
	mov word [es:di + BI_EXIT], EXIT_RETF
	mov [es:di + BI_CALLER_SS], ss
	mov [es:di + BI_CALLER_SP], sp
	mov ax, [init_bdf]
	mov [es:di + BI_PCI_BDF], ax
	mov [es:di + BI_ROM_SEG], cs
	jmp install_run
.fail:
	RESTORE_CALLER
	retf

%define LOADED_END rom_end
%include "installer.inc"
%include "body.inc"

	align 512, db 0xff
rom_end:
