; The resident block: the only code that switches between real mode and
; 32-bit protected mode.  It is assembled at origin 0 and copied by a prefix
; to the top of base memory, where it stays for as long as anything (INT 13h,
; INT 15h, the PXE API) may call back into dust.
;
; Entry points (offsets published in the header, see bios/resident.h):
;   run        real mode, jumped to by the installer: runs the install stub
;              and the core, then leaves the way boot_info says.
;   pm_call    real mode far call: call a 32-bit function in protected mode.
;   real_call  32-bit cdecl: run a BIOS interrupt or far call in real mode.
;   hook stubs real-mode interrupt / far-call entries that call the C
;              dispatcher with a struct bregs.
;
; Stacks nest: real_call saves the protected-mode stack pointer in pm_esp and
; runs on the resident real-mode stack below rm_sp; an entry from real mode
; runs C on pm_esp, and when it arrives on our own real-mode stack it moves
; rm_sp below itself, so BIOS -> hook -> C -> BIOS -> hook ... is safe.

%include "resident.inc"

bits 16
org 0

RM_STACK_SIZE equ 4096
PM_STACK_SIZE equ 2048
FLAGS_RETURNED equ 0x08d5      ; CF PF AF ZF SF OF: what a hook may change

section .text

; ---------------------------------------------------------------- header
header:
	dd RES_MAGIC_VALUE
	dw resident_end                 ; RES_SIZE
	dw res_run                      ; RES_RUN
	dw res_pm_call                  ; RES_PM_CALL
	dw pm_real_call                 ; RES_REAL_CALL
	dw hook_table                   ; RES_HOOKS
	dw bootinfo                     ; RES_BOOTINFO
	dw scratch                      ; RES_SCRATCH
	dw free_area                    ; RES_FREE
%if ($ - $$) != RES_DISPATCH
%error "header layout out of sync with resident.h"
%endif
dispatch:	dd 0                    ; RES_DISPATCH
pm_esp:		dd 0                    ; RES_PM_ESP
res_base:	dd 0                    ; RES_BASE
res_seg:	dw 0                    ; RES_SEG
rm_sp:		dw 0                    ; RES_RM_SP
	dw hook_stubs_end               ; RES_HOOK_STUB_END
	dw print_far                    ; RES_PRINT
%if ($ - $$) != RES_OLDVEC
%error "header layout out of sync with resident.h"
%endif
oldvec:		times RES_NHOOKS dd 0
hook_arg:	times RES_NHOOKS dw 0
%if ($ - $$) != RES_HEADER_END
%error "header layout out of sync with resident.h"
%endif

; ---------------------------------------------------------------- GDT
	align 8
gdt:
	dq 0
	; SEL_CODE32: flat 4 GiB code, 32-bit
	dw 0xffff, 0
	db 0, 0x9a, 0xcf, 0
	; SEL_DATA32: flat 4 GiB data
	dw 0xffff, 0
	db 0, 0x92, 0xcf, 0
	; SEL_CODE16: 64 KiB code based at the block (base patched)
gdt_code16:
	dw 0xffff, 0
	db 0, 0x9a, 0x00, 0
	; SEL_DATA16: 64 KiB data based at the block (base patched)
gdt_data16:
	dw 0xffff, 0
	db 0, 0x92, 0x00, 0
gdt_end:

gdtr:	dw gdt_end - gdt - 1
	dd 0                            ; patched: linear address of gdt
rm_idtr: dw 0x3ff                       ; the real-mode vector table
	dd 0
pm_idtr: dw 0                           ; no protected-mode IDT: a fault
	dd 0                            ; in C is a clean triple fault

; Far pointers for protected mode -> real mode jumps; init fills in the
; segment halves.
rm_ptrs:
ptr_rc_rm:	dw rc_rm, 0
ptr_pc_rm:	dw pc_rm, 0
ptr_hk_rm:	dw hk_rm, 0
rm_ptrs_end:

