; A boot sector for the iSCSI QEMU tests: loaded from the SAN disk by
; sanboot, it works the disk through INT 13h and reports on COM1.
;
;   "MBR" then, for PASSES passes, reads sectors 1..READ_SECTORS in
;   chunks of CHUNK (EDD AH=42h) and prints "." per pass and at the end
;   "SUM=xxxxxxxx" (32-bit sum of the dwords of the last pass); writes
;   WRITE_SECTORS sectors of a counting pattern at WRITE_LBA (AH=43h),
;   reads them back and compares ("WRITE OK" or "WRITE BAD"); looks for
;   the iBFT in 512 KiB..1 MiB ("IBFT" or "NO IBFT"); then leaves QEMU
;   through isa-debug-exit with 0x10 (exit status 33).
;
; Assembled by the test with nasm -DPASSES=... -DREAD_SECTORS=... etc.

bits 16
org 0x7c00

%ifndef PASSES
%define PASSES 1
%endif
%ifndef READ_SECTORS
%define READ_SECTORS 512
%endif
%define CHUNK 64
%ifndef WRITE_LBA
%define WRITE_LBA 4000
%endif
%define WRITE_SECTORS 64
%define BUF_SEG 0x1000

start:
	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7c00
	sti
	mov [drive], dl
	mov si, msg_mbr
	call puts

	mov word [pass], PASSES
.pass:
	xor ebp, ebp                    ; the sum
	mov dword [lba], 1
.chunk:
	mov word [dap_count], CHUNK
	mov ax, [lba]
	mov [dap_lba], ax
	mov ah, 0x42
	call disk
	jc fail
	push ds
	mov ax, BUF_SEG
	mov ds, ax
	xor si, si
	mov cx, CHUNK * 512 / 4
.sum:
	add ebp, [si]
	add si, 4
	loop .sum
	pop ds
	add dword [lba], CHUNK
	cmp dword [lba], READ_SECTORS + 1
	jb .chunk
	mov al, '.'
	call putc
	dec word [pass]
	jnz .pass
	mov si, msg_sum
	call puts
	mov eax, ebp
	call puthex
	call newline

	; write a counting pattern, read it back, compare
	push es
	mov ax, BUF_SEG
	mov es, ax
	xor di, di
	mov eax, 0x5a000000
	mov cx, WRITE_SECTORS * 512 / 4
.fill:
	stosd
	inc eax
	loop .fill
	pop es
	mov word [dap_count], WRITE_SECTORS
	mov word [dap_lba], WRITE_LBA
	mov ax, 0x4300
	call disk
	jc fail
	push es                         ; clear the buffer before reading
	mov ax, BUF_SEG
	mov es, ax
	xor di, di
	xor eax, eax
	mov cx, WRITE_SECTORS * 512 / 4
	rep stosd
	pop es
	mov word [dap_count], WRITE_SECTORS
	mov word [dap_lba], WRITE_LBA
	mov ah, 0x42
	call disk
	jc fail
	push ds
	mov ax, BUF_SEG
	mov ds, ax
	xor si, si
	mov eax, 0x5a000000
	mov cx, WRITE_SECTORS * 512 / 4
.cmp:
	cmp [si], eax
	jne .bad
	add si, 4
	inc eax
	loop .cmp
	pop ds
	mov si, msg_wok
	call puts
	jmp ibft
.bad:
	pop ds
	mov si, msg_wbad
	call puts

ibft:
	; the iBFT: 16-byte aligned between 512 KiB and 1 MiB
	mov ax, 0x8000
.scan:
	mov es, ax
	cmp dword [es:0], 'iBFT'
	je .found
	inc ax
	cmp ax, 0
	jne .scan
	mov si, msg_noibft
	call puts
	jmp done
.found:
	mov si, msg_ibft
	call puts
done:
	mov al, 0x10
	out 0xf4, al
	hlt
	jmp done

fail:
	mov si, msg_fail
	call puts
	mov al, ah
	call puthex8
	call newline
	mov al, 0x11
	out 0xf4, al
	hlt

; INT 13h with the DAP; AH = function
disk:
	mov si, dap
	mov dl, [drive]
	int 0x13
	ret

putc:                                   ; AL to COM1
	push dx
	push ax
	mov dx, 0x3fd
.wait:
	in al, dx
	test al, 0x20
	jz .wait
	pop ax
	mov dx, 0x3f8
	out dx, al
	pop dx
	ret

puts:                                   ; DS:SI, NUL-ended
	lodsb
	test al, al
	jz .end
	call putc
	jmp puts
.end:
	ret

newline:
	mov al, 13
	call putc
	mov al, 10
	jmp putc

puthex:                                 ; EAX, 8 digits
	mov cx, 8
.digit:
	rol eax, 4
	push eax
	and al, 15
	add al, '0'
	cmp al, '9'
	jbe .out
	add al, 'a' - '9' - 1
.out:
	call putc
	pop eax
	loop .digit
	ret

puthex8:                                ; AL, 2 digits
	shl eax, 24
	mov cx, 2
	jmp puthex.digit

msg_mbr:	db 13, 10, "MBR", 13, 10, 0
msg_sum:	db 13, 10, "SUM=", 0
msg_wok:	db "WRITE OK", 13, 10, 0
msg_wbad:	db "WRITE BAD", 13, 10, 0
msg_ibft:	db "IBFT", 13, 10, 0
msg_noibft:	db "NO IBFT", 13, 10, 0
msg_fail:	db 13, 10, "INT13 FAIL ", 0

align 4
dap:		db 16, 0
dap_count:	dw 0
		dw 0, BUF_SEG
dap_lba:	dd 0, 0
drive:		db 0
pass:		dw 0
lba:		dd 0

times 510 - ($ - $$) db 0
		dw 0xaa55
