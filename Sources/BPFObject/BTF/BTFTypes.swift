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

    let kind: BTFKind
    let name: String
    /// `size` for sized kinds, `type` for the ones that refer to another type.
    let sizeOrType: UInt32
    var arrayElement: UInt32 = 0
    var arrayCount: UInt32 = 0
    var members: [Member] = []
    var sectionEntries: [SectionEntry] = []
    var linkage: UInt32 = 0
    /// Where the type's record starts in the `.BTF` section's bytes.
    var position: Int = 0

    static let voidType = BTFType(kind: .void, name: "", sizeOrType: 0)
}
