import BPFCore

/// Rules of the kernel's `check_func_arg` for helper memory arguments that do not depend on
/// the memory's size: which pointer types may be passed as memory.
enum HelperArgumentRules {
    /// The types the kernel lists for a memory argument, in its log's words.
    static let memoryTypes = HelperArgument(.memory).expected.joined(separator: ", ")

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
