import BPFCore

/// The verifier's rules for `bpf_stream_vprintk_impl(stream_id, fmt__str, args, len__sz,
/// aux__prog)`, in the kernel's order and words: the format must be a constant string in a
/// frozen read-only map (`.rodata`): another pointer "doesn't point to a const string"
/// (EINVAL), a writable map value "does not point to a readonly map'" (EACCES); `args` must
/// hold `len__sz` bytes; `aux__prog` is the verifier's to fill, anything goes.
enum StreamKfuncPrototypes {
    static func check(at index: Int, _ state: inout PathState) throws(VMError) {
        for register in [1, 4] {
            let value = state.registers[register]
            if value.isKnownPointer || value.kind == .notInit {
                throw VMError(instruction: index, "R\(register) is not a scalar")
            }
        }
        let format = state.registers[2]
        switch format.kind {
        case .mapValue(_, let access, _):
            guard access.fixed != nil else {
                throw VMError(instruction: index, "R2 does not point to a readonly map'", errno: .EACCES)
            }
            guard format.range.constant != nil else {
                throw VMError(instruction: index, "R2 is not a constant address'", errno: .EACCES)
            }
        case .unknown:
            break
        default:
            throw VMError(instruction: index, "arg#1 doesn't point to a const string")
        }
        let arguments = HelperPrototypes.SizedMemory(pointer: 3, size: 4, write: false, zeroAllowed: true)
        try PathHelpers.sizedArgument(arguments, at: index, &state)
    }
}
