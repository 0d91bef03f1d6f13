; PXE network bootstrap program prefix (.pxe and .kpxe).  A PXE ROM loads the
; whole file to 0000:7C00 and far-calls it with ES:BX -> PXENV+ and the
; !PXE far pointer at SS:[SP+4].  Returning hands control back to the ROM.
; KEEP_PXE selects the .kpxe flavour that keeps the ROM's PXE stack loaded.

%include "prefix.inc"

bits 16
org 0

start:
	jmp 0x07c0:.go                  ; run with offsets from the image start
.go:
	SAVE_CALLER
	mov bp, sp
	push cs
	pop ds
	call install_prepare
	jc .fail
%ifdef KEEP_PXE
	mov word [es:di + BI_TYPE], IMAGE_KPXE
%else
	mov word [es:di + BI_TYPE], IMAGE_PXE
%endif
	mov word [es:di + BI_EXIT], EXIT_RETF
	mov [es:di + BI_CALLER_SS], ss
	mov [es:di + BI_CALLER_SP], sp
	mov ax, [bp + BREGS_EBX]        ; PXENV+ was in ES:BX
	mov [es:di + BI_PXENV], ax
	mov ax, [bp + BREGS_ES]
	mov [es:di + BI_PXENV + 2], ax
	mov eax, [bp + BREGS_SIZE + 4]  ; !PXE: above the frame and return address
	mov [es:di + BI_PPXE], eax
	jmp install_run
.fail:
	RESTORE_CALLER
	retf

%define LOADED_END payload_image_end
%include "installer.inc"
%include "body.inc"
image_end:
