import BPFCore

/// What a store into a map value's untrusted kptr field may write, as Linux 6.18's
/// check_map_kptr_access and map_kptr_match_type check it (Tests/Fixtures/verifier/kptr_store.c):
/// NULL (a number known to be 0), or a pointer to the field's kernel struct with no variable
/// offset, whose fixed offset lands on that struct (itself, or nested at the start of a member).
/// Stores into the other kptr kinds are refused before (KptrFieldAccess).
enum KptrStores {
    /// Where the stored value comes from: `*(u64 *)(r0 + 8) = r1` or `*(u64 *)(r0 + 8) = 0`.
    enum Source {
        case register(UInt8, AbstractValue)
        case immediate(Int32)
    }

    static func check(_ base: AbstractValue, offset insnOffset: Int, size: Int, _ source: Source, at index: Int,
                      setup: PathSetup) throws(VMError) {
        guard case let .mapValue(_, access, false) = base.kind, !access.kptrFields.isEmpty,
              let variable = base.range.constant else { return }
        let start = base.offset + insnOffset + Int(truncatingIfNeeded: Int64(bitPattern: variable))
        guard size == Int(KptrField.size), let field = access.kptrFields.first(where: { Int($0.offset) == start }),
              field.kind == .untrusted else { return }
        func refuse(_ reason: String) -> VMError { VMError(instruction: index, reason, errno: .EACCES) }
        switch source {
        case .immediate(let imm):
            // Only NULL may be stored as an immediate.
            if imm != 0 { throw refuse("BPF_ST imm must be 0 when storing to kptr at off=\(start)") }
        case let .register(r, value):
            if let problem = mismatch(value, register: r, field: field, types: setup.kernelTypes) { throw refuse(problem) }
        }
    }

    /// Why the kernel refuses `value` in `field`, or nil when it takes it (or the analysis
    /// cannot tell).
    private static func mismatch(_ value: AbstractValue, register r: UInt8, field: KptrField,
                                 types: @Sendable () -> (any KernelTypeCatalog)?) -> String? {
        let target = field.targetName
        let expected = "expected=ptr_\(target) or untrusted_ptr_\(target)"
        switch value.kind {
        case .unknown, .notInit:
            return nil
        case .scalar:
            // register_is_null: a number known to be 0, nothing else.
            return value.range.constant == 0 ? nil : "invalid kptr access, R\(r) type=scalar \(expected)"
        case .btf(let pointer):
            // A kptr load this analysis could not type by the kernel's BTF: not judged.
            guard pointer.typeID != 0 else {
                return pointer.name.isEmpty ? "invalid kptr access, R\(r) type=\(value.typeName) \(expected)" : nil
            }
            if value.offset < 0 {
                return "negative offset \(value.typeName) ptr R\(r) off=\(value.offset) disallowed"
            }
            if value.range.constant != 0 {
                return "variable \(value.typeName) access var_off=\(value.range.knownBits) disallowed"
            }
            guard let catalog = types(), catalog.structureID(named: target) != nil else { return nil }
            // btf_struct_ids_match, not strict for an untrusted field: the pointer's struct, or one
            // nested in it where its fixed offset lands.
            if BTFArgumentStructs.holds(target, at: value.offset, in: pointer.typeID, types: catalog) { return nil }
            return "invalid kptr access, R\(r) type=\(value.typeName)\(pointer.name) \(expected)"
        default:
            return "invalid kptr access, R\(r) type=\(value.typeName) \(expected)"
        }
    }
}
