import BPFCore

/// The `bpf_skc_to_*` helpers typed as the kernel's prototypes type them: the result is a BTF
/// pointer to the protocol's socket struct, NULL until compared (RET_PTR_TO_BTF_ID_OR_NULL),
/// holding the reference of the socket it was given (is_ptr_cast_function).
enum SocketCastPrototypes {
    /// Each cast's id and the struct of the target BTF its result points to.
    static let structures: [Int32: String] = [
        136: "tcp6_sock", 137: "tcp_sock", 138: "tcp_timewait_sock", 139: "tcp_request_sock",
        140: "udp6_sock", 178: "unix_sock", 196: "mptcp_sock",
    ]

    /// The result of cast `id` of `socket` (register 1), or nil when `id` is no cast.
    static func result(_ id: Int32, of socket: AbstractValue, at index: Int,
                       types: @Sendable () -> (any KernelTypeCatalog)?) throws(VMError) -> AbstractValue? {
        guard let structure = structures[id] else { return nil }
        // Without the struct the kernel has no type for the result either and refuses the call.
        guard let typeID = types()?.structureID(named: structure) else {
            throw VMError(instruction: index, "the bpf_skc_to_* helpers need struct \(structure) in the CO-RE target BTF "
                          + "(/sys/kernel/btf/vmlinux, or TCX_CORE_BTF)", errno: .EINVAL)
        }
        let pointer = BTFPointer(typeID: typeID, name: structure, nullable: true)
        return AbstractValue(kind: .btf(pointer), id: index + 1, reference: socket.reference)
    }
}
