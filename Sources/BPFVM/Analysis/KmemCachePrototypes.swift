import BPFCore

/// `bpf_get_kmem_cache(addr)` and `bpf_modify_return_test_tp(nonce)` as Linux 6.18 types them
/// for tc (measured in Tests/Fixtures/corpus/kfunc/kmem_cache.c): each takes a number ("R1 is
/// not a scalar", EINVAL, for a pointer: a program passes an address it laundered into a
/// number). `bpf_get_kmem_cache` gives an untrusted pointer to `struct kmem_cache`
/// (PTR_UNTRUSTED by the verifier's own rule; no KF_RET_NULL, so a read without a NULL check
/// loads): reads through it are probe loads reading 0 at NULL, stores are refused, nothing
/// can be passed on. `bpf_modify_return_test_tp` answers an int.
enum KmemCachePrototypes {
    static let cache = "kmem_cache"

    /// Handles `kfunc` when it is one of these; false for every other kfunc.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState, setup: PathSetup) throws(VMError) -> Bool {
        guard kfunc == .getKmemCache || kfunc == .modifyReturnTestTP else { return false }
        let argument = state.registers[1]
        if argument.isKnownPointer || argument.kind == .notInit {
            throw VMError(instruction: index, "R1 is not a scalar")
        }
        var result: AbstractValue = .scalar(.unknown)
        if kfunc == .getKmemCache {
            guard let id = setup.kernelTypes()?.structureID(named: cache) else {
                throw VMError(instruction: index, "\(kfunc.name) needs struct \(cache) in the CO-RE target BTF "
                              + "(/sys/kernel/btf/vmlinux, or TCX_CORE_BTF)", errno: .EINVAL)
            }
            result = AbstractValue(kind: .btf(BTFPointer(typeID: id, name: cache, untrusted: true)), id: index + 1)
        }
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = result
        return true
    }
}