; Target of the real-mode call in progress (read right before the call).
rm_target:	dd 0
rm_is_int:	db 0
	align 4

; ---------------------------------------------------------------- macros

; Switch from real mode to flat 32-bit protected mode and continue at %1.
; In: EBX = linear address of the block.  Clobbers EBP.  Interrupts off.
%macro GO_PM 1
	cli
	o32 lgdt [cs:gdtr]
	o32 lidt [cs:pm_idtr]
	push dword SEL_CODE32
	lea ebp, [ebx + %1]
	push ebp
	mov ebp, cr0
	or bp, 1
	mov cr0, ebp
	o32 retf
bits 32
%1:
	mov bp, SEL_DATA32
	mov ds, bp
	mov es, bp
	mov fs, bp
	mov gs, bp
	mov ss, bp
	cld
%endmacro

; Switch from 32-bit protected mode back to real mode and continue at the
; real-mode address held in far pointer %1.  Keeps every general register
; but EBP.  The stack is not usable until the caller loads SS:SP.
%macro GO_RM 1
	jmp SEL_CODE16:%%pm16
bits 16
%%pm16:
	mov bp, SEL_DATA16              ; 64 KiB limits in every segment cache
	mov ds, bp
	mov es, bp
	mov fs, bp
	mov gs, bp
	mov ss, bp
	mov ebp, cr0
	and bp, 0xfffe
	mov cr0, ebp
	jmp far [cs:%1]
%endmacro

; ---------------------------------------------------------------- init
; Patch the descriptors and far pointers for the segment we were copied to.
; Real mode, CS = our segment.  Keeps all registers.
res_init:
	pushad
	push ds
	mov ax, cs
	mov ds, ax
	mov [res_seg], ax
	movzx eax, ax
	shl eax, 4
	mov [res_base], eax
	lea edx, [eax + gdt]
	mov [gdtr + 2], edx
	mov [gdt_code16 + 2], ax        ; base bits 0..15
	mov [gdt_data16 + 2], ax
	shr eax, 16
	mov [gdt_code16 + 4], al        ; base bits 16..23
	mov [gdt_data16 + 4], al
	mov ax, cs
	mov si, rm_ptrs + 2
.ptr:	mov [si], ax
	add si, 4
	cmp si, rm_ptrs_end
	jb .ptr
	mov eax, [res_base]
	add eax, pm_stack_top
	mov [pm_esp], eax
	mov word [rm_sp], rm_stack_top
	pop ds
	popad
	ret

; ---------------------------------------------------------------- run
; Jumped to (not called) by the installer once bootinfo is filled in.
res_run:
	cli
	mov ax, cs
	mov ds, ax
	mov ss, ax
	mov esp, rm_stack_top
	sti
	call res_init
	call enable_a20
	jnc .a20ok
	or byte [bootinfo + BI_FLAGS], BIF_A20_FAILED
	mov si, msg_a20
	call print
	jmp .exit
.a20ok:
	; Run the install stub: check, decompress and relocate the core.
	mov eax, [bootinfo + BI_STUB]
	mov edx, [res_base]
	add edx, bootinfo
	xor ecx, ecx
	call res_pm_call_near
	test eax, eax
	jz .installed
	mov si, bootinfo + BI_ERRMSG
	call print
	mov si, msg_nl
	call print
	jmp .exit
.installed:
	mov eax, [bootinfo + BI_ENTRY]
	mov edx, [res_base]
	add edx, bootinfo
	mov ecx, [bootinfo + BI_STACK]
	call res_pm_call_near
	mov [bootinfo + BI_EXIT_CODE], ax
.exit:
	cli
	mov ax, cs
	mov ds, ax
	; Give base memory back unless something still needs the block: if
	; 40:13h still ends free memory at the block, raise it to the top
	; recorded in boot_info (which an unloaded PXE stack may have raised).
	test byte [bootinfo + BI_FLAGS], BIF_KEEP
	jnz .keep
	push es
	push word 0x40
	pop es
	mov ax, cs
	shr ax, 6                       ; the block's start in KiB
	cmp [es:0x13], ax
	jne .nofree
	mov ax, [bootinfo + BI_BASEMEM_KB]
	mov [es:0x13], ax
