/// The kfuncs Linux 6.18 offers a tc program although they may sleep (KF_SLEEPABLE), measured
/// with Tools/kfunc-probe/probe.py. A tc program never sleeps, so its loader finds them (libbpf
/// resolves the extern) and the verifier refuses a program whose path reaches one: "program must
/// be sleepable to call sleepable kfunc X", EACCES. A call no path reaches loads.
///
/// The embedded backend has nothing to run for them: the loader turns each call into a marker
/// call (`call` src 0, imm in `calls`) that the verifier refuses where reached, as it refuses a
/// libbpf poison, and that never survives in reachable code.
public enum SleepableKfuncs {
    /// Their kernel names, in the order their marker numbers follow.
    public static let names: [String] = [
        "bpf_copy_from_user_dynptr", "bpf_copy_from_user_str", "bpf_copy_from_user_str_dynptr",
        "bpf_copy_from_user_task_dynptr", "bpf_copy_from_user_task_str", "bpf_copy_from_user_task_str_dynptr",
        "bpf_iter_dmabuf_destroy", "bpf_iter_dmabuf_new", "bpf_iter_dmabuf_next",
        "bpf_iter_kmem_cache_destroy", "bpf_iter_kmem_cache_new", "bpf_iter_kmem_cache_next",
        "bpf_lookup_user_key",
    ]

    /// The marker numbers, apart from libbpf's poisons (2_002_000_000 + extern index).
    public static let calls: Range<Int32> = 2_003_000_000 ..< 2_003_000_000 + Int32(names.count)

    /// The marker a call of `name` becomes, or nil when it is not one of them.
    public static func call(named name: String) -> Int32? {
        names.firstIndex(of: name).map { calls.lowerBound + Int32($0) }
    }

    /// The kfunc a marker stands for.
    public static func name(of call: Int32) -> String? {
        guard calls.contains(call) else { return nil }
        return names[Int(call - calls.lowerBound)]
    }

    /// The verifier's words for a reached call.
    public static func refusal(of name: String) -> String {
        "program must be sleepable to call sleepable kfunc \(name)"
    }
}
