import BPFCore

/// `bpf_send_signal_task(task, sig, type, value)` as Linux 6.18 types it for tc (measured in
/// Tests/Fixtures/corpus/kfunc/send_signal_task.c): a task the program may use (never NULL,
/// EACCES; not a number, EINVAL), then numbers ("R%d is not a scalar"). It answers an int.
enum SendSignalTaskPrototypes {
    /// Handles `kfunc` when it is this one; false for every other kfunc.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState) throws(VMError) -> Bool {
        guard kfunc == .sendSignalTask else { return false }
        let r = state.registers
        try KernelReferences.checkArgument(r[1], expected: TaskCgroupPrototypes.task, kfunc: kfunc, releases: false, at: index)
        for register in 2 ... 4 where r[register].isKnownPointer || r[register].kind == .notInit {
            throw VMError(instruction: index, "R\(register) is not a scalar")
        }
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = .scalar(.unknown)
        return true
    }
}