.nofree:
	pop es
.keep:
	mov bx, [bootinfo + BI_EXIT_CODE]
	mov cx, [bootinfo + BI_EXIT]
	mov ss, [bootinfo + BI_CALLER_SS]
	movzx esp, word [bootinfo + BI_CALLER_SP]
	sti
	cmp cx, EXIT_RETF
	jne .int18
	mov bp, sp                      ; the prefix's SAVE_CALLER frame
	mov [bp + BREGS_EAX], bx
	popad
	pop ds
	pop es
	pop fs
	pop gs
	popfd
	retf
.int18:
	int 0x18
.halt:	hlt
	jmp .halt

msg_a20:	db "dust: cannot enable the A20 line", 13, 10, 0
msg_nl:		db 13, 10, 0

; Far-callable print, also usable before the block is installed: a prefix
; calls it in place inside its own copy of the image.
print_far:
	call print
	retf

; Print the string at DS:SI to the BIOS console and COM1 (COM1 only when
; the BIOS does not already copy its console there: see serial.c).
print:
	pusha
	push es
	xor bx, bx                      ; BX = 1: also write to COM1
	mov es, bx
	cmp word [es:0x10 * 4 + 2], 0xe000
	jb .com1
	mov ax, 0xc000
	mov es, ax
	cmp word [es:0], 0xaa55
	je .setup
.com1:	inc bx
	mov dx, 0x3fb                   ; COM1 line control: 115200 8N1
	mov al, 0x80
	out dx, al
	mov dx, 0x3f8
	mov al, 1
	out dx, al
	inc dx
	xor al, al
	out dx, al
	mov dx, 0x3fb
	mov al, 0x03
	out dx, al
.setup:	mov di, bx
.next:	lodsb
	test al, al
	jz .done
	push si
	push di
	mov ah, 0x0e
	mov bx, 0x0007
	push ax
	int 0x10
	pop ax
	pop di
	test di, di
	jz .skip
	mov dx, 0x3fd
	mov cx, 0xffff
.wait:	mov ah, al
	in al, dx
	test al, 0x20
	mov al, ah
	jnz .tx
	loop .wait
.tx:	mov dx, 0x3f8
	out dx, al
.skip:	pop si
	jmp .next
.done:	pop es
	popa
	ret

; ---------------------------------------------------------------- A20
; Enable the A20 gate; CF set if it stays off.
enable_a20:
	pushad
	call a20_on
	jz .ok
	mov ax, 0x2401                  ; BIOS method
	int 0x15
	call a20_on
	jz .ok
	in al, 0x92                     ; "fast A20" port
	or al, 0x02
	and al, 0xfe
	out 0x92, al
	call a20_on
	jz .ok
	call kbc_wait                   ; keyboard controller output port
	mov al, 0xd1
	out 0x64, al
	call kbc_wait
	mov al, 0xdf
	out 0x60, al
	call kbc_wait
	mov cx, 0x1000
.poll:	call a20_on
	jz .ok
	loop .poll
	popad
	stc
	ret
.ok:	popad
	clc
	ret

kbc_wait:
	mov cx, 0xffff
.w:	in al, 0x64
	test al, 0x02
	jz .r
	loop .w
.r:	ret

; ZF set if A20 is on.  Only base memory is written: 0000:0500 is toggled and
; compared with FFFF:0510 (which aliases it while A20 is off); the high copy
; is never written, since a .lkrn payload may live there.
a20_on:
	push ds
	push es
	push ax
	xor ax, ax
	mov ds, ax
	dec ax
	mov es, ax
	mov al, [0x500]
	not byte [0x500]
	mov ah, [es:0x510]
	cmp ah, [0x500]
	mov [0x500], al                 ; restore (mov keeps the flags)
	jne .on
	cmp al, [es:0x510]
	jne .on
	test sp, sp                     ; ZF=0: both probes aliased, A20 off
	jmp .out
