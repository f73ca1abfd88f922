import BPFCore

/// `bpf_sk_assign_tcp_reqsk(skb, sk, attrs, attrs__sz)` on one path, as the kernel's kfunc
/// prototype types it (KF_TRUSTED_ARGS): the program's context, a socket that is not NULL (a
/// lookup's, once compared, or a cast of it), and the attributes as memory of `attrs__sz`
/// bytes, a bounded size within that memory (0 allowed, as for every kfunc memory size). The
/// result is a number.
enum RequestSockPrototypes {
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState) throws(VMError) -> Bool {
        guard kfunc == .skAssignTCPReqsk else { return false }
        let r = state.registers
        switch r[1].kind {
        case .context, .unknown: break
        case .notInit: throw VMError(instruction: index, "R1 !read_ok", errno: .EACCES)
        default: throw VMError(instruction: index, "arg#0 expected pointer to ctx, but got \(r[1].typeName)", errno: .EINVAL)
        }
        if case .notInit = r[2].kind { throw VMError(instruction: index, "R2 !read_ok", errno: .EACCES) }
        if r[2].isScalar || r[2].isNullable {
            throw VMError(instruction: index, "Possibly NULL pointer passed to trusted arg1", errno: .EACCES)
        }
        let attributes = HelperPrototypes.SizedMemory(pointer: 3, size: 4, write: false, zeroAllowed: true)
        try PathHelpers.sizedArgument(attributes, at: index, &state)
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = .scalar(.unknown)
        return true
    }
}
