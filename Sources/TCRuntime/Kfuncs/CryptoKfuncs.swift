import BPFCore
import BPFVM

/// `bpf_crypto_decrypt` and `bpf_crypto_encrypt` at run time. A crypto context is made only by
/// `bpf_crypto_ctx_create`, which the kernel offers to SEC("syscall") programs alone; the
/// embedded backend runs none, so a kptr field of that type always reads NULL and the verifier
/// lets no other pointer through: these are never reached with a context. Should one be, they
/// answer EINVAL, as the kernel does for a context without a cipher.
enum CryptoKfuncs {
    static func register(_ table: inout KfuncTable) {
        table.register(.cryptoDecrypt) { _ in failed(.EINVAL) }
        table.register(.cryptoEncrypt) { _ in failed(.EINVAL) }
    }
}