.on:	cmp ax, ax                      ; ZF=1
.out:	pop ax
	pop es
	pop ds
	ret

; ---------------------------------------------------------------- pm_call
; Real mode: call the 32-bit cdecl function at linear EAX with argument EDX
; on the protected-mode stack ECX (0: the current one).  Returns its EAX.
; res_pm_call is the far-callable entry; res_pm_call_near the near one.
res_pm_call:
	call res_pm_call_near
	retf

res_pm_call_near:
	pushfd
	push gs
	push fs
	push es
	push ds
	pushad
	push word [cs:rm_sp]
	mov bx, cs
	mov si, ss
	cmp si, bx
	jne .foreign
	mov [cs:rm_sp], sp              ; nested calls go below us
.foreign:
	movzx esi, si
	movzx edi, sp
	mov ebx, [cs:res_base]
	GO_PM pc_pm
	test ecx, ecx
	jnz .stack
	mov ecx, [ebx + pm_esp]
.stack:	mov esp, ecx
	push esi
	push edi
	push edx
	call eax
	add esp, 4
	pop edi
	pop esi
	GO_RM ptr_pc_rm
pc_rm:
	mov ss, si
	movzx esp, di
	lidt [cs:rm_idtr]
	pop word [cs:rm_sp]
	mov bp, sp
	mov [bp + BREGS_EAX], eax
	popad
	pop ds
	pop es
	pop fs
	pop gs
	popfd
	ret

; ---------------------------------------------------------------- real_call
; 32-bit cdecl: void real_call(struct rm_call *c)
; Runs INT c->intno (via the vector table) or a far call to c->cs:c->ip in
; real mode with the registers in c->regs and c->nstack words pushed; the
; registers afterwards are stored back into c->regs.
bits 32
pm_real_call:
	push ebp
	push ebx
	push esi
	push edi
	call .here
.here:	pop ebx
	sub ebx, .here                  ; EBX = linear address of the block
	mov esi, [esp + 20]             ; struct rm_call *
	movzx ecx, word [esi + RMC_NSTACK]
	cmp ecx, RMC_MAXSTACK
	jbe .nok
	mov ecx, RMC_MAXSTACK
.nok:	lea ebp, [ecx * 2 + BREGS_SIZE]
	movzx edi, word [ebx + rm_sp]
	sub edi, ebp
	and edi, ~3                     ; EDI = real-mode SP of the frame
	push esi
	push dword [ebx + pm_esp]
	mov [ebx + pm_esp], esp
	push edi
	push ecx
	lea edi, [ebx + edi]
	mov ecx, BREGS_SIZE / 4
	rep movsd                       ; registers to the frame
	movsx eax, word [esi + RMC_INTNO - BREGS_SIZE]
	test eax, eax
	js .far
	mov eax, [eax * 4]              ; vector from the real-mode IVT
	mov byte [ebx + rm_is_int], 1
	jmp .tgt
.far:	mov eax, [esi + RMC_IP - BREGS_SIZE]
	mov byte [ebx + rm_is_int], 0
.tgt:	mov [ebx + rm_target], eax
	pop ecx
	add esi, RMC_STACK - BREGS_SIZE
	rep movsw                       ; stack words above the registers
	pop edi
	GO_RM ptr_rc_rm
rc_rm:
	mov ax, cs
	mov ss, ax
	movzx esp, di
	lidt [cs:rm_idtr]
	cmp byte [cs:rm_is_int], 0
	je .farcall
	popad
	pop ds
	pop es
	pop fs
	pop gs
	popfd
	pushf
	call far [cs:rm_target]
	jmp .back
.farcall:
	popad
	pop ds
	pop es
	pop fs
	pop gs
	popfd
	call far [cs:rm_target]
