import BPFCore
import Engine
import LinuxKernel
import TCX
import TCXScript
import Testing

/// What the kernel refuses through BTF pointers (`corpus/kfunc/btf_refused.o`), on both
/// backends: the same errno, and both errors carry the kernel's words.
@Suite(needsKernel)
struct BTFPointerRefusalTests {
    static let cases: [(program: String, errno: LinuxErrno, words: String)] = [
        ("store_kern_ctx", .EACCES, "only read is supported"),
        ("store_rdonly", .EACCES, "only read is supported"),
        ("store_void", .EACCES, "R0 cannot write into rdonly_untrusted_mem"),
        ("beyond_struct", .EACCES, "access beyond struct sk_buff at off 4000 size 4"),
        ("half_pointer", .EACCES, "cannot access ptr member head with moff 192 in struct sk_buff with off 196 size 4"),
        ("variable_offset", .EACCES, "R0 is ptr_sk_buff invalid variable offset: off=0, var_off=(0x0; 0x7)"),
        ("cast_to_int", .EINVAL, "kfunc bpf_rdonly_cast type ID argument must be of a struct or void"),
        ("cast_stack", .EINVAL, "arg#0 expected pointer to ctx, but got fp"),
        ("helper_reads_kern_ctx", .EACCES, "cannot access ptr member next with moff 0 in struct (anon) with off 0 size 4"),
        ("across_members", .EACCES, "access beyond the end of member mac_len (mend:122) in struct sk_buff with off 120 size 4"),
        ("across_members_untrusted", .EACCES, "access beyond the end of member mac_len"),
        ("negative_offset", .EACCES, "R0 is ptr_sk_buff invalid negative access: off=-8"),
        ("helper_writes_kern_ctx", .EACCES, "bpf_skb_load_bytes() may write into memory pointed by R3 type=trusted_ptr_"),
        ("helper_reads_void", .EACCES, "R3 type=rdonly_untrusted_mem expected=fp, pkt, pkt_meta, map_key, map_value, mem"),
        ("mixed_pointers", .EINVAL, "same insn cannot be used with different pointers"),
        ("hole", .EINVAL, "struct upid doesn't have field at offset 4"),
    ]

    @Test func eachAccessIsRefusedAsTheKernelRefusesIt() throws {
        // What the kernel allows loads on both: a helper reading a member, a NULL check.
        try KfuncRefusalTests.expectAlike(Self.cases.map { ($0.program, $0.errno, [$0.words]) },
                                          loading: ["helper_reads_member", "null_checked"], in: "corpus/kfunc/btf_refused.o")
    }
}
