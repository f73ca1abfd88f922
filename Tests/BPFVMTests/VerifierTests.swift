import BPFCore
import BPFVM
import Testing

/// Each refusal names the instruction and the reason.
@Suite struct VerifierTests {
    func refusal(_ program: [Instruction], options: VerifierOptions = VerifierOptions()) -> VMError? {
        do {
            _ = try VMProgram(instructions: program, options: options)
            return nil
        } catch {
            return error
        }
    }

    func expectRefused(_ program: [Instruction], at index: Int?, _ reason: String,
                       options: VerifierOptions = VerifierOptions(), sourceLocation: SourceLocation = #_sourceLocation) {
        let error = refusal(program, options: options)
        #expect(error != nil, "accepted, expected: \(reason)", sourceLocation: sourceLocation)
        guard let error else { return }
        #expect(error.instruction == index, "\(error)", sourceLocation: sourceLocation)
        #expect(error.reason.contains(reason), "\(error)", sourceLocation: sourceLocation)
    }

    @Test func acceptsMinimalProgram() {
        #expect(refusal([Asm.mov(0, 1), Asm.exit]) == nil)
    }

    @Test func refusesEmptyAndOddLength() throws {
        #expect(throws: VMError.self) { try VMProgram(bytes: []) }
        #expect(throws: VMError.self) { try VMProgram(bytes: [0x95, 0, 0, 0]) }
    }

    @Test func refusesOversizedProgram() {
        var options = VerifierOptions()
        options.maxInstructions = 4
        let program = Array(repeating: Asm.mov(0, 0), count: 4) + [Asm.exit]
        let error = refusal(program, options: options)
        #expect(error?.errno == .E2BIG)
    }

    @Test func refusesUnknownOpcode() {
        expectRefused([Instruction(opcode: 0xff), Asm.exit], at: 0, "unknown opcode ff")
        expectRefused([Asm.mov(0, 0), Instruction(opcode: 0x8e), Asm.exit], at: 1, "unknown opcode")
    }

    @Test func refusesBadRegister() {
        expectRefused([Asm.mov(11, 0), Asm.exit], at: 0, "R11 is invalid")
        expectRefused([Asm.mov(0, 0), Instruction(opcode: 0xbf, dst: 0, src: 12), Asm.exit], at: 1, "R12 is invalid")
    }

    @Test func refusesReservedFields() {
        expectRefused([Instruction(opcode: 0xb7, dst: 0, src: 1, imm: 1), Asm.exit], at: 0, "reserved fields")
        expectRefused([Instruction(opcode: 0xbf, dst: 0, src: 1, imm: 1), Asm.exit], at: 0, "reserved fields")
        expectRefused([Asm.mov(0, 0), Instruction(opcode: 0x95, imm: 1)], at: 1, "reserved fields")
        expectRefused([Instruction(opcode: 0xdc, dst: 0, imm: 17), Asm.exit], at: 0, "reserved fields")
        expectRefused([Instruction(opcode: 0xb7, dst: 0, offset: 8, imm: 1), Asm.exit], at: 0, "reserved fields")
    }

    @Test func refusesJumpsOutOfRange() {
        expectRefused([Asm.mov(0, 0), Asm.ja(5), Asm.exit], at: 1, "jump out of range from insn 1 to 7")
        expectRefused([Asm.mov(0, 0), Asm.ja(-3), Asm.exit], at: 1, "jump out of range")
    }

    @Test func refusesJumpIntoLoadImm64() {
        let program = [Asm.mov(0, 0), Asm.ja(1)] + Asm.lddw(1, 7) + [Asm.exit]
        expectRefused(program, at: 1, "jump into the middle of ldimm64")
    }

    @Test func refusesTruncatedLoadImm64() {
        expectRefused([Asm.mov(0, 0), Asm.exit, Instruction(opcode: 0x18)], at: 2, "invalid bpf_ld_imm64")
    }

    @Test func refusesFallingOffTheEnd() {
        expectRefused([Asm.mov(0, 0)], at: 0, "last insn is not an exit or jmp")
        expectRefused([Asm.mov(0, 0), Asm.jeq(0, 0, -2)], at: 1, "last insn is not an exit or jmp")
    }

    @Test func refusesUninitialisedReads() {
        expectRefused([Asm.movReg(0, 3), Asm.exit], at: 0, "R3 !read_ok")
        expectRefused([Asm.exit], at: 0, "R0 !read_ok")
        // Only one path writes r2.
        expectRefused([Asm.jeq(1, 0, 1), Asm.mov(2, 1), Asm.movReg(0, 2), Asm.exit], at: 2, "R2 !read_ok")
    }

    @Test func staticFunctionsNeedNoReturnValue() {
        // 0: call f; r0 = 0; exit. f (3): r2 = 1; exit, leaving r0 unset, as LLVM emits a static
        // function whose result no caller uses; the kernel copies the unset r0 back and accepts.
        let ignored = [Asm.callLocal(2), Asm.mov(0, 0), Asm.exit, Asm.mov(2, 1), Asm.exit]
        #expect(refusal(ignored) == nil)
        // A caller that reads the r0 such a function never wrote is refused at the read.
        let read = [Asm.callLocal(1), Asm.exit, Asm.mov(2, 1), Asm.exit]
        expectRefused(read, at: 1, "R0 !read_ok")
        // A function that writes r0 on one path only leaves it unwritten for the caller.
        let onePath = [Asm.callLocal(1), Asm.exit, Asm.jeq(1, 0, 1), Asm.mov(0, 1), Asm.exit]
        expectRefused(onePath, at: 1, "R0 !read_ok")
        let everyPath = [Asm.callLocal(1), Asm.exit, Asm.mov(0, 2), Asm.jeq(1, 0, 1), Asm.mov(0, 1), Asm.exit]
        #expect(refusal(everyPath) == nil)
    }

