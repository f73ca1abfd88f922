import BPFCore

/// `bpf_crypto_decrypt` and `bpf_crypto_encrypt` on one path, as Linux 6.18 checks them
/// (measured in Tests/Fixtures/corpus/objects/crypto.c): argument 0 is a `bpf_crypto_ctx`
/// read from a kptr field (KF_RCU), compared with NULL (EACCES otherwise) and no other pointer
/// (EINVAL); the source and destination are initialised dynptrs, the IV one too unless NULL
/// (EINVAL). The result is a number.
enum CryptoPrototypes {
    static let contextStruct = "bpf_crypto_ctx"

    /// Handles `kfunc` when it is a crypto one; false for every other kfunc.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState) throws(VMError) -> Bool {
        guard kfunc == .cryptoDecrypt || kfunc == .cryptoEncrypt else { return false }
        let r = state.registers
        try checkContext(r[1], at: index)
        try DynptrSlots.require(r[2], argument: 1, at: index, state)
        try DynptrSlots.require(r[3], argument: 2, at: index, state)
        if !(r[4].isScalar && r[4].range.constant == 0) {
            try DynptrSlots.require(r[4], argument: 3, at: index, state)
        }
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = .scalar(.unknown)
        return true
    }

    private static func checkContext(_ value: AbstractValue, at index: Int) throws(VMError) {
        switch value.kind {
        case .unknown, .notInit:
            return
        case .btf(let pointer) where pointer.name == contextStruct:
            if pointer.nullable {
                throw VMError(instruction: index, "Possibly NULL pointer passed to trusted arg0", errno: .EACCES)
            }
        case .scalar where value.range.constant == 0, .mapValue(_, _, true), .memory(_, true), .btf:
            throw VMError(instruction: index, "Possibly NULL pointer passed to trusted arg0", errno: .EACCES)
        default:
            throw VMError(instruction: index, "arg#0 pointer type STRUCT \(contextStruct) must point to scalar, or struct with scalar",
                          errno: .EINVAL)
        }
    }
}
