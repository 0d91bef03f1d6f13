; The verifying test disk's boot program (dust's SAN tests and benchmark).
;
; The BIOS (through dust's INT 13h hook) loads sector 0 to 0000:7C00 with
; DL = the drive.  It loads the rest of the program (sectors 1..7), then:
;   1. says "SANTEST boot" on COM1 at once (the benchmark times this);
;   2. checks EDD (INT 13h 41h) and the drive size (48h) and CHS (08h);
;   3. reads every data sector (LBA 8 to the end) with extended reads of
;      READ_SECTORS at a time and checks each dword: the disk image holds,
;      from LBA 8 on, the little-endian dword index of each dword in the
;      whole image (byte offset / 4);
;   4. reads LBA 8 once more with a CHS read and compares;
;   5. writes a sector (the last one) with new content, reads it back,
;      writes the old content back;
;   6. reports "SANTEST OK sectors=... " or "SANTEST FAIL ..." and ends
;      QEMU through the isa-debug-exit port (exit code 3 for OK, 5 fail).
; Markers "SANTEST read-start"/"read-end" bracket step 3 for timing.
; Build options: -DREAD_SECTORS=N (sectors per read, at most 127),
; -DNOCHECK (step 3 only reads: the benchmark's pure INT 13h figure).

bits 16
org 0x7c00

PROG_SECTORS equ 8
%ifndef READ_SECTORS
READ_SECTORS equ 64                 ; 32 KiB per extended read
%endif
BUF_SEG      equ 0x1000             ; read buffer at 1000:0000
COM1         equ 0x3f8

start:
	cli
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, 0x7c00
	sti
	cld
	mov [drive], dl
	mov si, msg_boot
	call print
	; Load the rest of the program with an extended read.
	mov word [dap_count], PROG_SECTORS - 1
	mov word [dap_off], 0x7e00
	mov word [dap_seg], 0
	mov dword [dap_lba], 1
	mov dword [dap_lba + 4], 0
	call read_dap
	jc fail_io
	jmp part2

; Print the NUL-terminated string at DS:SI to COM1.
print:
	push ax
	push dx
.next:	lodsb
	test al, al
	jz .done
	mov ah, al
	mov dx, COM1 + 5
.wait:	in al, dx
	test al, 0x20
	jz .wait
	mov al, ah
	mov dx, COM1
	out dx, al
	jmp .next
.done:	pop dx
	pop ax
	ret

read_dap:
	mov word [dap], 0x10
	mov si, dap
	mov ah, 0x42
	mov dl, [drive]
	int 0x13
	ret

fail_io:
	mov si, msg_fail_io
fail:
	call print
	mov si, msg_nl
	call print
	mov al, 2
	out 0xf4, al                 ; QEMU exits with (2 << 1) | 1 = 5
.h:	hlt
	jmp .h

msg_boot:	db "SANTEST boot", 13, 10, 0
msg_fail_io:	db "SANTEST FAIL read error", 0
msg_nl:		db 13, 10, 0
drive:		db 0
dap:		dw 0x10
dap_count:	dw 0
dap_off:	dw 0
dap_seg:	dw 0
dap_lba:	dd 0, 0

	times 446 - ($ - $$) db 0
	times 64 db 0                ; no partitions
	dw 0xaa55

; ------------------------------------------------------------ sector 1 on
part2:
	; EDD present?
	mov ah, 0x41
	mov bx, 0x55aa
	mov dl, [drive]
	int 0x13
	jc .noedd
	cmp bx, 0xaa55
	jne .noedd
	; Drive size in sectors (EDD parameters).
	mov word [params], 0x1a
	mov si, params
	mov ah, 0x48
	mov dl, [drive]
	int 0x13
	jc .noparams
	mov eax, [params + 16]       ; total sectors (low 32 bits)
	mov [total], eax
	; CHS geometry must be sensible.
	mov ah, 0x08
	mov dl, [drive]
	int 0x13
	jc .nochs
	and cl, 0x3f
	jz .nochs
	mov [spt], cl
	inc dh
	mov [heads], dh

	mov si, msg_rstart
	call print
	; Step 3: every data sector.
	mov dword [lba], PROG_SECTORS
.chunk:
	mov eax, [total]
	sub eax, [lba]
	jbe .readdone
	cmp eax, READ_SECTORS
	jbe .n
	mov eax, READ_SECTORS
.n:	mov [count], ax
	mov [dap_count], ax
	mov word [dap_off], 0
	mov word [dap_seg], BUF_SEG
	mov eax, [lba]
	mov [dap_lba], eax
	mov dword [dap_lba + 4], 0
	call read_dap
	jc fail_io
%ifndef NOCHECK
	; Check: dword k of the chunk == lba * 128 + k.
	push ds
	mov ax, BUF_SEG
	mov ds, ax
	xor si, si
	mov ebx, [cs:lba]
	shl ebx, 7
	movzx ecx, word [cs:count]
	shl ecx, 7
.chk:	lodsd
	cmp eax, ebx
	jne .bad
	inc ebx
	dec ecx
	jnz .chk
	pop ds
%endif
	movzx eax, word [count]
	add [lba], eax
	jmp .chunk
%ifndef NOCHECK
.bad:	pop ds
	mov si, msg_bad
	jmp fail
%endif
.readdone:
	mov si, msg_rend
	call print

	; Step 4: LBA PROG_SECTORS by CHS = (0, h, s) with that LBA.
	mov ax, PROG_SECTORS
	div byte [spt]               ; al = track, ah = sector - 1
	mov cl, ah
	inc cl
	xor ch, ch
	mov dh, al                   ; head (track < heads for small LBA)
	mov dl, [drive]
	mov bx, BUF_SEG
	mov es, bx
	xor bx, bx
	mov ax, 0x0201
	int 0x13
	jc .chsbad
	push ds
	mov ax, BUF_SEG
	mov ds, ax
	xor si, si
	mov ebx, PROG_SECTORS * 128
	mov ecx, 128
.chk2:	lodsd
	cmp eax, ebx
	jne .chsbad2
	inc ebx
	loop .chk2
	pop ds

	; Step 5: write the last sector, read it back, restore it.
	mov eax, [total]
	dec eax
	mov [dap_lba], eax
	mov dword [dap_lba + 4], 0
	mov word [dap_count], 1
	mov word [dap_off], 0
	mov word [dap_seg], BUF_SEG
	call read_dap                ; original content to 1000:0000
	jc fail_io
	push es
	mov ax, BUF_SEG + 0x20       ; new content at 1020:0000
	mov es, ax
	xor di, di
	mov eax, 0x5a17c0de
	mov cx, 128
	rep stosd
	pop es
	mov word [dap_seg], BUF_SEG + 0x20
	mov word [dap], 0x10
	mov si, dap
	mov ax, 0x4300
	mov dl, [drive]
	int 0x13
	jc .wbad
	mov word [dap_seg], BUF_SEG + 0x40
	mov word [dap_count], 1
	call read_dap
	jc fail_io
	push ds
	mov ax, BUF_SEG + 0x40
	mov ds, ax
	xor si, si
	mov cx, 128
.chk3:	lodsd
	cmp eax, 0x5a17c0de
	jne .wbad2
	loop .chk3
	pop ds
	mov word [dap_seg], BUF_SEG  ; put the original back
	mov word [dap_count], 1
	mov word [dap], 0x10
	mov si, dap
	mov ax, 0x4300
	mov dl, [drive]
	int 0x13
	jc .wbad

	mov si, msg_ok
	call print
	mov eax, [total]
	call print_dec
	mov si, msg_nl
	call print
	mov al, 1
	out 0xf4, al                 ; QEMU exits with 3
.h:	hlt
	jmp .h

.noedd:	mov si, msg_noedd
	jmp fail
.noparams:
	mov si, msg_noparams
	jmp fail
.nochs:	mov si, msg_nochs
	jmp fail
.chsbad2:
	pop ds
.chsbad:
	mov si, msg_chs
	jmp fail
.wbad2:	pop ds
.wbad:	mov si, msg_write
	jmp fail

; Print EAX in decimal.
print_dec:
	mov di, numbuf + 11
	mov byte [di], 0
	mov ebx, 10
.d:	xor edx, edx
	div ebx
	add dl, '0'
	dec di
	mov [di], dl
	test eax, eax
	jnz .d
	mov si, di
	jmp print

msg_rstart:	db "SANTEST read-start", 13, 10, 0
msg_rend:	db "SANTEST read-end", 13, 10, 0
msg_ok:		db "SANTEST OK sectors=", 0
msg_bad:	db "SANTEST FAIL data mismatch", 0
msg_noedd:	db "SANTEST FAIL no EDD", 0
msg_noparams:	db "SANTEST FAIL no drive parameters", 0
msg_nochs:	db "SANTEST FAIL no CHS geometry", 0
msg_chs:	db "SANTEST FAIL CHS read differs", 0
msg_write:	db "SANTEST FAIL write/read-back", 0
numbuf:		times 12 db 0
total:		dd 0
lba:		dd 0
count:		dw 0
spt:		db 0
heads:		db 0
params:		times 0x42 db 0

	times PROG_SECTORS * 512 - ($ - $$) db 0
