/// Loads through BTF pointers (`ExecCode.ldxProbe`): out of line, through the interpreter's
/// own rule (`ProbeLoad`), so both executors read the same bytes and 0 where the run may not.
extension JITCompiler {
    mutating func probeLoad(_ op: ExecOp) {
        a.store(JITState.slot(.budget), Self.budget)
        loadRegister(.rsi, op.src)
        if op.offset != 0 { a.alu(.add, .rsi, immediate: op.offset) }
        a.move(.rdx, immediate: UInt64(op.aux))
        callOut(JITThunks.probeLoadAddress)
        storeRegister(op.dst, .rax)
    }
}
