import BPFCore

/// Kfunc calls on one path, typed as the kernel's BTF prototypes and kfunc flags type them:
/// the results the analysis follows (the number iterator's NULL-or-int pointer, a slice's
/// NULL-or-memory of the buffer's size), the context argument of `bpf_dynptr_from_skb`, void
/// kfuncs leaving r0 unreadable, and the RCU read-side region. Dynptr and iterator stack slots
/// are not typed: what a helper may have written there is unknown, never refused.
enum KfuncPrototypes {
    /// The number iterator's `next` returns a pointer to its 4-byte current value.
    static let iteratorValueSize = 4

    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState) throws(VMError) {
        let r = state.registers
        var result: AbstractValue = .scalar(.unknown)
        // The kernel checks a kfunc's arguments in order (check_kfunc_args): a dynptr argument
        // (the first one, where a kfunc takes any) before the others.
        for (register, argument) in dynptrArguments(kfunc) {
            // A kfunc takes a dynptr the kernel owns as read-only, whatever its prototype says.
            try ConstDynptrArguments.check(r[register], register: register, creates: false, releases: false, mutates: false,
                                           at: index)
            try DynptrReferences.requireConstantOffset(r[register], at: index)
            try DynptrSlots.checkPosition(r[register], register: register, argument: argument, at: index, state)
            try DynptrSlots.require(r[register], argument: argument, at: index, state)
        }
        if let made = madeDynptr(kfunc) {
            try ConstDynptrArguments.check(r[made], register: made, creates: true, releases: false, mutates: true, at: index)
        }
        switch kfunc {
        case .iterNumNew, .iterBitsNew:
            try IteratorSlots.checkArgument(r[1], at: index)
            try IteratorSlots.create(r[1], kind: IteratorSlots.kind(kfunc), at: index, &state)
        case .iterNumNext, .iterBitsNext:
            try IteratorSlots.checkArgument(r[1], at: index)
            try IteratorSlots.require(r[1], kind: IteratorSlots.kind(kfunc), at: index, state)
            state.iteratorSteps &+= 1
            result = AbstractValue(kind: .memory(size: iteratorValueSize, nullable: true), id: index + 1)
        case .iterNumDestroy, .iterBitsDestroy:
            try IteratorSlots.checkArgument(r[1], at: index)
            try IteratorSlots.destroy(r[1], kind: IteratorSlots.kind(kfunc), at: index, &state)
            result = .notInit
        case .dynptrFromSKB, .dynptrFromSKBMeta, .dynptrFromXDP:
            if r[1].kind != .context, r[1].kind != .unknown, r[1].kind != .notInit {
                throw VMError(instruction: index, "arg#0 expected pointer to ctx, but got \(r[1].typeName)", errno: .EINVAL)
            }
        case .dynptrSliceReadWrite:
            // Measured on Linux 6.18: refused to tc programs when a path reaches it, once its
            // arguments passed their checks (a size not constant is refused as for a slice).
            _ = try sliceResult(at: index, &state)
            throw VMError(instruction: index, "bpf_dynptr_slice_rdwr() is not allowed", errno: .EPERM)
        case .dynptrSlice:
            result = try sliceResult(at: index, &state)
        case .rcuReadLock:
            state.rcuLocked = true
            result = .notInit
        case .rcuReadUnlock:
            guard state.rcuLocked else {
                throw VMError(instruction: index, "unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)")
            }
            state.rcuLocked = false
            // RCU pointers outlive the section only as untrusted ones (check_kfunc_call).
            state.updateAll { value in
                guard case .btf(var pointer) = value.kind, pointer.rcu else { return }
                pointer.rcu = false
                pointer.nullable = false
                pointer.untrusted = true
                value.kind = .btf(pointer)
            }
            result = .notInit
        case .dynptrAdjust, .dynptrIsNull, .dynptrIsReadOnly, .dynptrSize, .dynptrClone, .dynptrCopy,
             .dynptrMemset:
            break
        case .probeReadKernelDynptr, .probeReadKernelStrDynptr, .probeReadUserDynptr, .probeReadUserStrDynptr:
            // The offset and size are numbers; the source is `__ign`: any value, never checked.
            for register in 2 ... 3 where r[register].isKnownPointer || r[register].kind == .notInit {
                throw VMError(instruction: index, "R\(register) is not a scalar")
            }
        case .strcmp, .strcasecmp, .strchr, .strchrnul, .strnchr, .strrchr, .strlen, .strnlen, .strspn, .strcspn,
             .strstr, .strnstr:
            try StringKfuncPrototypes.check(kfunc, at: index, state)
        case .streamVprintk:
            try StreamKfuncPrototypes.check(at: index, &state)
        case .throwException:
            try ExceptionRules.checkThrow(at: index, state)
            result = .notInit
        case .preemptDisable, .preemptEnable, .localIrqSave, .localIrqRestore:
            try SectionRules.call(kfunc, at: index, &state)
            result = .notInit
        case .resSpinLock, .resSpinUnlock, .resSpinLockIrqsave, .resSpinUnlockIrqrestore:
            result = try ResLockRules.call(kfunc, at: index, &state)
        case .mapSumElemCount:
            try MapCountPrototype.check(at: index, state)
        case .castToKernelContext, .rdonlyCast, .skbConntrackLookup, .skbConntrackAlloc, .xdpConntrackLookup, .xdpConntrackAlloc, .conntrackInsertEntry,
             .conntrackRelease, .conntrackSetTimeout, .conntrackChangeTimeout, .conntrackSetStatus, .conntrackChangeStatus,
             .conntrackSetNATInfo, .objectNew, .objectDrop, .percpuObjectNew, .percpuObjectDrop, .cryptoDecrypt, .cryptoEncrypt, .listPushFront, .listPushBack,
             .listPopFront, .listPopBack, .listFront, .listBack, .refcountAcquire,
             .rbtreeAdd, .rbtreeRemove, .rbtreeFirst, .rbtreeRoot, .rbtreeLeft, .rbtreeRight:
            break  // BTFCastPrototypes, ConntrackPrototypes, ObjectPrototypes
        case .bpfTrap:
            try TrapKfunc.refuse(at: index)
        case .wqInit, .wqStart, .wqSetCallback, .skAssignTCPReqsk, .taskFromPid, .taskAcquire, .taskRelease, .cgroupFromID,
             .cgroupAcquire, .cgroupRelease, .testRefRelease, .testMemberRelease, .taskFromVpid, .cgroupAncestor,
             .taskUnderCgroup, .taskGetCgroup1, .iterTaskVMANew, .iterTaskVMANext, .iterTaskVMADestroy,
             .iterTaskNew, .iterTaskNext, .iterTaskDestroy, .lookupSystemKey, .keyPut, .getKmemCache, .modifyReturnTestTP, .cgroupReadXattr, .sendSignalTask,
             .taskWorkScheduleResume, .taskWorkScheduleSignal:
            // Typed before this by their own prototypes (PathHelpers.call): Workqueue, RequestSock,
            // TaskCgroup, TestStructReleases, SystemKey, KmemCache, CgroupXattr, SendSignalTask, TaskWork.
            break
        case .xdpPullData:
            // bpf_xdp_pull_data(xdp_md, len) may move the packet: every packet pointer ends.
            if r[1].kind != .context, r[1].kind != .unknown, r[1].kind != .notInit {
                throw VMError(instruction: index, "arg#0 expected pointer to ctx, but got \(r[1].typeName)", errno: .EINVAL)
            }
            PacketChangingFunctions.invalidatePacketPointers(&state)
        }
        if let made = madeDynptr(kfunc) { try DynptrReferences.checkCreate(r[made], at: index, state) }
        // What the kfunc writes on the stack: the iterator, the dynptr, a slice's buffer.
        for (register, size) in written(kfunc, r) {
            PathMemory.clobber(from: r[register], size: size, state: &state)
        }
        switch kfunc {
        case .dynptrFromSKB, .dynptrFromSKBMeta, .dynptrFromXDP:
            DynptrSlots.create(r[3], &state)
            DynptrSlices.created(r[3], packet: true, &state)
        case .dynptrClone:
            DynptrSlots.create(r[2], &state)
            DynptrSlices.created(r[2], packet: DynptrSlices.isPacket(r[1], state), &state)
            DynptrReferences.share(from: r[1], to: r[2], &state)
        case .dynptrSlice: DynptrSlices.slice(result, from: r[1], &state)
        default: break
        }
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = result
    }

    /// A slice's memory: buffer__szk, the size, must be a known constant and is the memory's
    /// size. A size of more than one number is checked as any memory and size pair first
    /// (check_kfunc_mem_size_reg: bounded, within the buffer), then refused as not constant.
    private static func sliceResult(at index: Int, _ state: inout PathState) throws(VMError) -> AbstractValue {
        let size = state.registers[4]
        guard size.isScalar else { return .unknown }
        guard let constant = size.range.constant else {
            let buffer = HelperPrototypes.SizedMemory(pointer: 3, size: 4, write: true, zeroAllowed: true, nullable: true)
            try PathHelpers.sizedArgument(buffer, at: index, &state)
            throw VMError(instruction: index, "R4 must be a known constant", errno: .EINVAL)
        }
        guard constant <= UInt64(VMLimits.stackPerFrame) * 1024 else { return .unknown }
        // A buffer (`buffer__opt`: NULL takes any size) and its size are memory the kfunc reads,
        // checked before the rest of the call.
        let buffer = state.registers[3]
        if !(buffer.isScalar && buffer.range.constant == 0) {
            try PathHelpers.sizedArgument(HelperPrototypes.SizedMemory(pointer: 3, size: 4, write: false, zeroAllowed: true),
                                          at: index, &state)
        }
        return AbstractValue(kind: .memory(size: Int(constant), nullable: true), id: index + 1)
    }

    /// The ids of the memory that `bpf_iter_num_next` and `bpf_dynptr_slice` give (their call's
    /// index + 1): read-only to the program, as the kernel's MEM_RDONLY.
    static func readOnlyResults(_ program: VerifiedProgram) -> Set<Int> {
        let readOnly: Set<Int32> = [KfuncTable.helperID(.iterNumNext), KfuncTable.helperID(.iterBitsNext),
                                    KfuncTable.helperID(.dynptrSlice)]
        var ids: Set<Int> = []
        for (index, op) in program.operations.enumerated() {
            if case .call(.helper(let id))? = op, readOnly.contains(id) { ids.insert(index + 1) }
        }
        return ids
    }

    /// The register of the dynptr a kfunc makes (its uninitialised dynptr argument).
    private static func madeDynptr(_ kfunc: EmbeddedKfunc) -> Int? {
        switch kfunc {
        case .dynptrFromSKB, .dynptrFromSKBMeta, .dynptrFromXDP: 3
        case .dynptrClone: 2
        default: nil
        }
    }

    /// The dynptrs each kfunc reads: (pointer register, argument number in the kernel's words).
    private static func dynptrArguments(_ kfunc: EmbeddedKfunc) -> [(Int, Int)] {
        switch kfunc {
        case .dynptrSlice, .dynptrSliceReadWrite, .dynptrAdjust, .dynptrIsNull, .dynptrIsReadOnly, .dynptrSize,
             .dynptrClone, .dynptrMemset, .probeReadKernelDynptr, .probeReadKernelStrDynptr, .probeReadUserDynptr,
             .probeReadUserStrDynptr:
            return [(1, 0)]
        case .dynptrCopy:
            return [(1, 0), (3, 2)]
        case .iterNumNew, .iterNumNext, .iterNumDestroy, .iterBitsNew, .iterBitsNext, .iterBitsDestroy, .dynptrFromSKB,
             .rcuReadLock, .rcuReadUnlock, .dynptrFromSKBMeta, .dynptrFromXDP,
             .strcmp, .strcasecmp, .strchr, .strchrnul, .strnchr, .strrchr, .strlen, .strnlen, .strspn, .strcspn,
             .strstr, .strnstr, .streamVprintk, .throwException, .preemptDisable, .preemptEnable, .localIrqSave,
             .localIrqRestore, .resSpinLock, .resSpinUnlock, .resSpinLockIrqsave, .resSpinUnlockIrqrestore, .mapSumElemCount:
            return []
        case .castToKernelContext, .rdonlyCast, .skbConntrackLookup, .skbConntrackAlloc, .xdpConntrackLookup, .xdpConntrackAlloc, .conntrackInsertEntry,
             .conntrackRelease, .conntrackSetTimeout, .conntrackChangeTimeout, .conntrackSetStatus, .conntrackChangeStatus,
             .conntrackSetNATInfo, .objectNew, .objectDrop, .percpuObjectNew, .percpuObjectDrop, .cryptoDecrypt, .cryptoEncrypt, .listPushFront, .listPushBack,
             .listPopFront, .listPopBack, .listFront, .listBack, .refcountAcquire,
             .rbtreeAdd, .rbtreeRemove, .rbtreeFirst, .rbtreeRoot, .rbtreeLeft, .rbtreeRight, .bpfTrap,
             .wqInit, .wqStart, .wqSetCallback, .skAssignTCPReqsk, .xdpPullData, .taskFromPid, .taskAcquire,
             .taskRelease, .cgroupFromID, .cgroupAcquire, .cgroupRelease, .testRefRelease, .testMemberRelease,
             .taskFromVpid, .cgroupAncestor, .taskUnderCgroup, .taskGetCgroup1, .iterTaskVMANew, .iterTaskVMANext,
             .iterTaskVMADestroy, .iterTaskNew, .iterTaskNext, .iterTaskDestroy, .lookupSystemKey, .keyPut, .getKmemCache, .modifyReturnTestTP, .cgroupReadXattr, .sendSignalTask,
             .taskWorkScheduleResume, .taskWorkScheduleSignal:
            return []
        }
    }

    /// The stack memory each kfunc may write: (pointer register, bytes).
    static func written(_ kfunc: EmbeddedKfunc, _ r: [AbstractValue]) -> [(Int, UInt64)] {
        let iterator: UInt64 = 8, dynptr: UInt64 = 16
        switch kfunc {
        case .iterNumNew, .iterNumNext, .iterNumDestroy, .iterTaskVMANew, .iterTaskVMANext, .iterTaskVMADestroy:
            return [(1, iterator)]
        case .iterTaskNew, .iterTaskNext, .iterTaskDestroy: return [(1, 3 * iterator)]
        case .iterBitsNew, .iterBitsNext, .iterBitsDestroy: return [(1, 2 * iterator)]
        case .dynptrFromSKB, .dynptrFromSKBMeta, .dynptrFromXDP: return [(3, dynptr)]
        case .dynptrAdjust: return [(1, dynptr)]
        case .dynptrClone: return [(2, dynptr)]
        case .dynptrSlice, .dynptrSliceReadWrite:
            let size = r[4].isScalar ? r[4].range.constant.map { min($0, UInt64(VMLimits.stackPerFrame)) } : nil
            return [(3, size ?? UInt64(VMLimits.stackPerFrame))]
        case .dynptrIsNull, .dynptrIsReadOnly, .dynptrSize, .rcuReadLock, .rcuReadUnlock, .dynptrCopy, .dynptrMemset,
             .probeReadKernelDynptr, .probeReadKernelStrDynptr, .probeReadUserDynptr, .probeReadUserStrDynptr, .strcmp, .strcasecmp, .strchr, .strchrnul, .strnchr, .strrchr, .strlen, .strnlen, .strspn, .strcspn,
             .strstr, .strnstr, .streamVprintk, .throwException, .preemptDisable, .preemptEnable, .localIrqRestore,
             .resSpinLock, .resSpinUnlock, .resSpinUnlockIrqrestore, .mapSumElemCount:
            return []
        case .localIrqSave:
            return [(1, 8)]
        case .resSpinLockIrqsave:
            return [(2, 8)]
        case .castToKernelContext, .rdonlyCast, .skbConntrackLookup, .skbConntrackAlloc, .xdpConntrackLookup, .xdpConntrackAlloc, .conntrackInsertEntry,
             .conntrackRelease, .conntrackSetTimeout, .conntrackChangeTimeout, .conntrackSetStatus, .conntrackChangeStatus,
             .conntrackSetNATInfo, .objectNew, .objectDrop, .percpuObjectNew, .percpuObjectDrop, .cryptoDecrypt, .cryptoEncrypt, .listPushFront, .listPushBack,
             .listPopFront, .listPopBack, .listFront, .listBack, .refcountAcquire,
             .rbtreeAdd, .rbtreeRemove, .rbtreeFirst, .rbtreeRoot, .rbtreeLeft, .rbtreeRight, .bpfTrap,
             .wqInit, .wqStart, .wqSetCallback, .skAssignTCPReqsk, .xdpPullData, .taskFromPid, .taskAcquire,
             .taskRelease, .cgroupFromID, .cgroupAcquire, .cgroupRelease, .testRefRelease, .testMemberRelease,
             .taskFromVpid, .cgroupAncestor, .taskUnderCgroup, .taskGetCgroup1, .lookupSystemKey, .keyPut, .getKmemCache, .modifyReturnTestTP, .cgroupReadXattr, .sendSignalTask,
             .taskWorkScheduleResume, .taskWorkScheduleSignal:
            return []
        }
    }
}
