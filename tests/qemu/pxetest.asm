; A PXE program for the QEMU tests: finds the stack the way programs do
; (ES:BX, the !PXE pointer on the stack, INT 1Ah), calls services through
; both entry points, and reports on COM1 one line per check, which
; test_pxeapi.py reads.  Built with nasm at test time.
;
;   PXETEST int1a ax=564E cf=0 same=1
;   PXETEST sums pxenv=00 ppxe=00
;   PXETEST cached status=0000 op=02 server=XXXXXXXX
;   PXETEST fsize status=0000 size=XXXXXXXX
;   PXETEST read status=0000 packets=XXXX bytes=XXXX sum=XXXX
;   PXETEST readfile status=0000 size=XXXXXXXX sum=XXXX
;   PXETEST missing status=003B
;   PXETEST unknown ax=0001 status=0003
;   PXETEST badptr ax=0001 cf=1 kept=1
;   PXETEST unload ax=XXXX status=XXXX   (0000 0000, or 0001 0005: KEEP_ALL)
;   PXETEST disk cf=X sig=XXXX           (drive 80h after the unload)
;   PXETEST done

bits 16
org 0x7c00

%define FILE "pxetest.bin"
READBUF  equ 0x3000             ; segment of TFTP_READ's buffer
FILEBUF  equ 0x40000            ; linear address for TFTP_READ_FILE

