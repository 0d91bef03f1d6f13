; Disk prefix for the USB image, the El Torito boot image of the ISO, and
; the MBR of the ISO when it is written to a USB stick (isohybrid).
;
; Sector 0 is loaded to 0000:7C00 by the BIOS (512 bytes from a disk, the
; first 2048 bytes from a CD) with DL = the drive.  It reads the rest of the
; image with INT 13h extended reads into the memory that follows and jumps
; to disk_main.  Where the image starts on the medium:
;   CD (2048-byte sectors): the boot information table that xorriso's
;     -boot-info-table writes at offset 8 gives the boot file's LBA;
;   disk (512-byte sectors): image_lba at offset 0x1b0, which is 0 in
;     dust.usb and patched to the boot file's LBA * 4 in the ISO's MBR.

%include "prefix.inc"

bits 16
org 0

CHUNK_BYTES equ 0x8000                  ; bytes per INT 13h read
DPT_SEG equ 0x0060                      ; scratch for INT 13h AH=48h

sector0:
	jmp short sector0_main
	nop
	times 8 - ($ - $$) db 0
bi_pvd:		dd 0                    ; El Torito boot information table
bi_file_lba:	dd 0                    ; (written by xorriso)
bi_file_len:	dd 0
bi_csum:	dd 0
	times 64 - ($ - $$) db 0

sector0_main:
	cli
	xor ax, ax
	mov ss, ax
	mov sp, 0x7c00
	sti
	jmp 0x07c0:.go
.go:
	push cs
	pop ds
	mov [boot_drive], dl
	; Sector size of the boot medium (INT 13h AH=48h), 512 if unknown.
	; The parameter buffer lives at 0060:0000, below our stack.
	push ds
	push word DPT_SEG
	pop ds
	xor si, si
	mov word [si], 0x1e
	mov ah, 0x48
	int 0x13
	mov ax, [si + 0x18]
	pop ds
	mov cx, 512
	jc .size
	cmp ax, 2048
	jne .size
	mov cx, ax
.size:
	mov [sector_size], cx
	; LBA of sector 0 of this image, in device sectors.
	mov eax, [image_lba]
	cmp cx, 2048
	jne .lba
	mov eax, [bi_file_lba]
.lba:
	; Read from the next device sector into the memory that follows.
	inc eax
	mov [dap_lba], eax
	mov ax, cx
	shr ax, 4
	add ax, 0x07c0
	mov [dap_seg], ax
	mov eax, image_end
	movzx ecx, cx
	sub eax, ecx                    ; bytes still to read
	jbe .loaded
	mov [remaining], eax
.read:
	mov eax, [remaining]
	cmp eax, CHUNK_BYTES
	jbe .chunk
	mov eax, CHUNK_BYTES
.chunk:
	movzx ecx, word [sector_size]
	add eax, ecx
	dec eax
	xor edx, edx
	div ecx                         ; sectors in this chunk, rounded up
	mov [dap_count], ax
	mov word [dap], 0x10
	mov word [dap_off], 0
	mov si, dap
	mov ah, 0x42
	mov dl, [boot_drive]
	int 0x13
	jc .error
	movzx eax, word [dap_count]
	add [dap_lba], eax
	movzx ecx, word [sector_size]
	mul ecx                         ; bytes read
	mov edx, eax
	shr edx, 4
	add [dap_seg], dx
	sub [remaining], eax
	ja .read
.loaded:
	jmp disk_main
.error:
	mov si, msg_readerr
	mov ah, 0x0e
	mov bx, 7
.ch:	lodsb
	test al, al
	jz .fail
	int 0x10
	jmp .ch
.fail:	int 0x18

; Loader state; in sector 0 so that the reads never overwrite it.
boot_drive:	db 0
sector_size:	dw 0
remaining:	dd 0
dap:		dw 0x10
dap_count:	dw 0
dap_off:	dw 0
dap_seg:	dw 0
dap_lba:	dd 0, 0

msg_readerr:	db "dust: cannot read the rest of the image from the boot disk", 13, 10, 0

	times 0x1b0 - ($ - $$) db 0
image_lba:	dd 0                    ; patched in the ISO's MBR copy
	times 0x1b8 - ($ - $$) db 0
disk_sig:	dd 0x64757374           ; "dust"
		dw 0
	; One active partition covering the image after sector 0 (type 0xda,
	; non-filesystem data), so BIOSes that insist on a partition table
	; treat the stick as a hard disk.  CHS fields: 255 heads, 63 sectors.
%define IMG_SECTORS ((image_end - sector0) / 512)
partition0:
	db 0x80
	db 0, 2, 0                      ; CHS start (cylinder 0, head 0, sector 2)
	db 0xda
	db 0xfe, 0xff, 0xff             ; CHS end: beyond what CHS can say
	dd 1
	dd IMG_SECTORS - 1
	times 0x1fe - ($ - $$) db 0
	dw 0xaa55

; ------------------------------------------------------------ sector 1 on
; The whole image is in memory now: DS = CS = 07C0h.
disk_main:
	SAVE_CALLER
	call install_prepare
	jc .fail
	mov word [es:di + BI_TYPE], IMAGE_USB
	cmp word [sector_size], 2048
	jne .usb
	mov word [es:di + BI_TYPE], IMAGE_ISO
.usb:
	mov word [es:di + BI_EXIT], EXIT_INT18
	mov [es:di + BI_CALLER_SS], ss
	mov [es:di + BI_CALLER_SP], sp
	mov al, [boot_drive]
	mov [es:di + BI_DRIVE], al
	jmp install_run
.fail:
	int 0x18

%define LOADED_END image_end
%include "installer.inc"
%include "body.inc"
	align 512, db 0
image_end:
