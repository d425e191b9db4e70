//go:build amd64 && !purego

#include "go_asm.h"
#include "textflag.h"

// func vectorScan(view []byte, i int, k *vectorKeys) (next int, mask uint32)
//
// Per 32-byte block at SI+CX: Y0 = the bytes, Y1 = the byte after each,
// Y2 = the byte before each. A position is flagged when Y0 is the anchor
// and Y2 is in the anchor's set (nibble look-ups), or when Y0 and Y1 are
// the two bytes of a head.
TEXT ·vectorScan(SB), NOSPLIT, $0-52
	MOVQ view_base+0(FP), SI
	MOVQ view_len+8(FP), DX
	MOVQ i+24(FP), CX
	MOVQ k+32(FP), DI
	MOVQ vectorKeys_nheads(DI), R9
	LEAQ vectorKeys_heads(DI), R8
	VMOVDQU vectorKeys_anchor(DI), Y14
	VMOVDQU vectorKeys_prevLo(DI), Y13
	VMOVDQU vectorKeys_prevHi(DI), Y12
	MOVL $0x0f0f0f0f, AX
	MOVL AX, X15
	VPBROADCASTD X15, Y15
	VPXOR Y11, Y11, Y11
	SUBQ $33, DX // the last block starts at len-33: it reads view[len-1]

loop:
	CMPQ CX, DX
	JGT  none
	VMOVDQU (SI)(CX*1), Y0
	VMOVDQU 1(SI)(CX*1), Y1
	VMOVDQU -1(SI)(CX*1), Y2

	// anchor: Y3 = (Y0 == anchor) && prevLo[Y2&15] & prevHi[Y2>>4] != 0
	VPCMPEQB Y14, Y0, Y3
	VPSRLW   $4, Y2, Y4
	VPAND    Y15, Y4, Y4
	VPAND    Y15, Y2, Y5
	VPSHUFB  Y4, Y12, Y4
	VPSHUFB  Y5, Y13, Y5
	VPAND    Y4, Y5, Y4
	VPCMPEQB Y11, Y4, Y4
	VPANDN   Y3, Y4, Y3

	// heads: Y3 |= (Y0 == first) && (Y1 == second), for each head
	MOVQ R8, R10
	MOVQ R9, R11

heads:
	VPCMPEQB (R10), Y0, Y4
	VPCMPEQB 32(R10), Y1, Y5
	VPAND    Y4, Y5, Y4
	VPOR     Y4, Y3, Y3
	ADDQ     $64, R10
	DECQ     R11
	JNZ      heads

	VPMOVMSKB Y3, AX
	TESTL     AX, AX
	JNZ       found
	ADDQ      $32, CX
	JMP       loop

found:
	MOVQ CX, next+40(FP)
	MOVL AX, mask+48(FP)
	VZEROUPPER
	RET

none:
	MOVQ CX, next+40(FP)
	MOVL $0, mask+48(FP)
	VZEROUPPER
	RET

// func nextBase64Block(b []byte, i int) int
//
// The first i' = i + 32k whose 32 bytes b[i':i'+32] all lie in '+'..'z'
// (a range that holds every base64 character), or the first i' with
// fewer than 32 bytes left.
TEXT ·nextBase64Block(SB), NOSPLIT, $0-40
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), DX
	MOVQ i+24(FP), CX
	MOVL $0x2a2a2a2a, AX // '+' - 1
	MOVL AX, X1
	VPBROADCASTD X1, Y1
	MOVL $0x7b7b7b7b, AX // 'z' + 1
	MOVL AX, X2
	VPBROADCASTD X2, Y2
	SUBQ $32, DX

blocks:
	CMPQ CX, DX
	JGT  done
	VMOVDQU   (SI)(CX*1), Y0
	VPCMPGTB  Y1, Y0, Y3 // b > '+'-1 (signed: bytes ≥ 0x80 fail)
	VPCMPGTB  Y0, Y2, Y4 // 'z'+1 > b
	VPAND     Y3, Y4, Y3
	VPMOVMSKB Y3, AX
	CMPL      AX, $0xffffffff
	JEQ       done
	ADDQ      $32, CX
	JMP       blocks

done:
	MOVQ CX, ret+32(FP)
	VZEROUPPER
	RET
