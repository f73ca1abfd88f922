/// Callbacks that run after the program returned (BPF timers): the helper that registers one
/// names the program and the function; the runtime calls it later, on its own.
extension HelperCall {
    /// The program whose code made this helper call (after a tail call, the target).
    public var callingProgram: VMProgram? { site?.program }

    /// Whether `slot` (a value a `lddw` function reference loaded) starts a function of the
    /// calling program.
    public func isFunction(_ slot: UInt64) -> Bool {
        guard let site, slot < UInt64(Int.max) else { return false }
        return site.program.functionStarts.contains(Int(slot))
    }
}

extension Interpreter {
    /// Runs the function of `program` starting at `entry` with r1-r5 as an asynchronous callback
    /// runs in the kernel: in a fresh frame of its own, with no context and no packet; what else
    /// it may touch is what `environment` allows. Returns its r0.
    public static func runCallback(_ program: VMProgram, entry: Int, arguments: [UInt64],
                                   environment: RunEnvironment) throws(VMFault) -> UInt64 {
        guard program.functionStarts.contains(entry), arguments.count <= 5 else {
            throw VMFault(instruction: 0, kind: .helper("callback \(entry) is not a function"))
        }
        let block = ScratchPool.take()
        defer { ScratchPool.give(block) }
        let scratch = UnsafeMutableRawBufferPointer(start: block, count: Scratch.bytes)
        let noContext = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        var machine = Machine(program: program, scratch: scratch, context: noContext, packet: nil,
                              environment: environment)
        for (index, value) in arguments.enumerated() { machine.registers[index + 1] = value }
        return try machine.execute(entry: entry)
    }
}
