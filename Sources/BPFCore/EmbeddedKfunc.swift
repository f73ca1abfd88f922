/// The kernel functions (kfuncs) the embedded backend runs, by the number its calls carry.
///
/// The kernel names a kfunc in a call by its BTF id in vmlinux; the embedded backend has no
/// vmlinux, so an object's kfunc calls are resolved by name to these numbers instead
/// (`call` with src_reg 2, imm = the raw value). The numbers are this project's own.
public enum EmbeddedKfunc: Int32, CaseIterable, Sendable {
    case iterNumNew = 1
    case iterNumNext
    case iterNumDestroy
    case dynptrFromSKB
    case dynptrSlice
    case dynptrSliceReadWrite
    case dynptrAdjust
    case dynptrIsNull
    case dynptrIsReadOnly
    case dynptrSize
    case dynptrClone
    case rcuReadLock
    case rcuReadUnlock
    case dynptrCopy
    case dynptrMemset
    // The bit iterator (Kfuncs/BitsIteratorKfuncs.swift).
    case iterBitsNew = 16, iterBitsNext, iterBitsDestroy
    // The string kfuncs, the skb metadata dynptr and stream printing (Kfuncs/StringKfuncs.swift,
    // SKBMetaKfuncs.swift, StreamKfuncs.swift).
    case strcmp = 32, strcasecmp, strchr, strchrnul, strnchr, strrchr, strlen, strnlen, strspn, strcspn, strstr, strnstr
    case dynptrFromSKBMeta = 48
    case streamVprintk
    // BTF pointers into kernel objects (numbered apart, so other kfuncs can be added before them).
    case castToKernelContext = 64
    case rdonlyCast
    // Conntrack (Kfuncs/ConntrackKfuncs.swift): lookups and entries made by the program.
    case skbConntrackLookup = 80, skbConntrackAlloc, xdpConntrackLookup, xdpConntrackAlloc, conntrackInsertEntry,
         conntrackRelease, conntrackSetTimeout, conntrackChangeTimeout, conntrackSetStatus, conntrackChangeStatus,
         conntrackSetNATInfo
    // Exceptions and the sections that keep preemption or interrupts off (Kfuncs/ExceptionKfuncs.swift,
    // Analysis/ExceptionRules.swift, Analysis/SectionRules.swift).
    case throwException = 112, preemptDisable, preemptEnable, localIrqSave, localIrqRestore
    // Resilient spin locks (Kfuncs/ResLockKfuncs.swift, Analysis/ResLockRules.swift).
    case resSpinLock = 117, resSpinUnlock, resSpinLockIrqsave, resSpinUnlockIrqrestore
    // A map's element count (Kfuncs/MapCountKfunc.swift).
    case mapSumElemCount = 121
    // Objects the program allocates (Kfuncs/ObjectKfuncs.swift).
    case objectNew = 96, objectDrop
    // Per-CPU objects (Kfuncs/PerCPUObjectKfuncs.swift).
    case percpuObjectNew = 98, percpuObjectDrop
    // The crypto kfuncs, on a context only a syscall program makes (Kfuncs/CryptoKfuncs.swift).
    case cryptoDecrypt = 160, cryptoEncrypt
    // Lists of objects in a map value (Kfuncs/GraphKfuncs.swift).
    case listPushFront = 128, listPushBack, listPopFront, listPopBack, listFront, listBack
    // Red-black trees of objects in a map value (Kfuncs/RbtreeKfuncs.swift).
    case rbtreeAdd = 136, rbtreeRemove, rbtreeFirst, rbtreeRoot, rbtreeLeft, rbtreeRight
    case refcountAcquire = 144
    // LLVM 21's trap after `__builtin_trap()`/unreachable code: the kernel (6.16+) resolves it
    // and refuses a path that reaches it (BPFVM/Analysis/TrapKfunc.swift).
    case bpfTrap = 176
    // Workqueues in map values (TCRuntime/Kfuncs/WorkqueueKfuncs.swift); Linux 6.18 refuses the
    // callback to tc programs (BPFVM/Analysis/WorkqueuePrototypes.swift).
    case wqInit = 200, wqStart, wqSetCallback
    // The custom SYN cookie kfunc (TCRuntime/Network/RequestSockKfunc.swift).
    case skAssignTCPReqsk = 208
    // XDP's own packet mover (Linux 6.18): loaded for XDP programs, which never run here.
    case xdpPullData = 184
    // XDP's packet dynptr (Linux 6.18): loaded for XDP programs (verifier only), refused to tc.
    case dynptrFromXDP = 185
    // Tasks by pid and cgroups by id, with their references (TCRuntime/Kfuncs/TaskCgroupKfuncs.swift,
    // BPFVM/Analysis/TaskCgroupPrototypes.swift).
    case taskFromPid = 186, taskAcquire, taskRelease, cgroupFromID, cgroupAcquire, cgroupRelease
    // The releases net/bpf/test_run.c gives tc for the kernel's test structs, whose kptr fields
    // only these free (BPFVM/Analysis/TestStructReleases.swift).
    case testRefRelease = 192, testMemberRelease
    // A task by its pid in the caller's namespace, a cgroup's ancestor (TaskCgroupKfuncs).
    case taskFromVpid = 194, cgroupAncestor
    // Whether a task is under a cgroup, a task's cgroup v1 (TaskCgroupKfuncs), and the areas of
    // a task's memory map (TaskVMAKfuncs).
    case taskUnderCgroup = 196, taskGetCgroup1
    case iterTaskVMANew = 20, iterTaskVMANext, iterTaskVMADestroy
    // The tasks of this process (TaskIteratorKfuncs).
    case iterTaskNew = 23, iterTaskNext, iterTaskDestroy
    // Nofault reads of kernel and user memory into a dynptr (Kfuncs/ProbeReadDynptrKfuncs.swift).
    case probeReadKernelDynptr = 26, probeReadKernelStrDynptr, probeReadUserDynptr, probeReadUserStrDynptr
    // System keyring handles (Kfuncs/SystemKeyKfuncs.swift, BPFVM/Analysis/SystemKeyPrototypes.swift).
    case lookupSystemKey = 50, keyPut
    // The slab cache of an address, the test tracepoint's kfunc (Kfuncs/KmemCacheKfuncs.swift).
    case getKmemCache = 52, modifyReturnTestTP
    // A cgroup directory's extended attribute (Kfuncs/CgroupXattrKfunc.swift).
    case cgroupReadXattr = 54
    // A signal to a task of this process (Kfuncs/SendSignalTaskKfunc.swift).
    case sendSignalTask = 55
    // Task work: refused to tc where reached, a sleepable callback (BPFVM/Analysis/TaskWorkPrototypes.swift).
    case taskWorkScheduleResume = 56, taskWorkScheduleSignal

