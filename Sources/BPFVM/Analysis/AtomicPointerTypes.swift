/// The memory a BPF_ATOMIC instruction may use (the kernel's `atomic_ptr_type_ok`): not the
/// context, the packet or a socket, whose accesses the kernel checks or rewrites field by
/// field and so cannot make atomic. Load-acquire is refused on them as the read-modify-write
/// forms and store-release are.
enum AtomicPointerTypes {
    static func check(_ base: AbstractValue, register: UInt8, loads: Bool, at index: Int) throws(VMError) {
        switch base.kind {
        case .packet, .packetMeta, .context, .socket:
            let verb = loads ? "loads from" : "stores into"
            throw VMError(instruction: index, "BPF_ATOMIC \(verb) R\(register) \(base.typeName) is not allowed", errno: .EACCES)
        default:
            return
        }
    }
}