    @Test func globalFunctionsReturnToTheKernel() {
        // f (3) is global: verified on its own, it must set r0; its callers always get a scalar.
        var options = VerifierOptions()
        options.globalFunctions[3] = GlobalFunction(instruction: 3, name: "f", returnsScalar: true)
        expectRefused([Asm.callLocal(2), Asm.mov(0, 0), Asm.exit, Asm.mov(2, 1), Asm.exit],
                      at: 4, "R0 !read_ok", options: options)
        #expect(refusal([Asm.callLocal(1), Asm.exit, Asm.mov(0, 1), Asm.exit], options: options) == nil)
        // One whose BTF returns void is refused at the call, with EINVAL, before its body is judged.
        options.globalFunctions[3] = GlobalFunction(instruction: 3, name: "f", returnsScalar: false)
        let void = [Asm.callLocal(2), Asm.mov(0, 0), Asm.exit, Asm.mov(2, 1), Asm.exit]
        expectRefused(void, at: 0, "Global function f() doesn't return scalar", options: options)
        #expect(refusal(void, options: options)?.errno == .EINVAL)
    }

    @Test func callbacksReturnToTheKernel() {
        // bpf_loop's callback (at 7) leaves r0 unset: the kernel reads it after every iteration.
        var options = VerifierOptions()
        options.helpers.register(181) { _ in 0 }
        let program = [Asm.mov(1, 1)] + Asm.lddw(2, 5, source: 4)
            + [Asm.mov(3, 0), Asm.mov(4, 0), Asm.call(181), Asm.exit, Asm.mov(2, 1), Asm.exit]
        expectRefused(program, at: 8, "R0 !read_ok", options: options)
    }

    @Test func helperCallsClobberArgumentRegisters() {
        var options = VerifierOptions()
        options.helpers.register(1) { _ in 0 }
        expectRefused([Asm.call(1), Asm.movReg(0, 1), Asm.exit], at: 1, "R1 !read_ok", options: options)
        #expect(refusal([Asm.call(1), Asm.exit], options: options) == nil)
    }

    @Test func refusesWritesToFramePointer() {
        expectRefused([Asm.mov(10, 0), Asm.mov(0, 0), Asm.exit], at: 0, "frame pointer is read only")
        expectRefused([Asm.add(10, 8), Asm.mov(0, 0), Asm.exit], at: 0, "frame pointer is read only")
    }

    @Test func refusesLoopsWithoutExit() {
        expectRefused([Asm.mov(0, 0), Asm.ja(-1), Asm.exit], at: 1, "infinite loop")
    }

    @Test func refusesBackEdgesWhenLoopsAreOff() {
        var options = VerifierOptions()
        options.allowLoops = false
        let loop = [Asm.mov(0, 0), Asm.add(0, 1), Asm.jne(0, 10, -2), Asm.exit]
        expectRefused(loop, at: 2, "back-edge from insn 2 to 1", options: options)
        #expect(refusal(loop) == nil)
    }

    @Test func refusesUnknownHelpers() {
        expectRefused([Asm.call(1), Asm.exit], at: 0, "invalid func unknown#1")
        var options = VerifierOptions()
        options.allowTailCalls = false
        expectRefused([Asm.call(12), Asm.exit], at: 0, "invalid func unknown#12", options: options)
    }

    @Test func refusesRecursion() {
        // 0: call +1 -> 2; 2: call -1 -> 2 itself.
        let program = [Asm.callLocal(1), Asm.exit, Asm.callLocal(-1), Asm.exit]
        expectRefused(program, at: 2, "the call stack of 9 frames is too deep")
    }

    @Test func refusesNineFrames() {
        // Function k at slot 2k calls function k+1; the last one returns.
        var program: [Instruction] = []
        for _ in 0..<8 { program += [Asm.callLocal(1), Asm.exit] }
        program += [Asm.mov(0, 0), Asm.exit]
        expectRefused(program, at: 0, "the call stack of 9 frames is too deep")
        let eight = Array(program.dropFirst(2))
        #expect(refusal(eight) == nil)
    }

    @Test func refusesUnreachableCode() {
        expectRefused([Asm.mov(0, 0), Asm.exit, Asm.mov(0, 1), Asm.exit], at: 2, "unreachable insn 2")
    }

    @Test func refusesConstantStackOffsetsOutsideTheFrame() {
        expectRefused([Asm.stdw(10, 0, 1), Asm.mov(0, 0), Asm.exit], at: 0, "invalid write to stack R10 off=0 size=8")
        expectRefused([Asm.ldxdw(0, 10, -520), Asm.exit], at: 0, "invalid read from stack R10 off=-520")
        #expect(refusal([Asm.stdw(10, -512, 1), Asm.ldxdw(0, 10, -512), Asm.exit]) == nil)
    }

    @Test func refusesUnresolvedMapReferences() {
        let program = Asm.lddw(1, 3, source: 1) + [Asm.mov(0, 0), Asm.exit]
        let error = refusal(program)
        #expect(error?.instruction == 0)
        #expect(error?.errno == .EBADF)
    }

    @Test func refusesKernelFunctionCallsTheProgramTypeDoesNotGet() {
        // Without the tc kfuncs in its table, a known kfunc is not allowed; an unknown number is no function.
        expectRefused([Instruction(opcode: 0x85, src: 2, imm: EmbeddedKfunc.dynptrAdjust.rawValue), Asm.exit], at: 0,
                      "calling kernel function bpf_dynptr_adjust is not allowed")
        expectRefused([Instruction(opcode: 0x85, src: 2, imm: 999), Asm.exit], at: 0, "kernel btf_id 999 is not a function")
    }
}
