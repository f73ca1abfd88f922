/// Loads through BTF pointers (`ExecCode.ldxProbe`): inline inside the run's probe window
/// (`MemoryRegionProvider.probeWindow`, which the thunk sets after a probe load), out of line
/// through the interpreter's own rule (`ProbeLoad`) anywhere else, so both executors read the
/// same bytes and 0 where the run may not.
extension JITCompiler {
    mutating func probeLoad(_ op: ExecOp) {
        let size = Int(op.aux & 0xf), outside = a.newLabel(), done = a.newLabel()
        loadRegister(.rsi, op.src)
        if op.offset != 0 { a.alu(.add, .rsi, immediate: op.offset) }
        // An empty window (count 0) sends every address out of line.
        jumpUnlessInside(.rsi, low: .probeLow, count: .probeCount, size: Int32(size), outside: outside)
        let destination = host(op.dst) ?? .rax
        if op.aux & ExecOp.signedLoad != 0 && size < 8 {
            a.loadSigned(destination, X86Memory(.rsi), size: size)
        } else {
            a.load(destination, X86Memory(.rsi), size: size)
        }
        if destination == .rax { storeRegister(op.dst, .rax) }
        a.jump(done)
        a.bind(outside)
        a.store(JITState.slot(.budget), Self.budget)
        a.move(.rdx, immediate: UInt64(op.aux))
        callOut(JITThunks.probeLoadAddress)
        storeRegister(op.dst, .rax)
        a.bind(done)
    }
}
