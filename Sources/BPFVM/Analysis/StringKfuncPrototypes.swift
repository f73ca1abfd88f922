import BPFCore

/// The verifier's rules for the string kfuncs: their string pointers are `__ign` arguments,
/// which the kernel does not check at all (any value, even a number, is accepted: the kfunc
/// reads with nofault reads); their counts and characters must be numbers ("R%d is not a
/// scalar", EINVAL). The `int` result is an unknown number.
enum StringKfuncPrototypes {
    /// The registers holding number arguments: `count`, `len`, `c`.
    static func scalarArguments(_ kfunc: EmbeddedKfunc) -> [Int] {
        switch kfunc {
        case .strnchr: [2, 3]
        case .strchr, .strchrnul, .strrchr, .strnlen: [2]
        case .strnstr: [3]
        default: []
        }
    }

    static func check(_ kfunc: EmbeddedKfunc, at index: Int, _ state: PathState) throws(VMError) {
        for register in scalarArguments(kfunc) {
            let value = state.registers[register]
            if value.isKnownPointer || value.kind == .notInit {
                throw VMError(instruction: index, "R\(register) is not a scalar")
            }
        }
    }
}
