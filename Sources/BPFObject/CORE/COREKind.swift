/// The relocation kinds of the `.BTF.ext` CO-RE records (`enum bpf_core_relo_kind`).
enum COREKind: UInt32, CaseIterable, Sendable {
    case fieldByteOffset = 0, fieldByteSize, fieldExists, fieldSigned, fieldLShiftU64, fieldRShiftU64
    case typeIDLocal, typeIDTarget, typeExists, typeSize
    case enumValueExists, enumValue
    case typeMatches

    /// The name libbpf prints for the kind.
    var name: String {
        switch self {
        case .fieldByteOffset: "byte_off"
        case .fieldByteSize: "byte_sz"
        case .fieldExists: "field_exists"
        case .fieldSigned: "signed"
        case .fieldLShiftU64: "lshift_u64"
        case .fieldRShiftU64: "rshift_u64"
        case .typeIDLocal: "local_type_id"
        case .typeIDTarget: "target_type_id"
        case .typeExists: "type_exists"
        case .typeSize: "type_size"
        case .enumValueExists: "enumval_exists"
        case .enumValue: "enumval_value"
        case .typeMatches: "type_matches"
        }
    }

    var isFieldBased: Bool { rawValue <= COREKind.fieldRShiftU64.rawValue }
    var isEnumValueBased: Bool { self == .enumValueExists || self == .enumValue }
    var isTypeBased: Bool { !isFieldBased && !isEnumValueBased }
}