start:
	push cs
	pop ds
	mov [pxenv], bx
	mov [pxenv + 2], es
	mov bp, sp
	mov eax, [bp + 4]           ; !PXE far pointer above the return address
	mov [ppxe], eax

	; ---- INT 1Ah AX=5650h finds the same PXENV+
	mov ax, 0x5650
	int 0x1a
	push ax
	setc dl
	cmp bx, [pxenv]
	sete dh
	mov cx, es
	cmp cx, [pxenv + 2]
	sete cl
	and dh, cl
	mov si, s_int1a
	call puts
	pop ax
	call hex16
	mov si, s_cf
	call puts
	mov al, dl
	call digit
	mov si, s_same
	call puts
	mov al, dh
	call digit
	call newline

	; ---- checksums; entry points
	mov si, s_sums
	call puts
	les di, [pxenv]
	movzx cx, byte [es:di + 8]
	call bytesum
	call hex8
	mov si, s_ppxe
	call puts
	les di, [ppxe]
	movzx cx, byte [es:di + 4]
	call bytesum
	call hex8
	call newline
	les di, [pxenv]
	mov eax, [es:di + 0x0a]
	mov [pxenv_entry], eax
	les di, [ppxe]
	mov eax, [es:di + 0x10]
	mov [ppxe_entry], eax

	; ---- GET_CACHED_INFO (DHCPACK, the stack's own copy) via !PXE
	mov word [blk + 2], 2
	mov word [blk + 4], 0
	mov dword [blk + 6], 0
	mov bx, 0x0071
	call ppxe_call
	mov si, s_cached
	call status_line
	mov si, s_op
	call puts
	les di, [blk + 6]
	mov al, [es:di]
	call hex8
	mov eax, [es:di + 20]       ; siaddr: the TFTP server
	mov [server], eax
	mov si, s_server
	call puts
	call hex32
	call newline

	; ---- TFTP_GET_FSIZE via PXENV+
	call clear_blk
	mov eax, [server]
	mov [blk + 2], eax
	mov si, name
	mov di, blk + 10
	call strcpy
	mov bx, 0x0025
	call pxenv_call
	mov si, s_fsize
	call status_line
	mov si, s_size
	call puts
	mov eax, [blk + 138]
	call hex32
	call newline

	; ---- TFTP_OPEN / TFTP_READ until a short packet / TFTP_CLOSE
	call clear_blk
	mov eax, [server]
	mov [blk + 2], eax
	mov si, name
	mov di, blk + 10
	call strcpy
	mov word [blk + 138], 0x4500    ; port 69, network order
	mov word [blk + 140], 512
	mov bx, 0x0020
	call pxenv_call
	mov ax, [blk]
	mov [open_status], ax
	mov ax, [blk + 140]
	mov [packet_size], ax
	xor ax, ax
	mov [packets], ax
	mov [bytes], ax
	mov [sum], ax
	cmp word [open_status], 0
	jne .read_done
.read:
	mov word [blk], 0
	mov dword [blk + 6], READBUF << 16
	mov bx, 0x0022
	call pxenv_call
	cmp word [blk], 0
	jne .read_failed
	inc word [packets]
	mov cx, [blk + 4]
	add [bytes], cx
	push cx
	push word READBUF
	pop es
	xor di, di
	call addsum
	pop cx
	cmp cx, [packet_size]
	je .read
	jmp .read_close
.read_failed:
	mov ax, [blk]
	mov [open_status], ax
.read_close:
	mov word [blk], 0
	mov bx, 0x0021
	call pxenv_call
.read_done:
	mov si, s_read
	call puts
	mov ax, [open_status]
	call hex16
	mov si, s_packets
	call puts
	mov ax, [packets]
	call hex16
	mov si, s_bytes
	call puts
	mov ax, [bytes]
	call hex16
	mov si, s_sum
	call puts
	mov ax, [sum]
	call hex16
	call newline

	; ---- TFTP_READ_FILE to a linear address via !PXE
	call clear_blk
	mov si, name
	mov di, blk + 2
	call strcpy
	mov dword [blk + 130], 0x10000      ; room
	mov dword [blk + 134], FILEBUF
	mov eax, [server]
	mov [blk + 138], eax
	mov word [blk + 152], 0x4500
	mov bx, 0x0023
	call ppxe_call
	mov si, s_readfile
	call status_line
	mov si, s_size
	call puts
	mov eax, [blk + 130]
	call hex32
	mov word [sum], 0
	mov cx, [blk + 130]
	push word FILEBUF >> 4
	pop es
	xor di, di
	call addsum
	mov si, s_sum
	call puts
	mov ax, [sum]
	call hex16
	call newline

	; ---- a file that is not there
	call clear_blk
	mov eax, [server]
	mov [blk + 2], eax
	mov si, missing
	mov di, blk + 10
	call strcpy
	mov word [blk + 140], 512
	mov bx, 0x0020
	call pxenv_call
	mov si, s_missing
	call status_line
	call newline

	; ---- an opcode no stack has
	mov word [blk], 0x5555
	mov bx, 0x00ee
	call pxenv_call
	mov si, s_unknown
	call puts
	call hex16
	mov si, s_status
	call puts
	mov ax, [blk]
	call hex16
	call newline

	; ---- a parameter block in the interrupt table
	xor ax, ax
	mov es, ax
	mov eax, [es:0x10]
	mov [saved], eax
	mov bx, 0x0071
	mov di, 0x0010
	call far [pxenv_entry]
	setc dl
	push ax
	mov si, s_badptr
	call puts
	pop ax
	call hex16
	mov si, s_cf
	call puts
	mov al, dl
	call digit
	xor ax, ax
	mov es, ax
	mov eax, [es:0x10]
	cmp eax, [saved]
	sete al
	mov si, s_kept
	call puts
	call digit
	call newline

	; ---- taking the stack down (UNDI_SHUTDOWN, UNLOAD_STACK), then the
	; first hard disk, which a SAN disk must still serve
	call clear_blk
	mov bx, 0x0005
	call pxenv_call
	call clear_blk
	mov bx, 0x0070
	call ppxe_call
	mov si, s_unload
	call puts
	call hex16
	mov si, s_status
	call puts
	mov ax, [blk]
	call hex16
	call newline
	push word READBUF
	pop es
	xor bx, bx
	mov word [es:510], 0
	mov ax, 0x0201
	mov cx, 1
	mov dx, 0x0080
	int 0x13
	setc dl
	mov si, s_disk
	call puts
	mov al, dl
	call digit
	mov si, s_sig
	call puts
	mov ax, [es:510]
	call hex16
	call newline

	mov si, s_done
	call puts
	call newline
	xor ax, ax                  ; back to dust: success
	retf

; ---- calls: BX = opcode, block at DS:blk; AX = exit code
pxenv_call:
	push ds
	pop es
	mov di, blk
	call far [pxenv_entry]
	ret

ppxe_call:
	push ds
	push word blk
	push bx
	call far [ppxe_entry]
	add sp, 6
	ret

clear_blk:
	push ds
	pop es
	mov di, blk
	mov cx, 80
	xor ax, ax
	rep stosw
	ret

; copy the string at DS:SI to DS:DI
strcpy:
	push ds
	pop es
.c:	lodsb
	stosb
	test al, al
	jnz .c
	ret

; AL = byte sum of CX bytes at ES:DI
bytesum:
	xor al, al
.s:	add al, [es:di]
	inc di
	loop .s
	ret

; [sum] += bytes of CX bytes at ES:DI
addsum:
	jcxz .z
	xor ax, ax
.a:	mov al, [es:di]
	add [sum], ax
	inc di
	loop .a
.z:	ret

; "PXETEST <what> status=XXXX" with the block's status (SI = what)
status_line:
	call puts
	mov si, s_status
	call puts
	mov ax, [blk]
	jmp hex16

; ---- COM1 output (dust set the line up)
putc:
	push dx
	push ax
	mov dx, 0x3fd
.w:	in al, dx
	test al, 0x20
	jz .w
	pop ax
	mov dx, 0x3f8
	out dx, al
	pop dx
	ret

puts:
	push ax
.n:	lodsb
	test al, al
	jz .e
	call putc
	jmp .n
.e:	pop ax
	ret

newline:
	push ax
	mov al, 13
	call putc
	mov al, 10
	call putc
	pop ax
	ret

digit:
	push ax
	add al, '0'
	call putc
	pop ax
	ret

nibble:
	and al, 15
	add al, '0'
	cmp al, '9'
	jbe .p
	add al, 'A' - '9' - 1
.p:	jmp putc

hex8:
	push ax
	push ax
	shr al, 4
	call nibble
	pop ax
	call nibble
	pop ax
	ret

hex16:
	xchg al, ah
	call hex8
	xchg al, ah
	jmp hex8

hex32:
	ror eax, 16
	call hex16
	ror eax, 16
	jmp hex16

; ---- data
s_int1a:	db "PXETEST int1a ax=", 0
s_cf:		db " cf=", 0
s_same:		db " same=", 0
s_sums:		db "PXETEST sums pxenv=", 0
s_ppxe:		db " ppxe=", 0
s_cached:	db "PXETEST cached", 0
s_op:		db " op=", 0
s_server:	db " server=", 0
s_fsize:	db "PXETEST fsize", 0
s_size:		db " size=", 0
s_read:		db "PXETEST read status=", 0
s_packets:	db " packets=", 0
s_bytes:	db " bytes=", 0
s_sum:		db " sum=", 0
s_readfile:	db "PXETEST readfile", 0
s_missing:	db "PXETEST missing", 0
s_unknown:	db "PXETEST unknown ax=", 0
s_status:	db " status=", 0
s_badptr:	db "PXETEST badptr ax=", 0
s_kept:		db " kept=", 0
s_unload:	db "PXETEST unload ax=", 0
s_disk:		db "PXETEST disk cf=", 0
s_sig:		db " sig=", 0
s_done:		db "PXETEST done", 0
name:		db FILE, 0
missing:	db "no-such-file.bin", 0

	align 4
pxenv:		dd 0
ppxe:		dd 0
pxenv_entry:	dd 0
ppxe_entry:	dd 0
server:		dd 0
saved:		dd 0
open_status:	dw 0
packet_size:	dw 0
packets:	dw 0
bytes:		dw 0
sum:		dw 0
	align 16
blk:		times 160 db 0