    /// The kernel's name for it.
    public var name: String {
        switch self {
        case .iterNumNew: "bpf_iter_num_new"
        case .iterNumNext: "bpf_iter_num_next"
        case .iterNumDestroy: "bpf_iter_num_destroy"
        case .dynptrFromSKB: "bpf_dynptr_from_skb"
        case .dynptrSlice: "bpf_dynptr_slice"
        case .dynptrSliceReadWrite: "bpf_dynptr_slice_rdwr"
        case .dynptrAdjust: "bpf_dynptr_adjust"
        case .dynptrIsNull: "bpf_dynptr_is_null"
        case .dynptrIsReadOnly: "bpf_dynptr_is_rdonly"
        case .dynptrSize: "bpf_dynptr_size"
        case .dynptrClone: "bpf_dynptr_clone"
        case .rcuReadLock: "bpf_rcu_read_lock"
        case .rcuReadUnlock: "bpf_rcu_read_unlock"
        case .dynptrCopy: "bpf_dynptr_copy"
        case .dynptrMemset: "bpf_dynptr_memset"
        case .iterBitsNew: "bpf_iter_bits_new"
        case .iterBitsNext: "bpf_iter_bits_next"
        case .iterBitsDestroy: "bpf_iter_bits_destroy"
        case .strcmp, .strcasecmp, .strchr, .strchrnul, .strnchr, .strrchr, .strlen, .strnlen, .strspn, .strcspn,
             .strstr, .strnstr: "bpf_\(self)"
        case .dynptrFromSKBMeta: "bpf_dynptr_from_skb_meta"
        case .streamVprintk: "bpf_stream_vprintk_impl"
        case .castToKernelContext: "bpf_cast_to_kern_ctx"
        case .rdonlyCast: "bpf_rdonly_cast"
        case .skbConntrackLookup: "bpf_skb_ct_lookup"
        case .skbConntrackAlloc: "bpf_skb_ct_alloc"
        case .xdpConntrackLookup: "bpf_xdp_ct_lookup"
        case .xdpConntrackAlloc: "bpf_xdp_ct_alloc"
        case .conntrackInsertEntry: "bpf_ct_insert_entry"
        case .conntrackRelease: "bpf_ct_release"
        case .conntrackSetTimeout: "bpf_ct_set_timeout"
        case .conntrackChangeTimeout: "bpf_ct_change_timeout"
        case .conntrackSetStatus: "bpf_ct_set_status"
        case .conntrackChangeStatus: "bpf_ct_change_status"
        case .conntrackSetNATInfo: "bpf_ct_set_nat_info"
        case .throwException: "bpf_throw"
        case .preemptDisable: "bpf_preempt_disable"
        case .preemptEnable: "bpf_preempt_enable"
        case .localIrqSave: "bpf_local_irq_save"
        case .localIrqRestore: "bpf_local_irq_restore"
        case .resSpinLock: "bpf_res_spin_lock"
        case .resSpinUnlock: "bpf_res_spin_unlock"
        case .resSpinLockIrqsave: "bpf_res_spin_lock_irqsave"
        case .resSpinUnlockIrqrestore: "bpf_res_spin_unlock_irqrestore"
        case .mapSumElemCount: "bpf_map_sum_elem_count"
        case .objectNew: "bpf_obj_new_impl"
        case .objectDrop: "bpf_obj_drop_impl"
        case .percpuObjectNew: "bpf_percpu_obj_new_impl"
        case .percpuObjectDrop: "bpf_percpu_obj_drop_impl"
        case .cryptoDecrypt: "bpf_crypto_decrypt"
        case .cryptoEncrypt: "bpf_crypto_encrypt"
        case .listPushFront: "bpf_list_push_front_impl"
        case .listPushBack: "bpf_list_push_back_impl"
        case .listPopFront: "bpf_list_pop_front"
        case .listPopBack: "bpf_list_pop_back"
        case .listFront: "bpf_list_front"
        case .listBack: "bpf_list_back"
        case .rbtreeAdd: "bpf_rbtree_add_impl"
        case .rbtreeRemove: "bpf_rbtree_remove"
        case .rbtreeFirst: "bpf_rbtree_first"
        case .rbtreeRoot: "bpf_rbtree_root"
        case .rbtreeLeft: "bpf_rbtree_left"
        case .rbtreeRight: "bpf_rbtree_right"
        case .refcountAcquire: "bpf_refcount_acquire_impl"
        case .bpfTrap: "__bpf_trap"
        case .wqInit: "bpf_wq_init"
        case .wqStart: "bpf_wq_start"
        case .wqSetCallback: "bpf_wq_set_callback_impl"
        case .skAssignTCPReqsk: "bpf_sk_assign_tcp_reqsk"
        case .xdpPullData: "bpf_xdp_pull_data"
        case .dynptrFromXDP: "bpf_dynptr_from_xdp"
        case .taskFromPid: "bpf_task_from_pid"
        case .taskAcquire: "bpf_task_acquire"
        case .taskRelease: "bpf_task_release"
        case .cgroupFromID: "bpf_cgroup_from_id"
        case .cgroupAcquire: "bpf_cgroup_acquire"
        case .cgroupRelease: "bpf_cgroup_release"
        case .taskFromVpid: "bpf_task_from_vpid"
        case .cgroupAncestor: "bpf_cgroup_ancestor"
        case .taskUnderCgroup: "bpf_task_under_cgroup"
        case .taskGetCgroup1: "bpf_task_get_cgroup1"
        case .iterTaskVMANew: "bpf_iter_task_vma_new"
        case .iterTaskVMANext: "bpf_iter_task_vma_next"
        case .iterTaskVMADestroy: "bpf_iter_task_vma_destroy"
        case .iterTaskNew: "bpf_iter_task_new"
        case .iterTaskNext: "bpf_iter_task_next"
        case .iterTaskDestroy: "bpf_iter_task_destroy"
        case .probeReadKernelDynptr: "bpf_probe_read_kernel_dynptr"
        case .probeReadKernelStrDynptr: "bpf_probe_read_kernel_str_dynptr"
        case .probeReadUserDynptr: "bpf_probe_read_user_dynptr"
        case .probeReadUserStrDynptr: "bpf_probe_read_user_str_dynptr"
        case .lookupSystemKey: "bpf_lookup_system_key"
        case .keyPut: "bpf_key_put"
        case .getKmemCache: "bpf_get_kmem_cache"
        case .modifyReturnTestTP: "bpf_modify_return_test_tp"
        case .cgroupReadXattr: "bpf_cgroup_read_xattr"
        case .sendSignalTask: "bpf_send_signal_task"
        case .taskWorkScheduleResume: "bpf_task_work_schedule_resume_impl"
        case .taskWorkScheduleSignal: "bpf_task_work_schedule_signal_impl"
        case .testRefRelease: "bpf_kfunc_call_test_release"
        case .testMemberRelease: "bpf_kfunc_call_memb_release"
        }
    }

