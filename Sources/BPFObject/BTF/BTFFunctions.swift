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
            return GlobalFunction(instruction: record.instruction, name: function.name, returnsScalar: scalar)
        }
    }
}
