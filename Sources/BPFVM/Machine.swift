import BPFCore

/// The state of one run. Lives on the caller's stack inside the scratch block.
struct Machine {
    var program: VMProgram
    let registers: UnsafeMutablePointer<UInt64>
    let frames: UnsafeMutablePointer<UInt64>
    let stackTop: UInt64
    var memory: RunMemory
    let environment: RunEnvironment
    /// Programs left by tail calls; callers' frames may still return into their code.
    var retained: [VMProgram] = []

    init(program: VMProgram, scratch: UnsafeMutableRawBufferPointer, context: UnsafeMutableRawBufferPointer,
         packet: UnsafeMutableRawBufferPointer?, environment: RunEnvironment) {
        let base = scratch.baseAddress!
        self.program = program
        registers = (base + Scratch.stackBytes).bindMemory(to: UInt64.self, capacity: 16)
        frames = (base + Scratch.stackBytes + Scratch.registerBytes)
            .bindMemory(to: UInt64.self, capacity: Scratch.frameBytes / 8)
        stackTop = UInt64(UInt(bitPattern: base + Scratch.stackBytes))
        let frameBytes = UInt64(VMLimits.stackPerFrame)
        memory = RunMemory(stackLow: stackTop - frameBytes, stackCount: frameBytes,
                           contextLow: Self.address(context.baseAddress), contextCount: UInt64(context.count),
                           guardsContext: environment.guardsContext,
                           packetLow: Self.address(packet?.baseAddress), packetCount: UInt64(packet?.count ?? 0),
                           regions: program.regions, extra: environment.unretainedMemory, direct: environment.directAllows)
        self.environment = environment
        registers.initialize(repeating: 0, count: 16)
        registers[1] = Self.address(context.baseAddress)
        registers[10] = stackTop
        // Zeroed so a run never sees what an earlier run or the host left behind.
        (base + Scratch.stackBytes - VMLimits.stackPerFrame).initializeMemory(
            as: UInt8.self, repeating: 0, count: VMLimits.stackPerFrame)
    }

    /// A callback's machine: the caller's frames block and memory, registers of its own.
    init(callbackOf program: VMProgram, registers: UnsafeMutablePointer<UInt64>, frames: UnsafeMutablePointer<UInt64>,
         memory: RunMemory, environment: RunEnvironment) {
        self.program = program
        self.registers = registers
        self.frames = frames
        stackTop = memory.stackLow &+ UInt64(VMLimits.stackPerFrame)
        self.memory = memory
        self.environment = environment
    }

    static func address(_ pointer: UnsafeMutableRawPointer?) -> UInt64 {
        UInt64(UInt(bitPattern: pointer))
    }

    @inline(__always)
    static func pointer(_ address: UInt64) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(bitPattern: UInt(address)).unsafelyUnwrapped
    }

    /// Switches to a tail-call target: same frame, same context argument, new code.
    mutating func enterTailCall(_ target: VMProgram) {
        retained.append(program)
        program = target
        memory.regions = target.regions
    }

    /// After returning into code of an earlier program (a tail call happened in a callee),
    /// makes that program current again so its helpers and regions apply.
    mutating func restoreProgram(owning ops: UnsafeMutablePointer<ExecOp>) {
        guard ops != program.ops.baseAddress else { return }
        if let owner = retained.last(where: { $0.ops.baseAddress == ops }) { enterTailCall(owner) }
    }

    /// A legacy packet load: big-endian bytes at `offset` of the packet, nil when out of range.
    func packetLoad(offset: Int64, size: UInt8) -> UInt64? {
        guard offset >= 0, UInt64(offset) <= memory.packetCount,
              memory.packetCount - UInt64(offset) >= UInt64(size) else { return nil }
        let p = Self.pointer(memory.packetLow &+ UInt64(offset))
        switch size {
        case 1: return UInt64(p.load(as: UInt8.self))
        case 2: return UInt64(UInt16(bigEndian: p.loadUnaligned(as: UInt16.self)))
        default: return UInt64(UInt32(bigEndian: p.loadUnaligned(as: UInt32.self)))
        }
    }
}
