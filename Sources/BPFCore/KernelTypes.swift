/// A kernel type as a BTF pointer's loads see it, qualifiers and typedefs skipped.
public enum KernelType: Sendable, Hashable {
    case void
    /// Integers, enums, floats: `size` bytes.
    case scalar(size: Int)
    /// A pointer; `to` is the pointee's id with qualifiers and typedefs skipped (0 for void).
    case pointer(to: UInt32)
    case structure(KernelStructure)
    case array(element: UInt32, count: Int)
    /// Functions, forward declarations: nothing a load may read.
    case other(name: String)
}

/// A struct or union of the kernel's BTF.
public struct KernelStructure: Sendable, Hashable {
    public struct Member: Sendable, Hashable {
        public var name: String
        /// The member's type id (qualifiers not yet skipped).
        public var type: UInt32
        public var bitOffset: Int
        /// Bits of a bitfield member, else 0.
        public var bitfieldSize: Int
        public init(name: String, type: UInt32, bitOffset: Int, bitfieldSize: Int) {
            self.name = name
            self.type = type
            self.bitOffset = bitOffset
            self.bitfieldSize = bitfieldSize
        }
    }
    public var name: String
    public var size: Int
    public var isUnion: Bool
    public var members: [Member]
    public init(name: String, size: Int, isUnion: Bool, members: [Member]) {
        self.name = name
        self.size = size
        self.isUnion = isUnion
        self.members = members
    }
}

/// The BTF the embedded backend's BTF pointers are typed by: the CO-RE target a program was
/// relocated against, so the type ids in its code (`bpf_core_type_id_kernel`) name these types.
public protocol KernelTypeCatalog: AnyObject, Sendable {
    /// The type `id` names, qualifiers and typedefs skipped; nil past the table.
    func type(_ id: UInt32) -> KernelType?
    /// The id of the struct called `name`.
    func structureID(named name: String) -> UInt32?
    /// The size of type `id` in bytes (arrays whole), nil when it has none.
    func size(of id: UInt32) -> Int?
}

extension KernelTypeCatalog {
    /// Where member `path` lies in struct `id`, looking into anonymous members as C does; a
    /// path names nested members with dots (`__sk_common.skc_family`): (bit offset from the
    /// struct's start, bitfield bits or 0, bytes of its type, its type).
    public func member(_ path: String, of id: UInt32) -> (bitOffset: Int, bitfieldSize: Int, size: Int, type: UInt32)? {
        var found: (bitOffset: Int, bitfieldSize: Int, size: Int, type: UInt32)?
        var structure = id, base = 0
        for name in path.split(separator: ".") {
            guard let inner = directMember(String(name), of: structure) else { return nil }
            found = (base + inner.bitOffset, inner.bitfieldSize, inner.size, inner.type)
            base += inner.bitOffset
            structure = inner.type
        }
        return found
    }

    private func directMember(_ name: String, of id: UInt32) -> (bitOffset: Int, bitfieldSize: Int, size: Int, type: UInt32)? {
        guard case .structure(let structure)? = type(id) else { return nil }
        for member in structure.members {
            if member.name == name, let size = size(of: member.type) {
                return (member.bitOffset, member.bitfieldSize, size, member.type)
            }
            if member.name.isEmpty, let inner = directMember(name, of: member.type) {
                return (member.bitOffset + inner.bitOffset, inner.bitfieldSize, inner.size, inner.type)
            }
        }
        return nil
    }
}