.back:
	pushfd
	push gs
	push fs
	push es
	push ds
	pushad
	cli
	mov ax, cs
	mov ds, ax
	movzx edi, sp
	mov ebx, [res_base]
	GO_PM rc_pm
	mov esp, [ebx + pm_esp]
	pop dword [ebx + pm_esp]
	pop eax                         ; struct rm_call *
	lea esi, [ebx + edi]
	mov edi, eax
	mov ecx, BREGS_SIZE / 4
	rep movsd
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

; ---------------------------------------------------------------- hooks
; Each stub filters what it can in real mode and passes the rest to the C
; dispatcher: void dispatch(unsigned int id, struct bregs *regs).
bits 16
hook_table:
	dw hook_int13, hook_int15, hook_pxenv, hook_pxe, hook_int1a, 0, 0, 0

hook_int13:
	cmp dl, 0x80                    ; floppies are never ours
	jb .chain
	push word HOOK_INT13
	jmp hook_common
.chain:	jmp far [cs:oldvec + HOOK_INT13 * 4]

hook_int15:
	cmp ax, 0xe820
	je .ours
	cmp ax, 0xe801
	je .ours
	cmp ah, 0x88
	je .ours
	jmp far [cs:oldvec + HOOK_INT15 * 4]
.ours:	push word HOOK_INT15
	jmp hook_common

hook_int1a:
	cmp ax, 0x5650                  ; PXE installation check
	je .ours
	jmp far [cs:oldvec + HOOK_INT1A * 4]
.ours:	push word HOOK_INT1A
	jmp hook_common

hook_pxenv:
	push word HOOK_PXENV | HOOK_FAR
	jmp hook_common

hook_pxe:
	push word HOOK_PXE | HOOK_FAR
	jmp hook_common

; Stack on entry: [id] [ip] [cs] ([flags] for interrupts).
hook_common:
	pushfd
	push gs
	push fs
	push es
	push ds
	pushad
	cli
	cld
	mov bp, sp
	push word [cs:rm_sp]
	mov ax, cs
	mov bx, ss
	cmp ax, bx
	jne .foreign
	mov [cs:rm_sp], sp
.foreign:
	movzx esi, bx
	movzx edi, sp
	mov edx, esi
	shl edx, 4
	movzx ebp, bp
	add edx, ebp                    ; linear struct bregs *
	movzx eax, word [bp + BREGS_SIZE]
	mov ebx, [cs:res_base]
	GO_PM hk_pm
	mov esp, [ebx + pm_esp]
	push esi
	push edi
	push edx
	push eax
	mov eax, [ebx + dispatch]
	test eax, eax
	jz .none
	call eax
.none:	add esp, 8
	pop edi
	pop esi
	GO_RM ptr_hk_rm
hk_rm:
	mov ss, si
	movzx esp, di
	lidt [cs:rm_idtr]
	pop word [cs:rm_sp]
	mov bp, sp
	test word [bp + BREGS_SIZE], HOOK_FAR
	jnz .far
	mov ax, [bp + BREGS_FLAGS]      ; result flags into the iret frame
	and ax, FLAGS_RETURNED
	and word [bp + BREGS_SIZE + 6], ~FLAGS_RETURNED
	or [bp + BREGS_SIZE + 6], ax
	popad
	pop ds
	pop es
	pop fs
	pop gs
	add sp, 6                       ; flags and id
	iret
.far:
	popad
	pop ds
	pop es
	pop fs
	pop gs
	popfd
	lea sp, [esp + 2]               ; drop the id without touching flags
	retf
hook_stubs_end:

; ---------------------------------------------------------------- data
section .bss align=16
bootinfo:	resb BI_SIZE
	alignb 16
scratch:	resb RES_SCRATCH_SIZE
free_area:	resb RES_FREE_SIZE
	alignb 16
pm_stack:	resb PM_STACK_SIZE
pm_stack_top:
rm_stack:	resb RM_STACK_SIZE
rm_stack_top:
resident_end:
