/// The exception callback a program names (`__exception_cb(name)`): the BTF declaration tag
/// `exception_callback:NAME` on the program's function, which the kernel reads from the
/// program's first function record (`bpf_find_exception_callback_insn_off`).
extension BTF {
    static let exceptionCallbackTag = "exception_callback:"

    /// The callback names tagged on the function named `program` (none, one, or, refused by the
    /// kernel, several).
    func exceptionCallbacks(ofFunction program: String) -> [String] {
        let ids = Set(types.indices.filter { types[$0].kind == .function && types[$0].name == program }.map { UInt32($0) })
        return types.compactMap { type in
            guard type.kind == .declTag, type.componentIndex == -1, ids.contains(type.sizeOrType),
                  type.name.hasPrefix(Self.exceptionCallbackTag) else { return nil }
            return String(type.name.dropFirst(Self.exceptionCallbackTag.count))
        }
    }

    /// Whether the function named `name` has global linkage, nil when BTF has no such function.
    func isGlobalFunction(named name: String) -> Bool? {
        let global: UInt32 = 1
        guard let function = types.first(where: { $0.kind == .function && $0.name == name }) else { return nil }
        return function.linkage == global
    }
}
