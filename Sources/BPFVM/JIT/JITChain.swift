/// A chain of compiled programs run from machine code: one entry per frame into a routine that
/// gives each program what `JITExecutor.enterNative` gives it (registers, its zeroed stack,
/// budget, depth, fault, probe and grant slots), calls its code, and goes on to the next while
/// the program returned NEXT (-1 in r0's low 32 bits), did not fault and left the caller's stop
/// byte zero. Three Swift layers per program (the sequence, the runner, the executor) were
/// ~350 instructions around a two-instruction `return NEXT`.
///
/// Only programs whose code never asks Swift for anything a run keeps between programs take
/// part (`ChainStep.fits`); the others run one at a time as before.
public enum JITChain {
    /// The routine's entry, made once per process and never unmapped; nil when the system
    /// refuses executable memory (the chain then runs one program at a time). Only the entry is
    /// kept: reading an object here was a retain and a release per frame.
    static let routine: Routine? = {
        #if arch(x86_64)
        guard let memory = ExecutableMemory(code: emitRoutine()) else { return nil }
        let entry = unsafeBitCast(memory.base, to: Routine.self)
        _ = Unmanaged.passRetained(memory)  // kept for the process
        return entry
        #else
        return nil
        #endif
    }()

    /// (state block, steps, end of steps, stack top, stop byte) -> ran << 1 | faulted.
    typealias Routine = @convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer, UnsafeRawPointer,
                                        UnsafeMutableRawPointer, UnsafeRawPointer) -> UInt64

    /// Whether chains run from machine code on this system.
    public static var available: Bool { routine != nil }

    /// Runs the programs of `steps` in order on a block `JITExecutor.prepare` set up, with the
    /// packet as it is now, until one returns anything but NEXT, faults, or leaves `stop` (a
    /// byte the caller's memory provider sets, e.g. on a context store) nonzero; returns r0 of
    /// the last one entered (the ones before it returned NEXT), `ran` the programs entered, the
    /// last included (0 when this system has no routine: nothing ran). Throws the last one's
    /// fault. The programs must outlive the call.
    public static func run(_ steps: UnsafeBufferPointer<UnsafeRawPointer>, packet: UnsafeMutableRawBufferPointer,
                           prepared scratch: RunScratch, stop: UnsafeRawPointer,
                           ran: inout Int) throws(VMFault) -> UInt64 {
        guard let routine, let first = steps.baseAddress, !steps.isEmpty else {
            ran = 0
            return 0
        }
        let block = scratch.block
        let raw = block + Scratch.jitStateOffset
        let state = JITStateView(raw)
        // What no program of the chain changes (no helper calls: `ChainStep.fits`).
        state[.packetLow] = Machine.address(packet.baseAddress)
        state[.packetCount] = UInt64(packet.count)
        let run = state.runStorage
        run.pointee.tailCalls = 0
        let result = routine(raw, UnsafeRawPointer(first), UnsafeRawPointer(first + steps.count),
                           block + Scratch.stackBytes, stop)
        ran = Int(truncatingIfNeeded: result >> 1)
        let faulted = result & 1 != 0
        // Most passes end here: no fault, nothing made on the way (`JITRun.extras`).
        guard faulted || run.pointee.extras != nil else { return state.register(0) }
        // The fault is read while the extras (which may hold it) still exist.
        let fault = faulted ? state.fault() : nil
        run.pointee.releaseExtras()
        if let fault { throw fault }
        return state.register(0)
    }

    #if arch(x86_64)
    /// rdi state block, rsi first step, rdx end of steps, rcx stack top, r8 stop byte. Keeps the
    /// block in rbx, the stack top in rbp, the step cursor in r13, the end in r12, the count of
    /// programs entered in r14 and the stop byte's address in r15.
    static func emitRoutine() -> [UInt8] {
        var a = X86Assembler()
        let saved: [X86Reg] = [.rbx, .rbp, .r12, .r13, .r14, .r15]
        for r in saved { a.push(r) }
        a.alu(.sub, .rsp, immediate: 8)  // 16-byte aligned at each call
        a.move(.rbx, .rdi)
        a.move(.r13, .rsi)
        a.move(.r12, .rdx)
        a.move(.rbp, .rcx)
        a.move(.r15, .r8)
        a.move(.r14, immediate: 0)

        let next = a.newLabel(), zeroing = a.newLabel(), zeroed = a.newLabel()
        let stop = a.newLabel(), faulted = a.newLabel(), epilogue = a.newLabel()
        a.bind(next)
        a.load(.rsi, X86Memory(.r13, 0))  // the step
        a.zeroVector0()  // each time: the program before may have used xmm0
        // The frame's reachable bytes, zeroed (16-byte multiples: `EntryStack`).
        a.load(.rcx, X86Memory(.rsi, ChainStep.stackBytesOffset))
        a.move(.rax, .rbp)
        a.alu(.sub, .rax, .rcx)
        a.store(JITState.slot(.stackLow), .rax)
        a.store(JITState.slot(.stackCount), .rcx)
        a.bind(zeroing)
        a.alu(.cmp, .rax, .rbp)
        a.jump(.aboveOrEqual, zeroed)
        a.storeVector0(X86Memory(.rax, 0))
        a.alu(.add, .rax, immediate: 16)
        a.jump(zeroing)
        a.bind(zeroed)
        // r0 and r2-r9 zero, r1 the context, r10 the stack top.
        a.move(.rax, immediate: 0)
        a.store(JITState.register(0), .rax)
        a.load(.rcx, JITState.slot(.contextLow))
        a.store(JITState.register(1), .rcx)
        for r in UInt8(2)...9 { a.store(JITState.register(r), .rax) }
        a.store(JITState.register(10), .rbp)
        a.load(.rcx, X86Memory(.rsi, ChainStep.budgetOffset))
        a.store(JITState.slot(.budget), .rcx)
        for slot: JITState.Slot in [.depth, .faultKind, .faultInstruction, .probeCount, .grantCount] {
            a.store(JITState.slot(slot), .rax)
        }
        a.load(.rcx, X86Memory(.rsi, ChainStep.programOffset))
        a.store(JITState.slot(.program), .rcx)
        a.load(.rax, X86Memory(.rsi, ChainStep.entryOffset))
        a.move(.rdi, .rbx)
        a.call(.rax)
        a.alu(.add, .r14, immediate: 1)
        a.test(.rax, .rax)
        a.jump(.notEqual, faulted)
        a.load(.rax, X86Memory(.r15, 0), size: 1)
        a.test(.rax, .rax)
        a.jump(.notEqual, stop)
        a.load(.rax, JITState.register(0), size: 4)
        a.alu(.cmp, .rax, immediate: -1, wide: false)
        a.jump(.notEqual, stop)
        a.alu(.add, .r13, immediate: 8)
        a.alu(.cmp, .r13, .r12)
        a.jump(.below, next)

        a.bind(stop)
        a.move(.rax, .r14)
        a.alu(.add, .rax, .rax)
        a.jump(epilogue)
        a.bind(faulted)
        a.move(.rax, .r14)
        a.alu(.add, .rax, .rax)
        a.alu(.or, .rax, immediate: 1)
        a.bind(epilogue)
        a.alu(.add, .rsp, immediate: 8)
        for r in saved.reversed() { a.pop(r) }
        a.ret()
        return a.finished() ?? []
    }
    #endif
}

/// What the chain routine reads to run one program, at a fixed address the program owns.
struct ChainStep {
    var entry: UInt64
    var stackBytes: UInt64
    var budget: UInt64
    /// The `VMProgram`, unretained (the chain's caller keeps it alive).
    var program: UInt64

    static let entryOffset: Int32 = 0
    static let stackBytesOffset: Int32 = 8
    static let budgetOffset: Int32 = 16
    static let programOffset: Int32 = 24

    /// Whether a program's run can be one of a chain's steps: its code calls no helper, kfunc
    /// or tail call (which could change the packet, hold something for the run, or redirect)
    /// and reads no socket or BTF pointer through Swift. Its memory accesses may still reach the
    /// run's memory provider (whose context stores set the caller's stop byte).
    static func fits(_ ops: UnsafeBufferPointer<ExecOp>) -> Bool {
        !ops.contains { op in
            switch op.code {
            case .callHelper, .callRegister, .tailCall, .ldxCtxPointer, .ldxProbe, .stxCtxField, .ldAbs, .ldInd: true
            default: false
            }
        }
    }
}
