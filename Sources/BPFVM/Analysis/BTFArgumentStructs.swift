import BPFCore

/// A BTF pointer given to a helper argument that names a struct: it must point at that struct,
/// itself or nested at the start of what it points to, as the kernel's btf_struct_ids_match
/// finds it (a `tcp_sock` starts with its `sock_common`; a `task_struct` has none).
enum BTFArgumentStructs {
    /// The struct ARG_PTR_TO_BTF_ID_SOCK_COMMON takes.
    static let socketCommon = "sock_common"
    /// The ARG_PTR_TO_BTF_ID arguments of the helpers tc may call with a BTF pointer, by helper
    /// and register: task_storage_get/delete's task, task_pt_regs' task, cgrp_storage_get/delete's
    /// cgroup.
    static let byHelper: [Int32: [Int: String]] = [156: [2: "task_struct"], 157: [2: "task_struct"], 175: [1: "task_struct"],
                                                   210: [2: "cgroup"], 211: [2: "cgroup"]]

    /// The struct argument `register` of helper `id` must point at, if it names one.
    static func expected(_ argument: HelperArgument, helper id: Int32, register: Int) -> String? {
        argument.kind == .btfSocketCommon ? socketCommon : byHelper[id]?[register]
    }

    static func require(_ expected: String, _ value: AbstractValue, register: Int, at index: Int,
                        types: @Sendable () -> (any KernelTypeCatalog)?) throws(VMError) {
        guard case .btf(let pointer) = value.kind, pointer.typeID != 0, let catalog = types() else { return }
        if !holds(expected, at: value.offset, in: pointer.typeID, types: catalog) {
            throw VMError(instruction: index, "R\(register) is of type \(pointer.name) but \(expected) is expected", errno: .EACCES)
        }
    }

    /// Whether struct `id` holds `expected` starting at `offset`: descending into the member
    /// struct the offset lies in, a member starting exactly there is compared by name.
    static func holds(_ expected: String, at start: Int, in id: UInt32, types: any KernelTypeCatalog) -> Bool {
        var structID = id, offset = start
        for _ in 0 ..< StructWalk.maxDepth {
            guard offset >= 0, case .structure(let structure)? = types.type(structID) else { return false }
            if offset == 0, structure.name == expected { return true }
            let inner = structure.members.first { member in
                let memberOffset = member.bitOffset / 8
                guard member.bitfieldSize == 0, memberOffset <= offset, let size = types.size(of: member.type) else { return false }
                return offset < memberOffset + size
            }
            guard let inner, case .structure? = types.type(inner.type) else { return false }
            offset -= inner.bitOffset / 8
            structID = inner.type
        }
        return false
    }
}
