import BPFCore
import Engine
import LinuxKernel
import TCX
import Testing

/// Verifier rules seen on single instructions, written as raw bytecode: each case with the
/// verdict Linux 6.18 gave (errno and log line, recorded on this machine by loading the same
/// bytes as a SCHED_CLS program). The embedded backend must give the same errno and a message
/// naming the same rule; the kernel test re-checks the recorded verdicts.
struct VerifierInstructionRulesTests {
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let program: [Instruction]
        /// nil: loaded; otherwise the errno and (for the embedded backend) the message's ending.
        let refusal: (LinuxErrno, String)?
        var description: String { name }
    }

    static func op(_ code: UInt8, _ dst: UInt8 = 0, _ src: UInt8 = 0, _ off: Int16 = 0, _ imm: Int32 = 0) -> Instruction {
        Instruction(opcode: code, dst: dst, src: src, offset: off, imm: imm)
    }
    static let exit = op(0x95), zero = op(0xb7, 0, 0, 0, 0)

    static let cases: [Case] = [
        Case(name: "div by imm 0", program: [zero, op(0x37, 0, 0, 0, 0), exit], refusal: (.EINVAL, "div by zero")),
        Case(name: "mod32 by imm 0", program: [zero, op(0x94, 0, 0, 0, 0), exit], refusal: (.EINVAL, "div by zero")),
        Case(name: "lsh by imm 64", program: [zero, op(0x67, 0, 0, 0, 64), exit], refusal: (.EINVAL, "invalid shift 64")),
        Case(name: "lsh32 by imm 32", program: [zero, op(0x64, 0, 0, 0, 32), exit], refusal: (.EINVAL, "invalid shift 32")),
        Case(name: "rsh by imm -1", program: [zero, op(0x77, 0, 0, 0, -1), exit], refusal: (.EINVAL, "invalid shift -1")),
        Case(name: "store imm to ctx", program: [op(0x62, 1, 0, 8, 0), zero, exit], refusal: nil),
        Case(name: "misaligned stack load", program: [op(0x7a, 10, 0, -8, 0), op(0x61, 0, 10, -6), exit],
             refusal: (.EACCES, "misaligned stack access off 0+0+-6 size 4")),
        Case(name: "misaligned stack store", program: [op(0x62, 10, 0, -6, 0), zero, exit],
             refusal: (.EACCES, "misaligned stack access off 0+0+-6 size 4")),
        Case(name: "narrow pointer spill", program: [op(0x63, 10, 1, -8), zero, exit],
             refusal: (.EACCES, "invalid size of register spill")),
        Case(name: "narrow pointer fill", program: [op(0x7b, 10, 1, -8), op(0x61, 0, 10, -8), exit],
             refusal: (.EACCES, "invalid size of register fill")),
        Case(name: "LD_ABS without the skb in r6", program: [op(0xb7, 6, 0, 0, 0), op(0x30, 0, 0, 0, 0), exit],
             refusal: (.EINVAL, "at the time of BPF_LD_ABS|IND R6 != pointer to skb")),
        Case(name: "LD_ABS with the skb in r6", program: [op(0xbf, 6, 1), op(0x30, 0, 0, 0, 0), exit], refusal: nil),
        Case(name: "variable offset inside the stack",
             program: [op(0x61, 2, 1), op(0x57, 2, 0, 0, 0xff), op(0xbf, 3, 10), op(0x07, 3, 0, 0, -300),
                       op(0x0f, 3, 2), op(0x71, 0, 3, -8), exit], refusal: nil),
        Case(name: "subtraction from the stack pointer", program: [op(0xbf, 2, 10), op(0x17, 2, 0, 0, 8), op(0x7a, 2, 0, 0, 0), zero, exit],
             refusal: (.EACCES, "R2 subtraction from stack pointer prohibited")),
        Case(name: "map lookup on the context", program: [op(0xbf, 2, 10), op(0x07, 2, 0, 0, -8), op(0x7a, 10, 0, -8, 0),
                                                          op(0x85, 0, 0, 0, 1), zero, exit],
             refusal: (.EACCES, "R1 type=ctx expected=map_ptr")),
        Case(name: "skb_load_bytes on the stack",
             program: [op(0xbf, 1, 10), op(0xb7, 2, 0, 0, 0), op(0xbf, 3, 10), op(0x07, 3, 0, 0, -8),
                       op(0xb7, 4, 0, 0, 4), op(0x85, 0, 0, 0, 26), zero, exit],
             refusal: (.EACCES, "R1 type=fp expected=ctx")),
        // Every argument typed by the helper's prototype, in the kernel's words (helper_types.c has more).
        Case(name: "bpf_loop calling the context",
             program: [op(0xbf, 2, 1), op(0xb7, 1, 0, 0, 1), op(0xb7, 3, 0, 0, 0), op(0xb7, 4, 0, 0, 0),
                       op(0x85, 0, 0, 0, 181), zero, exit],
             refusal: (.EACCES, "R2 type=ctx expected=func")),
        Case(name: "spin lock on the stack",
             program: [op(0x7a, 10, 0, -8, 0), op(0xbf, 1, 10), op(0x07, 1, 0, 0, -8), op(0x85, 0, 0, 0, 93), zero, exit],
             refusal: (.EACCES, "R1 type=fp expected=map_value, ptr_")),
        Case(name: "get_netns_cookie of NULL", program: [op(0xb7, 1, 0, 0, 0), op(0x85, 0, 0, 0, 122), zero, exit], refusal: nil),
        Case(name: "tcp_check_syncookie of the context",
             program: [op(0x7a, 10, 0, -8, 0), op(0x7a, 10, 0, -16, 0), op(0x7a, 10, 0, -24, 0), op(0x7a, 10, 0, -32, 0),
                       op(0x7a, 10, 0, -40, 0), op(0xbf, 2, 10), op(0x07, 2, 0, 0, -40), op(0xb7, 3, 0, 0, 20),
                       op(0xbf, 4, 10), op(0x07, 4, 0, 0, -20), op(0xb7, 5, 0, 0, 20), op(0x85, 0, 0, 0, 100), zero, exit],
             refusal: (.EACCES, "R1 type=ctx expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_")),
        Case(name: "atomic add on the stack", program: [op(0x7a, 10, 0, -8, 0), op(0xb7, 1, 0, 0, 1), op(0xdb, 10, 1, -8), zero, exit],
             refusal: nil),
        Case(name: "pointer compared with a number", program: [op(0xb7, 2, 0, 0, 5), op(0x2d, 1, 2, 0), zero, exit], refusal: nil),
        Case(name: "pointer *= 2", program: [op(0x27, 1, 0, 0, 2), zero, exit],
             refusal: (.EACCES, "R1 pointer arithmetic with *= operator prohibited")),
        Case(name: "pointer &= 2", program: [op(0x57, 1, 0, 0, 2), zero, exit],
             refusal: (.EACCES, "R1 bitwise operator &= on pointer prohibited")),
        Case(name: "pointer |= register", program: [op(0xb7, 2, 0, 0, 2), op(0x4f, 1, 2), zero, exit],
             refusal: (.EACCES, "R1 bitwise operator |= on pointer prohibited")),
        Case(name: "pointer s>>= 1", program: [op(0xc7, 1, 0, 0, 1), zero, exit],
             refusal: (.EACCES, "R1 pointer arithmetic with s>>= operator prohibited")),
        Case(name: "neg of a pointer", program: [op(0x87, 1, 0, 0, 0), zero, exit], refusal: nil),
        Case(name: "pointer + pointer", program: [op(0xbf, 2, 10), op(0x0f, 1, 2), zero, exit],
             refusal: (.EACCES, "R1 pointer += pointer prohibited")),
        Case(name: "pointer - pointer", program: [op(0xbf, 2, 10), op(0x1f, 2, 1), zero, exit], refusal: nil),
        Case(name: "number - pointer", program: [op(0xb7, 2, 0, 0, 0), op(0x1f, 2, 1), zero, exit],
             refusal: (.EACCES, "R2 tried to subtract pointer from scalar")),
        Case(name: "context moved and back", program: [op(0x07, 1, 0, 0, 4), op(0x07, 1, 0, 0, -4), op(0x61, 0, 1), exit],
             refusal: nil),
        Case(name: "context at a variable offset", program: [op(0x61, 2, 1), op(0x57, 2, 0, 0, 4), op(0x0f, 1, 2), op(0x61, 0, 1), exit],
             refusal: (.EACCES, "disallowed")),
        Case(name: "data_end dereferenced", program: [op(0x61, 2, 1, 80), op(0x71, 0, 2), exit],
             refusal: (.EACCES, "R2 invalid mem access 'pkt_end'")),
        Case(name: "a helper's write over a spilled pointer",
             program: [op(0x7b, 10, 1, -16), op(0xbf, 1, 10), op(0x07, 1, 0, 0, -16), op(0xb7, 2, 0, 0, 16),
                       op(0x85, 0, 0, 0, 16), op(0x71, 0, 10, -16), exit], refusal: nil),
        Case(name: "store below the frame", program: [op(0x7a, 10, 0, -520, 0), zero, exit],
             refusal: (.EACCES, "invalid write to stack R10 off=-520 size=8")),
        Case(name: "load above the frame through a copy", program: [op(0xbf, 2, 10), op(0x07, 2, 0, 0, -8), op(0x79, 0, 2, 8), exit],
             refusal: (.EACCES, "invalid read from stack R2 off=0 size=8")),
        Case(name: "helper buffer past the frame's top",
             program: [op(0xb7, 2, 0, 0, 0), op(0xbf, 3, 10), op(0x07, 3, 0, 0, -4), op(0xb7, 4, 0, 0, 16), op(0x85, 0, 0, 0, 26), zero, exit],
             refusal: (.EINVAL, "invalid write to stack R3 off=-4 size=16")),
        Case(name: "variable stack offset past the frame's top",
             program: [op(0x61, 2, 1), op(0x57, 2, 0, 0, 0xff), op(0xbf, 3, 10), op(0x07, 3, 0, 0, -64), op(0x0f, 3, 2),
                       op(0x71, 0, 3), exit],
             refusal: (.EINVAL, "invalid variable-offset read from stack R3 var_off=(0x0; 0xff) off=-64 size=1")),
        Case(name: "a register never written", program: [op(0xbf, 0, 7), exit], refusal: (.EACCES, "R7 !read_ok")),
        // A branch r0 == 0 always takes (r0 is 0): what it jumps over is on no path, and the
        // kernel refuses nothing there.
        Case(name: "unknown helper in dead code", program: [zero, op(0x15, 0, 0, 1, 0), op(0x85, 0, 0, 0, 999), exit], refusal: nil),
        Case(name: "div by imm 0 in dead code", program: [zero, op(0x15, 0, 0, 1, 0), op(0x37, 0, 0, 0, 0), exit], refusal: nil),
        Case(name: "unwritten register in dead code", program: [zero, op(0x15, 0, 0, 1, 0), op(0xbf, 0, 7), exit], refusal: nil),
        Case(name: "stack out of the frame in dead code", program: [zero, op(0x15, 0, 0, 1, 0), op(0x7a, 10, 0, 8, 0), exit],
             refusal: nil),
        Case(name: "get_current_comm past the frame's top",
             program: [op(0x7a, 10, 0, -8, 0), op(0xbf, 1, 10), op(0x07, 1, 0, 0, -8), op(0xb7, 2, 0, 0, 16), op(0x85, 0, 0, 0, 16), zero, exit],
             refusal: (.EINVAL, "invalid write to stack R1 off=-8 size=16")),
        Case(name: "get_current_comm of no bytes",
             program: [op(0x7a, 10, 0, -8, 0), op(0xbf, 1, 10), op(0x07, 1, 0, 0, -8), op(0xb7, 2, 0, 0, 0), op(0x85, 0, 0, 0, 16), zero, exit],
             refusal: (.EACCES, "R2 invalid zero-sized read: u64=[0,0]")),
        Case(name: "trace_printk format past the frame's top",
             program: [op(0x7a, 10, 0, -8, 0), op(0xbf, 1, 10), op(0x07, 1, 0, 0, -8), op(0xb7, 2, 0, 0, 16), op(0x85, 0, 0, 0, 6), zero, exit],
             refusal: (.EINVAL, "invalid read from stack R1 off=-8 size=16")),
        Case(name: "probe_read_kernel of no bytes",
             program: [op(0x7a, 10, 0, -8, 0), op(0xbf, 1, 10), op(0x07, 1, 0, 0, -8), op(0xb7, 2, 0, 0, 0), op(0xb7, 3, 0, 0, 0),
                       op(0x85, 0, 0, 0, 113), zero, exit], refusal: nil),
        // w2 = w6 ties the two (r6 fits in 32 bits): bounding w2 bounds r6, the stack offset.
        Case(name: "a 32-bit copy bounded bounds its source",
             program: [op(0x61, 6, 1), op(0xbc, 2, 6), op(0x26, 2, 0, 4, 15), op(0xbf, 3, 10), op(0x07, 3, 0, 0, -16),
                       op(0x0f, 3, 6), op(0x72, 3, 0, 0, 0), zero, exit], refusal: nil),
        Case(name: "a 32-bit copy bounded too loosely",
             program: [op(0x61, 6, 1), op(0xbc, 2, 6), op(0x26, 2, 0, 4, 16), op(0xbf, 3, 10), op(0x07, 3, 0, 0, -16),
                       op(0x0f, 3, 6), op(0x72, 3, 0, 0, 0), zero, exit],
             refusal: (.EINVAL, "invalid variable-offset write to stack R3 var_off=(0x0; 0x1f) off=-16 size=1")),
        Case(name: "load crossing the frame's top", program: [op(0x79, 0, 10, -4), exit],
             refusal: (.EACCES, "misaligned stack access off 0+0+-4 size 8")),
        Case(name: "atomic add on the context", program: [op(0xb7, 2, 0, 0, 1), op(0xc3, 1, 2, 8), zero, exit],
             refusal: (.EACCES, "BPF_ATOMIC stores into R1 ctx is not allowed")),
        Case(name: "packet pointer minus a variable, then a load",
             program: [op(0x61, 2, 1, 76), op(0x61, 3, 1, 80), op(0xbf, 4, 2), op(0x07, 4, 0, 0, 40), op(0x2d, 4, 3, 5),
                       op(0x61, 5, 1, 8), op(0x57, 5, 0, 0, 0x1f), op(0x1f, 4, 5), op(0x71, 0, 4, 0), exit, zero, exit],
             refusal: (.EACCES, "R4 min value is negative, either use unsigned index or do a if (index >=0) check.")),
        Case(name: "stack pointer moved by 2^29", program: [op(0xbf, 1, 10), op(0x07, 1, 0, 0, 0x2000_0000), zero, exit],
             refusal: (.EINVAL, "math between fp pointer and 536870912 is not allowed")),
        Case(name: "a pointer plus an unbounded number",
             program: [op(0x79, 2, 1, 152), op(0xbf, 3, 10), op(0x0f, 3, 2), zero, exit],
             refusal: (.EINVAL, "math between fp pointer and register with unbounded min value is not allowed")),
        Case(name: "a byte swap makes a pointer a number", program: [op(0xbf, 2, 10), op(0xdc, 2, 0, 0, 64), op(0x71, 0, 2, -8), exit],
             refusal: (.EACCES, "R2 invalid mem access 'scalar'")),
        Case(name: "a u16 read of a spilled u32 constant",
             program: [op(0xb4, 4, 0, 0, 20), op(0x63, 10, 4, -8), op(0x69, 4, 10, -8), op(0xbf, 3, 10), op(0x07, 3, 0, 0, -24),
                       op(0x0f, 3, 4), op(0x72, 3, 0, 0, 0), zero, exit], refusal: nil),
        Case(name: "a moved context given to a helper", program: [op(0x07, 1, 0, 0, -612), op(0x85, 0, 0, 0, 46), exit],
             refusal: (.EACCES, "negative offset ctx ptr R1 off=-612 disallowed")),
        // r1 = (len & 0xff) + 0x10_7fffff00: its low half is a range of its own, so w1 -= 0x7fffff00
        // bounds it to [0, 0xff], a stack offset that stays in the frame.
        Case(name: "the low half of a range with a constant upper half",
             program: [op(0x61, 2, 1), op(0x57, 2, 0, 0, 0xff), op(0x18, 1, 0, 0, 0x7fff_ff00), op(0, 0, 0, 0, 0x10),
                       op(0x0f, 1, 2), op(0x14, 1, 0, 0, 0x7fff_ff00), op(0xbf, 3, 10), op(0x07, 3, 0, 0, -256),
                       op(0x0f, 3, 1), op(0x72, 3, 0, 0, 0), zero, exit], refusal: nil),
        Case(name: "a 32-bit shift by 32 from a register",
             program: [op(0x61, 2, 1), op(0x57, 2, 0, 0, 0xff), op(0xb4, 4, 0, 0, 32), op(0x6c, 2, 4), op(0xbf, 3, 10),
                       op(0x07, 3, 0, 0, -256), op(0x0f, 3, 2), op(0x72, 3, 0, 0, 0), zero, exit],
             refusal: (.EINVAL, "math between fp pointer and register with unbounded min value is not allowed")),
        Case(name: "packet pointer minus a constant", program: [op(0x61, 2, 1, 76), op(0x17, 2, 0, 0, 8), zero, exit], refusal: nil),
        // Raw bytes carry no BTF function records: LD_ABS may sit in the program's own function
        // only, not in a subprogram (call pc+2 reaches it).
        Case(name: "LD_ABS in a subprogram without BTF",
             program: [op(0xbf, 6, 1), op(0x85, 0, 1, 0, 2), zero, exit, op(0x30, 0, 0, 0, 0), exit],
             refusal: (.EINVAL, "LD_ABS is not allowed in subprogs without BTF")),
        Case(name: "LD_ABS beside a subprogram without BTF",
             program: [op(0xbf, 6, 1), op(0x30, 0, 0, 0, 0), op(0x85, 0, 1, 0, 1), exit, zero, exit], refusal: nil),
        // The kernel's limits: branches waiting to be explored (BPF_COMPLEXITY_LIMIT_JMP_SEQ) and
        // instructions processed (BPF_COMPLEXITY_LIMIT_INSNS).
        Case(name: "8192 branches waiting", program: jumps(8192), refusal: nil),
        Case(name: "8193 branches waiting", program: jumps(8193),
             refusal: (.E2BIG, "The sequence of 8193 jumps is too complex.")),
        Case(name: "a loop of 100,000 rounds", program: loop(100_000), refusal: nil),
        Case(name: "a loop of 600,000 rounds", program: loop(600_000),
             refusal: (.E2BIG, "BPF program is too large. Processed 1000001 insn")),
        // Found by VerifierDifferentialFuzzTests (issue 12, vfuzz), each recorded on Linux 6.18.
        // A function returns no stack pointer, not even its caller's.
        Case(name: "a callee returning its caller's stack pointer",
             program: [op(0x7a, 10, 0, -8, 0), op(0xbf, 1, 10), op(0x07, 1, 0, 0, -8), op(0x85, 0, 1, 0, 2), zero, exit,
                       op(0xbf, 0, 1), exit],
             refusal: (.EINVAL, "cannot return stack pointer to the caller")),
        Case(name: "a callee returning what its caller's stack holds",
             program: [op(0x7a, 10, 0, -8, 0), op(0xbf, 1, 10), op(0x07, 1, 0, 0, -8), op(0x85, 0, 1, 0, 2), zero, exit,
                       op(0x79, 0, 1), exit], refusal: nil),
        // A variable stack offset is aligned only if every value its known bits allow is.
        Case(name: "a u64 store at fp-16 plus (len & 7)",
             program: [op(0x61, 2, 1), op(0x57, 2, 0, 0, 7), op(0xbf, 3, 10), op(0x07, 3, 0, 0, -16), op(0x0f, 3, 2),
                       op(0x7a, 3, 0, 0, 0), zero, exit],
             refusal: (.EACCES, "misaligned stack access off (0x0; 0x7)+-16+0 size 8")),
        Case(name: "a u64 store at fp-16 plus (len & 8)",
             program: [op(0x61, 2, 1), op(0x57, 2, 0, 0, 8), op(0xbf, 3, 10), op(0x07, 3, 0, 0, -16), op(0x0f, 3, 2),
                       op(0x7a, 3, 0, 0, 0), zero, exit], refusal: nil),
        // r2 = tstamp s>> 63 is -1 or 0; a jset's way with the bits clear forgets that and
        // keeps only the known bits: [0, 63].
        Case(name: "a clear jset forgets the bounds",
             program: [op(0x79, 2, 1, 152), op(0xc7, 2, 0, 0, 63), op(0x45, 2, 0, 4, -64), op(0xbf, 3, 10),
                       op(0x07, 3, 0, 0, -32), op(0x0f, 3, 2), op(0x72, 3, 0, 0, 0), zero, exit],
             refusal: (.EINVAL, "invalid variable-offset write to stack R3 var_off=(0x0; 0x3f) off=-32 size=1")),
        Case(name: "a clear jset's known bits bound the offset",
             program: [op(0x79, 2, 1, 152), op(0xc7, 2, 0, 0, 63), op(0x45, 2, 0, 4, -64), op(0xbf, 3, 10),
                       op(0x07, 3, 0, 0, -64), op(0x0f, 3, 2), op(0x72, 3, 0, 0, 0), zero, exit], refusal: nil),
        // A number that is -1 or 0 splits before &= or |= a constant: each way a constant.
        Case(name: "(x s>> 63) & 255 is 255 on one way",
             program: [op(0x79, 2, 1, 152), op(0xc7, 2, 0, 0, 63), op(0x57, 2, 0, 0, 255), op(0xbf, 3, 10),
                       op(0x07, 3, 0, 0, -64), op(0x0f, 3, 2), op(0x72, 3, 0, 0, 0), zero, exit],
             refusal: (.EACCES, "invalid write to stack R3 off=191 size=1")),
        Case(name: "(x s>> 63) | 4 is -1 or 4",
             program: [op(0x79, 2, 1, 152), op(0xc7, 2, 0, 0, 63), op(0x47, 2, 0, 0, 4), op(0xbf, 3, 10),
                       op(0x07, 3, 0, 0, -16), op(0x0f, 3, 2), op(0x72, 3, 0, 0, 0), zero, exit], refusal: nil),
        Case(name: "(x w s>> 31) | 4 splits the low half",
             program: [op(0x79, 2, 1, 152), op(0xc4, 2, 0, 0, 31), op(0x47, 2, 0, 0, 4), op(0xbf, 3, 10),
                       op(0x07, 3, 0, 0, -16), op(0x0f, 3, 2), op(0x72, 3, 0, 0, 0), zero, exit],
             refusal: (.EINVAL, "math between fp pointer and 4294967295 is not allowed")),
        // A store into a slot holding a spill scrubs it: the spilled zero is no longer known.
        Case(name: "a u32 store beside a spilled u32 zero",
             program: [op(0x62, 10, 0, -8, 0), op(0x62, 10, 0, -4, 0), op(0x79, 2, 10, -8), op(0xbf, 3, 10),
                       op(0x07, 3, 0, 0, -16), op(0x0f, 3, 2), op(0x72, 3, 0, 0, 0), zero, exit],
             refusal: (.EINVAL, "math between fp pointer and register with unbounded min value is not allowed")),
        // r2 = (u32)(len % 21) s>> 28 as a 32-bit op: 64-bit [0, 0xffffffff], low word [-8, 7];
        // (s8) keeps the low word's [-8, 7] (Linux 6.18), a stack offset in the frame.
        Case(name: "a sign extension of a low word that fits",
             program: [op(0x61, 2, 1), op(0x94, 2, 0, 0, 21), op(0xc4, 2, 0, 0, 28), op(0xbf, 2, 2, 8), op(0xbf, 3, 10),
                       op(0x07, 3, 0, 0, -64), op(0x0f, 3, 2), op(0x72, 3, 0, 0, 0), zero, exit], refusal: nil),
        Case(name: "a sign extension of a low word that does not fit",
             program: [op(0x61, 2, 1), op(0x94, 2, 0, 0, 21), op(0xc4, 2, 0, 0, 20), op(0xbf, 2, 2, 8), op(0xbf, 3, 10),
                       op(0x07, 3, 0, 0, -64), op(0x0f, 3, 2), op(0x72, 3, 0, 0, 0), zero, exit],
             refusal: (.EINVAL, "invalid variable-offset write to stack R3 var_off=(0x0; 0xffffffffffffffff) off=-64 size=1")),
        // scalar -= pointer: the number is checked first.
        Case(name: "an unbounded number minus the stack pointer",
             program: [op(0x79, 2, 1, 152), op(0x1f, 2, 10), zero, exit],
             refusal: (.EINVAL, "math between fp pointer and register with unbounded min value is not allowed")),
        Case(name: "a bounded number minus the stack pointer",
             program: [op(0x61, 2, 1), op(0x57, 2, 0, 0, 7), op(0x1f, 2, 10), zero, exit],
             refusal: (.EACCES, "R2 tried to subtract pointer from scalar")),
        // A zero stored at a variable offset keeps a spilled zero in its reach (vfuzz2, seed 33);
        // any other number scrubs the spill.
        Case(name: "a variable-offset zero over a spilled zero",
             program: [op(0x61, 2, 1), op(0x57, 2, 0, 0, 63), op(0x7a, 10, 0, -64, 0), op(0xbf, 3, 10), op(0x07, 3, 0, 0, -64),
                       op(0x0f, 3, 2), op(0x72, 3, 0, 0, 0), op(0x79, 8, 10, -64), op(0xbf, 3, 10), op(0x07, 3, 0, 0, -48),
                       op(0x0f, 3, 8), op(0x72, 3, 0, 0, 0), zero, exit], refusal: nil),
        Case(name: "a variable-offset one over a spilled zero",
             program: [op(0x61, 2, 1), op(0x57, 2, 0, 0, 63), op(0x7a, 10, 0, -64, 0), op(0xbf, 3, 10), op(0x07, 3, 0, 0, -64),
                       op(0x0f, 3, 2), op(0x72, 3, 0, 0, 1), op(0x79, 8, 10, -64), op(0xbf, 3, 10), op(0x07, 3, 0, 0, -48),
                       op(0x0f, 3, 8), op(0x72, 3, 0, 0, 0), zero, exit],
             refusal: (.EINVAL, "math between fp pointer and register with unbounded min value is not allowed")),
        // An unsigned compare narrowing a number whose signed bounds cross zero leaves the signed
        // bounds of the new unsigned ones, the old forgotten (vfuzz2, seeds 25, 31 and 11);
        // 32-bit signed bounds that held them bring them back.
        Case(name: "tstamp s< 45 then u<= 96 is [0, 96]",
             program: [op(0x79, 2, 1, 152), op(0x75, 2, 0, 5, 45), op(0x25, 2, 0, 4, 96), op(0xbf, 3, 10),
                       op(0x07, 3, 0, 0, -64), op(0x0f, 3, 2), op(0x72, 3, 0, 0, 0), zero, exit],
             refusal: (.EINVAL, "invalid variable-offset write to stack R3 var_off=(0x0; 0x7f) off=-64 size=1")),
        Case(name: "tstamp s< 45 then u<= 63 is [0, 63]",
             program: [op(0x79, 2, 1, 152), op(0x75, 2, 0, 5, 45), op(0x25, 2, 0, 4, 63), op(0xbf, 3, 10),
                       op(0x07, 3, 0, 0, -64), op(0x0f, 3, 2), op(0x72, 3, 0, 0, 0), zero, exit], refusal: nil),
        Case(name: "tstamp in s[-5, 44] then u<= 96 keeps [0, 44]",
             program: [op(0x79, 2, 1, 152), op(0xc5, 2, 0, 6, -5), op(0x75, 2, 0, 5, 45), op(0x25, 2, 0, 4, 96),
                       op(0xbf, 3, 10), op(0x07, 3, 0, 0, -64), op(0x0f, 3, 2), op(0x72, 3, 0, 0, 0), zero, exit],
             refusal: nil),
        Case(name: "-(u32 len) u< 79 is [0, 78]",
             program: [op(0x61, 2, 1), op(0x87, 2), op(0x35, 2, 0, 4, 79), op(0xbf, 3, 10),
                       op(0x07, 3, 0, 0, -64), op(0x0f, 3, 2), op(0x72, 3, 0, 0, 0), zero, exit],
             refusal: (.EINVAL, "invalid variable-offset write to stack R3 var_off=(0x0; 0x7f) off=-64 size=1")),
        // Known bits and a u64 range that share one value make a constant (Linux 6.18,
        // __update_reg64_bounds; found by the fuzzer, seed 217): w2 & ~0x40 clear leaves {0, 64},
        // w2 s>= 35 leaves 64, so fp - 64 + w2 is fp + 0.
        Case(name: "known bits and bounds sharing one value",
             program: [op(0x79, 2, 1, 152), op(0x04, 2, 0, 0, -5), op(0x46, 2, 0, 5, -65), op(0xc6, 2, 0, 4, 35),
                       op(0xbf, 3, 10), op(0x07, 3, 0, 0, -64), op(0x0f, 3, 2), op(0x72, 3, 0, 0, 0), zero, exit],
             refusal: (.EACCES, "invalid write to stack R3 off=0 size=1")),
        // A helper that takes no argument writes no stack a register still points at: the
        // slot read back is unwritten, an unknown number (fuzzer, seed 228).
        Case(name: "a stack pointer left in r3 across get_prandom_u32",
             program: [op(0xbf, 3, 10), op(0x07, 3, 0, 0, -64), op(0x85, 0, 0, 0, 7), op(0x79, 8, 10, -24),
                       op(0x61, 0, 8, 0), zero, exit],
             refusal: (.EACCES, "R8 invalid mem access 'scalar'")),
        Case(name: "a pointer spilled before get_prandom_u32 with r3 on the stack",
             program: [op(0x7b, 10, 1, -24), op(0xbf, 3, 10), op(0x07, 3, 0, 0, -64), op(0x85, 0, 0, 0, 7),
                       op(0x79, 8, 10, -24), op(0x61, 0, 8, 0), zero, exit], refusal: nil),
        Case(name: "known bits and bounds sharing one value, in the frame",
             program: [op(0x79, 2, 1, 152), op(0x04, 2, 0, 0, -5), op(0x46, 2, 0, 5, -65), op(0xc6, 2, 0, 4, 35),
                       op(0xbf, 3, 10), op(0x07, 3, 0, 0, -72), op(0x0f, 3, 2), op(0x72, 3, 0, 0, 0), zero, exit],
             refusal: nil),
        // A 32-bit copy plus a constant stays tied to its source when the source's upper half is
        // zero (Linux 6.18's BPF_ADD_CONST32): the comparison of the copy bounds the source,
        // here to [12, 64] (found in the audit of issue 9: a switch clang compiles this way).
        Case(name: "a 32-bit copy plus a constant bounds its source",
             program: [op(0x61, 2, 1), op(0xbc, 3, 2), op(0x04, 3, 0, 0, -12), op(0x26, 3, 0, 4, 52), op(0xbf, 4, 10),
                       op(0x07, 4, 0, 0, -128), op(0x0f, 4, 2), op(0x72, 4, 0, 0, 0), zero, exit], refusal: nil),
        Case(name: "a 32-bit add to a copy of a number wider than 32 bits breaks the tie",
             program: [op(0x79, 2, 1, 152), op(0xbf, 3, 2), op(0x04, 3, 0, 0, -12), op(0x26, 3, 0, 4, 52), op(0xbf, 4, 10),
                       op(0x07, 4, 0, 0, -128), op(0x0f, 4, 2), op(0x72, 4, 0, 0, 0), zero, exit],
             refusal: (.EINVAL, "math between fp pointer and register with unbounded min value is not allowed")),
    ]

    /// `r6 = skb->len; r0 = 0`, then `count` times `if r6 == 7 goto +1; r0 += 1`: each jump
    /// may go both ways, and the taken ones wait while the fall-through goes on.
    static func jumps(_ count: Int) -> [Instruction] {
        [op(0x61, 6, 1), zero] + (0 ..< count).flatMap { _ in [op(0x15, 6, 0, 1, 7), op(0x07, 0, 0, 0, 1)] } + [exit]
    }

    /// `r0 = 0; do r0 += 1 while (r0 < rounds); return 0`: two instructions processed a round.
    static func loop(_ rounds: Int32) -> [Instruction] {
        [zero, op(0x07, 0, 0, 0, 1), op(0xa5, 0, 0, -2, rounds), zero, exit]
    }

    static func spec(_ c: Case) -> ProgramSpec {
        ProgramSpec(name: "rule", instructions: Instruction.encode(c.program))
    }

    @Test(arguments: cases)
    func embeddedVerdict(_ c: Case) throws {
        let world = EmbeddedSystem()
        defer { world.shutdown() }
        switch (Result { () throws(TCXError) in try world.loadProgram(Self.spec(c)) }, c.refusal) {
        case (.success, nil):
            break
        case let (.success, (errno, message)?):
            Issue.record("loaded; the kernel refuses it with \(errno): \(message)")
        case let (.failure(error), nil):
            Issue.record("refused (\(error)); the kernel loads it")
        case let (.failure(error), (errno, message)?):
            #expect(error.errno == errno)
            #expect(error.reason.hasSuffix(message), "\(error.reason)")
        }
    }

    @Test(.enabled(if: KernelTestSupport.canUseKernel), arguments: cases)
    func theKernelsVerdictHolds(_ c: Case) throws {
        let world = try KernelSystem()
        defer { world.shutdown() }
        let outcome = Result { () throws(TCXError) in try world.loadProgram(Self.spec(c)) }
        switch (outcome, c.refusal) {
        case (.success, nil): break
        case let (.failure(error), (errno, _)?): #expect(error.errno == errno)
        default: Issue.record("the kernel now answers \(outcome)")
        }
    }
}