    private static let byName: [String: EmbeddedKfunc] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })

    public static func named(_ name: String) -> EmbeddedKfunc? { byName[name] }

    /// Kfuncs Linux 6.18 has but refuses to SCHED_CLS programs ("calling kernel function %s is
    /// not allowed", EACCES, whether reached or not), as measured with Tools/kfunc-probe: the
    /// embedded backend refuses them the same way.
    public static let refusedToTC: Set<String> = [
        "bbr_cwnd_event", "bbr_init", "bbr_main", "bbr_min_tso_segs", "bbr_set_state", "bbr_sndbuf_expand",
        "bbr_ssthresh", "bbr_undo_cwnd", "bpf_arena_alloc_pages", "bpf_arena_free_pages", "bpf_arena_reserve_pages",
        "bpf_cpumask_acquire", "bpf_cpumask_and", "bpf_cpumask_any_and_distribute", "bpf_cpumask_any_distribute",
        "bpf_cpumask_clear", "bpf_cpumask_clear_cpu", "bpf_cpumask_copy", "bpf_cpumask_create", "bpf_cpumask_empty",
        "bpf_cpumask_equal", "bpf_cpumask_first", "bpf_cpumask_first_and", "bpf_cpumask_first_zero",
        "bpf_cpumask_full", "bpf_cpumask_intersects", "bpf_cpumask_or", "bpf_cpumask_populate",
        "bpf_cpumask_release", "bpf_cpumask_set_cpu", "bpf_cpumask_setall", "bpf_cpumask_subset",
        "bpf_cpumask_test_and_clear_cpu", "bpf_cpumask_test_and_set_cpu", "bpf_cpumask_test_cpu",
        "bpf_cpumask_weight", "bpf_cpumask_xor", "bpf_crypto_ctx_acquire", "bpf_crypto_ctx_create",
        "bpf_crypto_ctx_release", "bpf_dynptr_from_xdp", "bpf_fentry_test1", "bpf_get_dentry_xattr",
        "bpf_get_file_xattr", "bpf_get_task_exe_file", "bpf_modify_return_test", "bpf_modify_return_test2",
        "bpf_path_d_path", "bpf_put_file", "bpf_remove_dentry_xattr", "bpf_session_cookie", "bpf_session_is_return",
        "bpf_set_dentry_xattr", "bpf_sock_addr_set_sun_path", "bpf_sock_destroy", "bpf_sock_ops_enable_tx_tstamp",
        "bpf_xdp_get_xfrm_state", "bpf_xdp_pull_data", "bpf_xdp_xfrm_state_release", "css_rstat_flush",
        "css_rstat_updated", "cubictcp_acked", "cubictcp_cong_avoid", "cubictcp_cwnd_event", "cubictcp_init",
        "cubictcp_recalc_ssthresh", "cubictcp_state", "tcp_cong_avoid_ai", "tcp_reno_cong_avoid",
        "tcp_reno_ssthresh", "tcp_reno_undo_cwnd", "tcp_slow_start",
        // Refused the same way, but vmlinux BTF carries no bpf_kfunc tag for it, so the probe
        // misses it: measured by hand (corpus/kfunc/system_key.c).
        "bpf_verify_pkcs7_signature",
    ]

    /// Kfuncs Linux 6.18 has but refuses to XDP programs, with the same words and errno as to
    /// tc, measured with `Tools/kfunc-probe/probe.py --type xdp` (the REFUSED lines): tc's list
    /// without the XDP ones, plus the skb ones and the test-module releases only tc gets.
    public static let refusedToXDP: Set<String> = refusedToTC
        .subtracting(["bpf_dynptr_from_xdp", "bpf_xdp_pull_data", "bpf_xdp_get_xfrm_state", "bpf_xdp_xfrm_state_release"])
        .union(["bpf_dynptr_from_skb", "bpf_dynptr_from_skb_meta", "bpf_sk_assign_tcp_reqsk",
                "bpf_kfunc_call_memb_release", "bpf_kfunc_call_test_release"])

    /// Kfuncs Linux 6.18 refuses to SCHED_ACT programs (tc actions): tc's list plus those the
    /// kernel registers for SCHED_CLS only (conntrack, tcp request sockets, task, cgroup, key,
    /// graph-object and bpf_throw), measured with `Tools/kfunc-probe/probe.py --type act`.
    public static let refusedToACT: Set<String> = refusedToTC.union([
        "bpf_cgroup_acquire", "bpf_cgroup_ancestor", "bpf_cgroup_from_id", "bpf_cgroup_release",
        "bpf_ct_change_status", "bpf_ct_change_timeout", "bpf_ct_insert_entry", "bpf_ct_release",
        "bpf_ct_set_nat_info", "bpf_ct_set_status", "bpf_ct_set_timeout", "bpf_key_put",
        "bpf_kfunc_call_memb_release", "bpf_kfunc_call_test_release", "bpf_list_back", "bpf_list_front",
        "bpf_list_pop_back", "bpf_list_pop_front", "bpf_list_push_back_impl", "bpf_list_push_front_impl",
        "bpf_lookup_system_key", "bpf_lookup_user_key", "bpf_obj_drop_impl", "bpf_obj_new_impl",
        "bpf_percpu_obj_drop_impl", "bpf_percpu_obj_new_impl", "bpf_rbtree_add_impl", "bpf_rbtree_first",
        "bpf_rbtree_left", "bpf_rbtree_remove", "bpf_rbtree_right", "bpf_rbtree_root",
        "bpf_refcount_acquire_impl", "bpf_send_signal_task", "bpf_sk_assign_tcp_reqsk", "bpf_skb_ct_alloc",
        "bpf_skb_ct_lookup", "bpf_task_acquire", "bpf_task_from_pid", "bpf_task_from_vpid",
        "bpf_task_get_cgroup1", "bpf_task_release", "bpf_task_under_cgroup", "bpf_throw",
        "bpf_xdp_ct_alloc", "bpf_xdp_ct_lookup",
    ])

    /// The kfuncs the kernel refuses to a program of `type` (tc's for every type but XDP and
    /// SCHED_ACT).
    public static func refused(to type: ProgramType) -> Set<String> {
        switch type {
        case .xdp: refusedToXDP
        case .schedACT: refusedToACT
        default: refusedToTC
        }
    }
}
