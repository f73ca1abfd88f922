/// What a relocation puts into its instruction: the value the compiler wrote (checked when
/// `validate`), the value for the target, and for field offsets the sizes of both fields so
/// a load can be widened or narrowed.
struct COREResult: Sendable {
    var original: UInt64 = 0
    var new: UInt64 = 0
    var poison = false
    var validate = true
    var originalSize: UInt32 = 0
    var newSize: UInt32 = 0
    /// The field sizes differ and the types are not both pointers or both unsigned ints.
    var failsSizeAdjust = false
}

/// The value of one relocation against one BTF (the local one or a target's).
struct COREValue {
    struct Field {
        var value: UInt64 = 0
        var size: UInt32 = 0
        var typeID: UInt32 = 0
        var validate = true
    }

    /// `spec` nil means the target has no match: existence answers 0, the rest poison.
    static func field(_ kind: COREKind, spec: CORESpec?, btf: BTF) throws(COREFailure) -> Field? {
        var out = Field()
        if kind == .fieldExists {
            out.value = spec == nil ? 0 : 1
            return out
        }
        guard let spec, let last = spec.accessors.last else { return nil }
        // An array element as the last step: only its offset and size have a meaning.
        guard let lastName = last.name else {
            guard let size = btf.size(of: last.typeID) else { throw COREFailure("array element \(btf.describe(last.typeID)) has no size") }
            switch kind {
            case .fieldByteOffset:
                out.value = spec.bitOffset / 8
                out.size = size
                out.typeID = last.typeID
            case .fieldByteSize:
                out.value = UInt64(size)
            default:
                throw COREFailure("\(kind.name) cannot be applied to an array element")
            }
            return out
        }
        guard let holder = btf.type(last.typeID), last.index < holder.members.count,
              let (fieldID, fieldType) = btf.skippingModifiers(holder.members[last.index].type) else {
            throw COREFailure("member \(last.index) of \(btf.describe(last.typeID)) is missing or cyclic")
        }
        let bitOffset = spec.bitOffset
        var bitSize = UInt64(holder.memberBitfieldSize(last.index))
        let isBitfield = bitSize > 0
        var byteSize: UInt64
        var byteOffset: UInt64
        if isBitfield {
            byteSize = UInt64(fieldType.sizeOrType)
            guard byteSize > 0 else { throw COREFailure("bitfield of a type without size") }
            byteOffset = bitOffset / 8 / byteSize * byteSize
            // The smallest load that covers the whole bitfield.
            while bitOffset + bitSize - byteOffset * 8 > byteSize * 8 {
                guard byteSize < 8 else {
                    throw COREFailure("bitfield \(lastName) cannot be read with one 64-bit load", errno: .E2BIG)
                }
                byteSize *= 2
                byteOffset = bitOffset / 8 / byteSize * byteSize
            }
        } else {
            guard let size = btf.size(of: fieldID) else { throw COREFailure("field \(lastName) has no size") }
            byteSize = UInt64(size)
            byteOffset = bitOffset / 8
            bitSize = byteSize * 8
        }
        out.validate = !isBitfield
        switch kind {
        case .fieldByteOffset:
            out.value = byteOffset
            if !isBitfield {
                out.size = UInt32(truncatingIfNeeded: byteSize)
                out.typeID = fieldID
            }
        case .fieldByteSize:
            out.value = byteSize
        case .fieldSigned:
            out.value = (fieldType.isAnyEnum && fieldType.kindFlag) || fieldType.intIsSigned ? 1 : 0
            out.validate = true
        case .fieldLShiftU64:
            out.value = 64 &- (bitOffset &+ bitSize &- byteOffset &* 8)
        case .fieldRShiftU64:
            out.value = 64 &- bitSize
            out.validate = true
        default:
            throw COREFailure("\(kind.name) is not a field relocation")
        }
        return out
    }

    /// Type relocations: 0 when the target has no such type.
    static func type(_ kind: COREKind, spec: CORESpec?, btf: BTF) throws(COREFailure) -> (value: UInt64, validate: Bool) {
        guard let spec else { return (0, true) }
        switch kind {
        case .typeIDLocal, .typeIDTarget:
            return (UInt64(spec.rootTypeID), false)
        case .typeExists, .typeMatches:
            return (1, true)
        case .typeSize:
            guard let size = btf.size(of: spec.rootTypeID) else {
                throw COREFailure("\(btf.describe(spec.rootTypeID)) has no size")
            }
            return (UInt64(size), true)
        default:
            throw COREFailure("\(kind.name) is not a type relocation")
        }
    }

    /// Enumerator relocations: existence answers 0 without a match, the value poisons.
    static func enumValue(_ kind: COREKind, spec: CORESpec?, btf: BTF) throws(COREFailure) -> UInt64? {
        if kind == .enumValueExists { return spec == nil ? 0 : 1 }
        guard let spec, let accessor = spec.accessors.first, let t = btf.type(accessor.typeID),
              accessor.index < t.enumValues.count else { return nil }
        return t.enumValues[accessor.index].value
    }

    /// The whole result for local spec and target spec (nil: no candidate matched).
    static func result(_ kind: COREKind, local: CORESpec, localBTF: BTF, target: CORESpec?, targetBTF: BTF) throws(COREFailure) -> COREResult {
        var result = COREResult()
        if kind.isFieldBased {
            guard let original = try field(kind, spec: local, btf: localBTF) else {
                throw COREFailure("local access path does not resolve")
            }
            result.original = original.value
            result.originalSize = original.size
            result.validate = original.validate
            guard let new = try field(kind, spec: target, btf: targetBTF) else {
                result.poison = true
                return result
            }
            result.new = new.value
            result.newSize = new.size
            if original.size != new.size {
                result.failsSizeAdjust = !sizeAdjustIsSafe(localBTF.type(original.typeID), targetBTF.type(new.typeID))
            }
        } else if kind.isTypeBased {
            let original = try type(kind, spec: local, btf: localBTF)
            result.original = original.value
            result.validate = original.validate
            result.new = try type(kind, spec: target, btf: targetBTF).value
        } else {
            result.original = try enumValue(kind, spec: local, btf: localBTF) ?? 0
            guard let new = try enumValue(kind, spec: target, btf: targetBTF) else {
                result.poison = true
                return result
            }
            result.new = new
        }
        return result
    }

    /// A load may change size for pointers (32-bit kernels) and unsigned integers only.
    private static func sizeAdjustIsSafe(_ a: BTFType?, _ b: BTFType?) -> Bool {
        guard let a, let b else { return false }
        if a.kind == .pointer && b.kind == .pointer { return true }
        return a.kind == .int && b.kind == .int && !a.intIsSigned && !b.intIsSigned
    }
}
