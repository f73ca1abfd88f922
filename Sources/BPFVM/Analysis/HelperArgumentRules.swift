import BPFCore

/// Rules of the kernel's `check_func_arg` for helper memory arguments that do not depend on
/// the memory's size: which pointer types may be passed as memory, which helpers may be given
/// packet pointers, and the fixed-size memory some helpers write.
enum HelperArgumentRules {
    /// Helpers whose prototype sets `pkt_access`: the only ones a tc program may pass a packet
    /// pointer to (map access, csum_diff, the socket lookups, the syncookie helpers).
    static let packetAccess: Set<Int32> = [1, 2, 3, 28, 84, 85, 87, 99, 100, 110, 183, 184, 185, 186, 195]

    /// Memory of a size fixed by the prototype (ARG_PTR_TO_FIXED_SIZE_MEM): the register and
    /// the bytes. check_mtu writes its `mtu_len` argument back.
    static let fixedMemory: [Int32: (register: Int, bytes: Int, write: Bool)] = [163: (3, 4, true)]

    /// The types the kernel lists for a memory argument, in its log's words.
    static let memoryTypes = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_"

    /// A packet pointer given as memory to a helper without `pkt_access` (EACCES), checked
    /// before the argument's type, as the kernel does.
    static func checkPacketAccess(_ id: Int32, _ value: AbstractValue, at index: Int) throws(VMError) {
        guard value.isPacketFamily, !packetAccess.contains(id) else { return }
        throw VMError(instruction: index, "helper access to the packet is not allowed", errno: .EACCES)
    }

    /// A pointer the analysis follows that is none of the memory types: the context, the
    /// packet's end, a map, a socket, a function (EACCES, "R1 type=pkt_end expected=fp, …").
    static func checkMemoryType(_ value: AbstractValue, register: Int, at index: Int) throws(VMError) {
        switch value.kind {
        case .context, .packetEnd, .map, .innerMap, .socket, .function:
            throw VMError(instruction: index, "R\(register) type=\(value.typeName) expected=\(memoryTypes)", errno: .EACCES)
        default:
            return
        }
    }
}
