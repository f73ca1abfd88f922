import BPFCore

/// bpf_snprintf_btf's text of objects by their type in the kernel's BTF (vmlinux: the helper
/// takes no other), as `BTFShow` builds it.
public final class KernelObjectText: Sendable {
    let btf: BTF

    init(_ btf: BTF) { self.btf = btf }

    /// The BTF the CO-RE target source names (the running kernel's vmlinux by default), so
    /// that the type ids a program got from `bpf_core_type_id_kernel` name these types.
    public static func load(_ source: COREBTFSource = .fromEnvironment()) -> KernelObjectText? {
        guard let loaded = try? CORETargets.load(source, fail: Failure(file: "snprintf_btf target")) else { return nil }
        return KernelObjectText(loaded.btf)
    }

    /// Raw BTF bytes (a `.BTF` section or a vmlinux file); nil when they do not parse.
    public convenience init?(bytes: [UInt8]) {
        guard let btf = try? BTF(bytes: bytes, location: "BTF", fail: Failure(file: "snprintf_btf target")) else { return nil }
        self.init(btf)
    }

    /// What showing type `id` reads of the object.
    public enum Need: Sendable, Equatable {
        /// No such type: ENOENT.
        case noType
        /// A kind shown without reading (functions, forward declarations, floats).
        case nothing
        /// The object's size; the kernel reads this much from its address.
        case bytes(Int)
        /// A type whose size cannot be worked out (a broken or oversized one): the kernel's
        /// btf_resolve_size fails with EINVAL before anything is printed.
        case unsized
        /// A type the kernel cannot show without dereferencing NULL (read from its source,
        /// never tried): why.
        case kernelFault(String)
    }

    public func need(_ id: UInt32) -> Need {
        guard let type = btf.type(id) else { return .noType }
        var current = type
        for _ in 0 ..< BTF.maxDepth {
            switch current.kind {
            case .variable, .dataSection:
                return .kernelFault("a variable or data section is shown through resolved type ids, which "
                    + "the kernel keeps for no vmlinux type (a NULL dereference)")
            case .typedef, .volatile, .const, .restrict, .typeTag:
                guard let next = btf.type(current.sizeOrType) else { return .unsized }
                if next.kind == .void {
                    return .kernelFault("a qualifier or typedef of void leads the kernel to void's show "
                        + "operation, which it has none of (a NULL dereference)")
                }
                current = next
            case .void, .forward, .function, .functionProto, .float, .declTag:
                return .nothing
            default:
                guard let size = btf.size(of: id).flatMap({ Int(exactly: $0) }) else { return .unsized }
                return .bytes(size)
            }
        }
        return .unsized
    }

    /// The text's first `capacity - 1` bytes and a NUL (nothing when the text never starts),
    /// and the whole text's length, which the helper returns.
    public struct Shown: Sendable, Equatable {
        public let written: [UInt8]
        public let length: Int
    }

    /// The text of the object of type `id` whose bytes are `object` (its size as `need` said),
    /// `hashPointer` standing for `%p`'s hash of a pointer that is neither NULL nor an error.
    public func show(_ id: UInt32, object: UnsafeRawBufferPointer, flags: BTFShowFlags, capacity: Int,
                     hashPointer: @escaping (UInt64) -> UInt64) -> Shown {
        var show = BTFShow(btf: btf, flags: flags, object: object, capacity: capacity, hashPointer: hashPointer)
        if let type = btf.type(id) {
            show.show(type, id, at: 0, bitOffset: 0)
        }
        return Shown(written: show.text.written, length: show.text.length)
    }
}
