import BPFCore

/// What the kernel reads from a program's function records besides their placement.
extension BTF {
    /// The global functions among `records`, each with whether it returns a scalar (an integer
    /// or an enum once typedefs and qualifiers are skipped), as the kernel's signature check wants.
    func globalFunctions(_ records: [FunctionInfo]) -> [GlobalFunction] {
        let global: UInt32 = 1
        return records.compactMap { record in
            guard let function = type(record.typeID), function.kind == .function, function.linkage == global,
                  let proto = type(function.sizeOrType), proto.kind == .functionProto else { return nil }
            let returned = skippingQualifiers(proto.sizeOrType)
            let scalar = returned.map { [.int, .enumeration, .enum64].contains($0.kind) } ?? false
            // Tagged parameters (`arg:ctx`, `arg:nonnull`, ...) change the rules: not followed.
            let tagged = types.contains { $0.kind == .declTag && $0.sizeOrType == record.typeID }
            let arguments = tagged ? [] : proto.parameters.enumerated().map { argument($0.element, index: $0.offset) }
            return GlobalFunction(instruction: record.instruction, name: function.name, returnsScalar: scalar,
                                  arguments: arguments)
        }
    }

    /// Whether each function of `records` (by first slot) returns an integer or an enum; nil
    /// when there are no records.
    func scalarReturns(_ records: [FunctionInfo]) -> [UInt32: Bool]? {
        guard !records.isEmpty else { return nil }
        var returns: [UInt32: Bool] = [:]
        for record in records {
            guard let function = type(record.typeID), function.kind == .function,
                  let proto = type(function.sizeOrType), proto.kind == .functionProto else { continue }
            let returned = skippingQualifiers(proto.sizeOrType)
            returns[record.instruction] = returned.map { [.int, .enumeration, .enum64].contains($0.kind) } ?? false
        }
        return returns
    }

    /// A parameter as the kernel types it: numbers, the context, dynptrs, sized memory; the rest refused.
    private func argument(_ id: UInt32, index: Int) -> GlobalArgument {
        guard let type = skippingQualifiers(id) else { return .unsupported("arg#\(index) type cannot be read") }
        switch type.kind {
        case .int, .enumeration, .enum64:
            return .scalar
        case .pointer:
            // The kernel's btf_is_dynptr_ptr: a dynptr argument, whatever the struct's size.
            if let pointee = skippingQualifiers(type.sizeOrType), pointee.kind == .structure, pointee.name == "bpf_dynptr" {
                return .dynptr
            }
            guard let size = size(of: type.sizeOrType), size > 0 else {
                return .unsupported("arg#\(index) reference type('UNKNOWN ') size cannot be determined: -22")
            }
            // Whether it is the context depends on the program type loading it (GlobalArgument.resolved).
            if let pointee = skippingQualifiers(type.sizeOrType), pointee.kind == .structure,
               GlobalArgument.contextStructures.contains(pointee.name) {
                return .context(structure: pointee.name, size: Int(size))
            }
            return .memory(size: Int(size))
        default:
            return .unsupported("arg#\(index) type is not supported yet")
        }
    }
}
