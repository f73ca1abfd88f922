import BPFCore

/// Which of the kernel's prototypes a helper id names, where program types are offered different ones.
public enum HelperPrototypeVariant: Sendable {
    case tc
    case socketFilter
}

/// Every helper's prototype, by id (HelperPrototypeTable+Generated: the kernel's own structs).
enum HelperPrototypeTable {
    /// A socket filter's get_cgroup_classid reads the current task's class, not the skb's:
    /// it takes no argument (bpf_get_cgroup_classid_curr_proto).
    static let socketFilterArguments: [Int32: [HelperArgument]] = [17: []]

    static func arguments(_ id: Int32, variant: HelperPrototypeVariant) -> [HelperArgument] {
        if variant == .socketFilter, let own = socketFilterArguments[id] { return own }
        return arguments[id] ?? []
    }
}

/// The kernel's `check_func_arg` type check, for every argument of every helper: the register
/// must hold one of the types the argument's prototype accepts (`check_reg_type`), NULL passes
/// where the prototype allows it, and a packet pointer only reaches helpers with `pkt_access`.
enum HelperArgumentTypes {
    /// `readOnly`: the value is memory the kernel hands out read-only (MEM_RDONLY: an iterator's
    /// value, a dynptr's slice), which only an argument the helper just reads (MEM_RDONLY) takes.
    static func check(_ argument: HelperArgument, register: Int, of id: Int32, _ value: AbstractValue,
                      readOnly: Bool = false, at index: Int) throws(VMError) {
        // ARG_ANYTHING takes any value; a value the analysis does not follow is not judged.
        guard argument.kind != .anything, value.kind != .unknown, value.kind != .notInit else { return }
        if value.isPacketFamily, !HelperPrototypeTable.packetAccess.contains(id) {
            throw VMError(instruction: index, "helper access to the packet is not allowed", errno: .EACCES)
        }
        let nullable = argument.flags.contains(.nullable)
        if nullable, value.isScalar, value.range.constant == 0 { return }
        // An argument that may be NULL takes the type that may be NULL too.
        let name = readOnly ? "rdonly_" + value.typeName : value.typeName
        var type = readOnly && argument.flags.contains(.readOnly) ? value.typeName : name
        if nullable, type.hasSuffix("_or_null") { type.removeLast("_or_null".count) }
        guard argument.accepted.contains(type) else {
            throw VMError(instruction: index, "R\(register) type=\(name) expected=\(argument.expected.joined(separator: ", "))",
                          errno: .EACCES)
        }
        if value.kind == .context { try checkUnmoved(value, register: register, at: index) }
        // ARG_CONST_ALLOC_SIZE_OR_ZERO: the bytes to allocate are known at load.
        if argument.kind == .allocationSize, value.range.constant == nil {
            throw VMError(instruction: index, "R\(register) is not a known constant'", errno: .EACCES)
        }
    }

    /// The context (or the kernel's dynptr a drain callback gets) goes to a helper as the program
    /// got it (`check_func_arg_reg_off`, `__check_ptr_off_reg`).
    static func checkUnmoved(_ value: AbstractValue, register: Int, at index: Int) throws(VMError) {
        let name = value.typeName
        if value.range.constant == nil {
            throw VMError(instruction: index, "variable \(name) access var_off=\(value.range.knownBits) disallowed", errno: .EACCES)
        }
        if value.offset < 0 {
            throw VMError(instruction: index, "negative offset \(name) ptr R\(register) off=\(value.offset) disallowed", errno: .EACCES)
        }
        if value.offset != 0 {
            throw VMError(instruction: index, "dereference of modified \(name) ptr R\(register) off=\(value.offset) disallowed",
                          errno: .EACCES)
        }
    }
}
