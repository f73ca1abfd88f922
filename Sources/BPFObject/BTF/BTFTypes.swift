/// BTF kinds (`BTF_KIND_*`) the loader reads or has to step over.
enum BTFKind: UInt8 {
    case void = 0, int, pointer, array, structure, union, enumeration, forward, typedef
    case volatile, const, restrict, function, functionProto, variable, dataSection, float
    case declTag, typeTag, enum64
}

/// One BTF type with the parts of its trailing data that the loader uses.
struct BTFType {
    struct Member { let name: String; let type: UInt32; let offset: UInt32 }
    struct SectionEntry { let type: UInt32; let offset: UInt32; let size: UInt32 }
    /// An enumerator; `value` holds the bits as written (sign-extended for signed 32-bit enums).
    struct EnumValue { let name: String; let value: UInt64 }

    let kind: BTFKind
    let name: String
    /// `size` for sized kinds, `type` for the ones that refer to another type.
    let sizeOrType: UInt32
    var arrayElement: UInt32 = 0
    var arrayCount: UInt32 = 0
    var members: [Member] = []
    var sectionEntries: [SectionEntry] = []
    var linkage: UInt32 = 0
    /// `kind_flag` of `info`: bitfield offsets in members, signedness of enums.
    var kindFlag = false
    /// The word after an int's header: encoding, bit offset and bit count.
    var intData: UInt32 = 0
    var enumValues: [EnumValue] = []
    /// A declaration tag's component: -1 for the tagged type itself, else a member or parameter.
    var componentIndex: Int32 = -1
    /// Parameter types of a function prototype.
    var parameters: [UInt32] = []
    /// Where the type's record starts in the `.BTF` section's bytes.
    var position: Int = 0

    static let voidType = BTFType(kind: .void, name: "", sizeOrType: 0)
}

extension BTFType {
    static let intSigned: UInt32 = 1
    var intIsSigned: Bool { kind == .int && (intData >> 24) & Self.intSigned != 0 }
    /// Bit offset inside an int's storage (deprecated bitfield-like ints have it non-zero).
    var intBitOffset: UInt32 { (intData >> 16) & 0xff }
    var isComposite: Bool { kind == .structure || kind == .union }
    var isAnyEnum: Bool { kind == .enumeration || kind == .enum64 }

    /// Bit offset of member `i` inside this struct or union.
    func memberBitOffset(_ i: Int) -> UInt32 {
        kindFlag ? members[i].offset & 0xff_ffff : members[i].offset
    }

    /// Bit count of member `i` when it is a bitfield, else 0.
    func memberBitfieldSize(_ i: Int) -> UInt32 {
        kindFlag ? members[i].offset >> 24 : 0
    }
}
