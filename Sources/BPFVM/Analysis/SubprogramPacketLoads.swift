/// LD_ABS and LD_IND may end the program from inside a subprogram (a load past the packet
/// returns 0 from the whole program), and so may a tail call; the kernel allows either only
/// where it knows the subprogram returns an integer: with BTF function records, and that return
/// type. Refused as `check_abnormal_return` and `check_btf_func` refuse it, before any path is
/// explored.
enum SubprogramPacketLoads {
    static func check(_ program: VerifiedProgram, returnsScalar: [Int: Bool]?) throws(VMError) {
        for (index, op) in program.operations.enumerated() {
            let what: String
            switch op {
            case .packetLoad?: what = "LD_ABS"
            case .call(.helper(HelperReferenceRules.tailCall))?: what = "tail_call"
            default: continue
            }
            let start = program.functionStarts[program.function(containing: index)]
            guard start != 0 else { continue }
            guard let returnsScalar else {
                throw VMError(instruction: index, "\(what) is not allowed in subprogs without BTF", errno: .EINVAL)
            }
            if returnsScalar[start] != true {
                throw VMError(instruction: index, "\(what) is only allowed in functions that return 'int'.", errno: .EINVAL)
            }
        }
    }
}
