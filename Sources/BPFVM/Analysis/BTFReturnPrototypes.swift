import BPFCore

/// The helpers whose prototype returns a BTF pointer, typed as the kernel types their results:
/// the `bpf_skc_to_*` casts give the protocol's socket struct, NULL until compared
/// (RET_PTR_TO_BTF_ID_OR_NULL), holding the reference of the socket they were given
/// (is_ptr_cast_function); `bpf_get_current_task_btf` gives the running task and
/// `bpf_task_pt_regs` its registers, never NULL (RET_PTR_TO_BTF_ID_TRUSTED).
enum BTFReturnPrototypes {
    /// Each cast's id and the struct of the target BTF its result points to (its name is
    /// `bpf_skc_to_` and the struct's).
    static let socketCasts: [Int32: String] = [
        136: "tcp6_sock", 137: "tcp_sock", 138: "tcp_timewait_sock", 139: "tcp_request_sock",
        140: "udp6_sock", 178: "unix_sock", 196: "mptcp_sock",
    ]
    static let currentTask: Int32 = 158
    /// `bpf_task_pt_regs(task)`: the task's registers, never NULL (RET_PTR_TO_BTF_ID_TRUSTED).
    static let taskRegisters: Int32 = 175
    static let taskStructure = "task_struct", registersStructure = "pt_regs"

    /// Whether helper `id` returns a BTF pointer this models.
    static func returnsBTF(_ id: Int32) -> Bool { id == currentTask || id == taskRegisters || socketCasts[id] != nil }

    /// The result of helper `id` given `argument` (register 1), or nil when `id` returns no BTF pointer.
    static func result(_ id: Int32, argument: AbstractValue, at index: Int,
                       types: @Sendable () -> (any KernelTypeCatalog)?) throws(VMError) -> AbstractValue? {
        if id == currentTask {
            let typeID = try structure(taskStructure, of: "bpf_get_current_task_btf", at: index, types: types)
            return AbstractValue(kind: .btf(BTFPointer(typeID: typeID, name: taskStructure, trusted: true)))
        }
        if id == taskRegisters {
            // Its argument is checked with the others (BTFArgumentStructs).
            let typeID = try structure(registersStructure, of: "bpf_task_pt_regs", at: index, types: types)
            return AbstractValue(kind: .btf(BTFPointer(typeID: typeID, name: registersStructure, trusted: true)))
        }
        guard let name = socketCasts[id] else { return nil }
        let typeID = try structure(name, of: "bpf_skc_to_" + name, at: index, types: types)
        let pointer = BTFPointer(typeID: typeID, name: name, nullable: true)
        return AbstractValue(kind: .btf(pointer), id: index + 1, reference: argument.reference)
    }

    /// Without the struct the kernel has no type for the result either and refuses the call.
    private static func structure(_ name: String, of helper: String, at index: Int,
                                  types: @Sendable () -> (any KernelTypeCatalog)?) throws(VMError) -> UInt32 {
        guard let typeID = types()?.structureID(named: name) else {
            throw VMError(instruction: index, "\(helper) needs struct \(name) in the CO-RE target BTF "
                          + "(/sys/kernel/btf/vmlinux, or TCX_CORE_BTF)", errno: .EINVAL)
        }
        return typeID
    }
}
