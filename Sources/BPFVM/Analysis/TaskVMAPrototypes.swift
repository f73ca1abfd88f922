import BPFCore

/// The task vma iterator as Linux 6.18 types it for tc (measured in
/// Tests/Fixtures/corpus/kfunc/task_vma.c): `bpf_iter_task_vma_new(it, task, addr)` makes an
/// iterator in an uninitialised stack slot (KF_ITER_NEW) from a task the program may use
/// (KF_RCU: the running task, one it holds, one read from an RCU field); `next` gives a BTF
/// pointer to a `vm_area_struct`, NULL when none is left (KF_ITER_NEXT | KF_RET_NULL), read
/// only ("only read is supported", EACCES); `destroy` ends it, and one never destroyed is a
/// leak at exit (EINVAL), as for the number iterator (`IteratorSlots`).
///
/// The task iterator (`bpf_iter_task_new(it, task__nullable, flags)`, 24 bytes) is typed the
/// same way: its task may be NULL (the flags decide at run time, EINVAL), and `next` gives a
/// nullable `task_struct` pointer the program may pass on as an RCU one (KF_RCU_PROTECTED:
/// MEM_RCU), which a non-sleepable tc program may call outside `bpf_rcu_read_lock` too.
enum TaskVMAPrototypes {
    static let area = "vm_area_struct"

    /// Handles `kfunc` when it is one of these; false for every other kfunc.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState, setup: PathSetup) throws(VMError) -> Bool {
        let r = state.registers
        var result: AbstractValue = .notInit
        let kind = IteratorSlots.kind(kfunc)
        switch kfunc {
        case .iterTaskVMANew:
            try IteratorSlots.checkArgument(r[1], at: index)
            try KernelReferences.checkArgument(r[2], expected: TaskCgroupPrototypes.task, kfunc: kfunc, releases: false,
                                               argument: 1, at: index)
            try IteratorSlots.create(r[1], kind: kind, at: index, &state)
            result = .scalar(.unknown)
        case .iterTaskVMANext:
            let id = try step(kfunc, giving: area, at: index, &state, setup: setup)
            result = AbstractValue(kind: .btf(BTFPointer(typeID: id, name: area, nullable: true)), id: index + 1)
        case .iterTaskNew:
            try IteratorSlots.checkArgument(r[1], at: index)
            // task__nullable: NULL, or a task the program may use.
            if !(r[2].isScalar && r[2].range.constant == 0) && !r[2].isNullable {
                try KernelReferences.checkArgument(r[2], expected: TaskCgroupPrototypes.task, kfunc: kfunc, releases: false,
                                                   argument: 1, at: index)
            }
            try IteratorSlots.create(r[1], kind: kind, at: index, &state)
            result = .scalar(.unknown)
        case .iterTaskNext:
            let task = TaskCgroupPrototypes.task
            let id = try step(kfunc, giving: task, at: index, &state, setup: setup)
            result = AbstractValue(kind: .btf(BTFPointer(typeID: id, name: task, nullable: true, rcu: true)), id: index + 1)
        case .iterTaskVMADestroy, .iterTaskDestroy:
            try IteratorSlots.checkArgument(r[1], at: index)
            try IteratorSlots.destroy(r[1], kind: kind, at: index, &state)
        default:
            return false
        }
        // The iterator's bytes are the kfunc's to write.
        PathMemory.clobber(from: r[1], size: KfuncPrototypes.written(kfunc, r).first?.1 ?? 8, state: &state)
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = result
        return true
    }

    /// A `next` call on its iterator: the slot checked, the step counted; the type id of the
    /// kernel struct it gives a pointer to.
    private static func step(_ kfunc: EmbeddedKfunc, giving structure: String, at index: Int, _ state: inout PathState,
                             setup: PathSetup) throws(VMError) -> UInt32 {
        let iterator = state.registers[1]
        try IteratorSlots.checkArgument(iterator, at: index)
        try IteratorSlots.require(iterator, kind: IteratorSlots.kind(kfunc), at: index, state)
        state.iteratorSteps &+= 1
        guard let id = setup.kernelTypes()?.structureID(named: structure) else {
            throw VMError(instruction: index, "\(kfunc.name) needs struct \(structure) in the CO-RE target BTF "
                          + "(/sys/kernel/btf/vmlinux, or TCX_CORE_BTF)", errno: .EINVAL)
        }
        return id
    }
}
