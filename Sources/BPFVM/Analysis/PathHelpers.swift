import BPFCore

/// Helper calls on one path, typed by the kernel's prototypes for the helpers whose arguments
/// and results the analysis follows (map access, packet loads and stores, socket lookups, the
/// ring buffer, spin locks); every other helper's result is a number or not followed.
enum PathHelpers {
    /// Helpers after which the packet may have moved (`bpf_helper_changes_pkt_data`): tc's, and
    /// XDP's xdp_adjust_head, xdp_adjust_meta and xdp_adjust_tail.
    static let changesPacketData: Set<Int32> = [9, 10, 11, 13, 18, 19, 31, 38, 39, 43, 50, 44, 54, 65]
    /// Helpers whose result is a pointer (or may be): the analysis does not follow those it
    /// does not model, so nothing done with them is refused.
    static let returnsPointer: Set<Int32> = [1, 84, 85, 95, 96, 98, 99, 107, 131, 136, 137, 138, 139, 140,
                                             153, 154, 156, 158, 178, 194, 195, 203, 210]

    static func call(_ id: Int32, at index: Int, _ state: inout PathState, setup: PathSetup) throws(VMError) {
        if id == 93 || id == 94, RbtreePrototypes.inCallback(state) {
            throw VMError(instruction: index, "can't spin_{lock,unlock} in rbtree cb", errno: .EACCES)
        }
        if state.lockHeld || !state.resLocks.isEmpty, id != 94, !ResLockRules.allowedWhileLocked(id),
           !GraphPrototypes.runsUnderLock(id) {
            throw VMError(instruction: index, "function calls are not allowed while holding a lock")
        }
        if let kfunc = KfuncTable.kfunc(helper: id) {
            for register in KfuncPrototypes.written(kfunc, state.registers).map(\.0) where isReadOnly(state.registers[register], setup) {
                throw VMError(instruction: index, "R\(register) cannot write into rdonly_mem", errno: .EACCES)
            }
            if try BTFCastPrototypes.call(kfunc, at: index, &state, types: setup.kernelTypes) { return }
            if try ConntrackPrototypes.call(kfunc, at: index, &state, setup: setup) { return }
            if try PerCPUObjectPrototypes.call(kfunc, at: index, &state, setup: setup) { return }
            if try ObjectPrototypes.call(kfunc, at: index, &state, setup: setup) { return }
            if try CryptoPrototypes.call(kfunc, at: index, &state) { return }
            if try GraphPrototypes.call(kfunc, at: index, &state, setup: setup) { return }
            if try RbtreePrototypes.call(kfunc, at: index, &state, setup: setup) { return }
            if try WorkqueuePrototypes.call(kfunc, at: index, &state) { return }
            if try RequestSockPrototypes.call(kfunc, at: index, &state) { return }
            if try TaskCgroupPrototypes.call(kfunc, at: index, &state, setup: setup) { return }
            if try TestStructReleases.call(kfunc, at: index, &state) { return }
            if try SystemKeyPrototypes.call(kfunc, at: index, &state, setup: setup) { return }
            if try KmemCachePrototypes.call(kfunc, at: index, &state, setup: setup) { return }
            if try CgroupXattrPrototypes.call(kfunc, at: index, &state, setup: setup) { return }
            if try SendSignalTaskPrototypes.call(kfunc, at: index, &state) { return }
            if try TaskWorkPrototypes.call(kfunc, at: index, &state) { return }
            return try KfuncPrototypes.call(kfunc, at: index, &state)
        }
        if id == ObjectPrototypes.exchangeHelper { return try ObjectPrototypes.exchange(at: index, &state, setup: setup) }
        var result: AbstractValue = returnsPointer.contains(id) || id > 211 ? .unknown : .scalar(.unknown)
        let r = state.registers
        try checkArguments(id, at: index, &state, setup: setup)
        try HelperReferenceRules.check(id, at: index, state)
        if id == VMLimits.tailCallHelper { try SectionRules.checkOpen(state, at: index, prefix: "tail_call") }
        if id == 105 || id == 106 {  // strtol, strtoul: the result goes to an aligned long
            try longArgument(4, at: index, &state)
        }
        switch id {
        case 1:  // map_lookup_elem(map, key)
            if case .map(let shape) = r[1].kind {
                try memoryArgument(2, size: .constant(UInt64(shape.keySize)), write: false, at: index, &state)
                if shape.isMapOfMaps {
                    result = AbstractValue(kind: .innerMap(shape.inner, nullable: true), id: index + 1)
                } else if shape.holdsSockets {
                    // A sockmap or sockhash lookup takes a reference to the socket it finds
                    // (is_acquire_function), which the program must release.
                    result = AbstractValue(kind: .socket(.full, nullable: true), id: index + 1, reference: index + 1)
                    state.references.append(index)
                } else if shape.lookupGivesValue {
                    // An array looked up with a constant key inside it gives no NULL (since Linux 6.14).
                    let key = shape.mayElideNull ? PathMemory.constantKey(r[2], size: shape.keySize, state: state) : nil
                    let inside = key.map { $0 < UInt64(shape.maxEntries) } ?? false
                    result = AbstractValue(kind: .mapValue(size: shape.valueSize, access: shape.valueAccess, nullable: !inside),
                                           id: index + 1)
                }
            }
        case 195:  // map_lookup_percpu_elem(map, key, cpu): one CPU's value, NULL past the CPUs
            // (the map's type was checked against the helper: MapFunctionCompatibility).
            if case .map(let shape) = r[1].kind, shape.lookupGivesValue {
                result = AbstractValue(kind: .mapValue(size: shape.valueSize, access: shape.valueAccess, nullable: true),
                                       id: index + 1)
            }
        case 2:  // map_update_elem(map, key, value, flags)
            if case .map(let shape) = r[1].kind, shape.lookupGivesValue {
                try memoryArgument(2, size: .constant(UInt64(shape.keySize)), write: false, at: index, &state)
                try memoryArgument(3, size: .constant(UInt64(shape.valueSize)), write: false, at: index, &state)
            } else if case .map(let shape) = r[1].kind, shape.holdsSockets {
                // What goes into a socket map is a socket, not a value (resolve_map_arg_type).
                try memoryArgument(2, size: .constant(UInt64(shape.keySize)), write: false, at: index, &state)
                try requireSocket(r[3], at: index, register: 3, expected: "sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_")
            }
        case 3:  // map_delete_elem(map, key)
            if case .map(let shape) = r[1].kind, shape.lookupGivesValue || shape.holdsSockets {
                try memoryArgument(2, size: .constant(UInt64(shape.keySize)), write: false, at: index, &state)
            }
        case 107, 156, 210:  // sk/task/cgrp_storage_get(map, owner, value, flags)
            // The initial value is NULL or a whole value the helper reads (ARG_PTR_TO_MAP_VALUE_OR_NULL).
            let null = r[3].isScalar && r[3].range.constant == 0
            if case .map(let shape) = r[1].kind, !null {
                try memoryArgument(3, size: .constant(UInt64(shape.valueSize)), write: false, at: index, &state)
            }
            // The owner's value or NULL (RET_PTR_TO_MAP_VALUE_OR_NULL of the map): bounded by the
            // value, its kptr fields and locks those of the map's value type (the map is a local
            // storage of the helper's kind: MapFunctionCompatibility).
            if case .map(let shape) = r[1].kind {
                result = AbstractValue(kind: .mapValue(size: shape.valueSize, access: shape.valueAccess, nullable: true),
                                       id: index + 1)
            }
        case 84, 85, 99:  // sk_lookup_tcp/udp, skc_lookup_tcp(ctx, tuple, size, netns, flags)
            result = AbstractValue(kind: .socket(id == 99 ? .common : .full, nullable: true), id: index + 1, reference: index + 1)
            state.references.append(index)
        case 86:  // sk_release(sk)
            release(r[1], &state)
        case 95, 96, 98:  // sk_fullsock, tcp_sock, get_listener_sock(sk)
            if case .socket = r[1].kind {
                // A cast keeps the reference of the socket it was given (is_ptr_cast_function).
                result = AbstractValue(kind: .socket(id == 96 ? .tcp : .full, nullable: true), id: index + 1,
                                       reference: id == 98 ? 0 : r[1].reference)
            }
        case 136, 137, 138, 139, 140, 178, 196:  // skc_to_tcp6_sock, skc_to_tcp_sock, … (sk)
            // A BTF view of the same socket holding its reference (is_ptr_cast_function):
            // releasing either releases both, and ends both.
            result = try BTFReturnPrototypes.result(id, argument: r[1], at: index, types: setup.kernelTypes) ?? result
        case PerCPUObjectPrototypes.perCPUPointer, PerCPUObjectPrototypes.thisCPUPointer:  // per_cpu_ptr(p, cpu), this_cpu_ptr(p)
            result = try PerCPUObjectPrototypes.copy(id, of: r[1], at: index) ?? result
        case 158, 175:  // get_current_task_btf(), task_pt_regs(task)
            result = try BTFReturnPrototypes.result(id, argument: r[1], at: index, types: setup.kernelTypes) ?? result
        case 131:  // ringbuf_reserve(map, size, flags)
            if let size = r[2].isScalar ? r[2].range.constant : nil, size < 1 << 31 {
                result = AbstractValue(kind: .memory(size: Int(size), nullable: true), id: index + 1, reference: index + 1)
                state.references.append(index)
            }
        case 197:  // dynptr_from_mem(data, size, flags, ptr): over a map value or plain memory only
            // (the kernel compares the exact type: the stack, packets and ring buffer records are
            // refused, measured on Linux 6.18)
            if r[1].typeName != "map_value" && r[1].typeName != "mem" {
                throw VMError(instruction: index, "Unsupported reg type \(r[1].typeName) for bpf_dynptr_from_mem data",
                              errno: .EACCES)
            }
        case 203:  // dynptr_data(ptr, offset, len): NULL or len bytes, held by the dynptr's reference
            if r[3].isScalar, let size = r[3].range.constant, size < 1 << 31 {
                result = AbstractValue(kind: .memory(size: Int(size), nullable: true), id: index + 1,
                                       reference: DynptrReferences.reference(of: r[1], state))
            }
            DynptrSlices.data(result, from: r[1], &state)
        case 202:  // dynptr_write(dst, offset, src, len, flags): to a packet's dynptr, the packet may move
            if DynptrSlices.isPacket(r[1], state) { PacketChangingFunctions.invalidatePacketPointers(&state) }
        case 132, 133:  // ringbuf_submit / ringbuf_discard(data, flags)
            // Only a record bpf_ringbuf_reserve gave (the memory that is its own reference), not
            // a dynptr's memory holding the record's reference nor memory holding none.
            if case .memory = r[1].kind, r[1].reference == 0 || r[1].reference != r[1].id {
                throw VMError(instruction: index, "R1 type=mem expected=ringbuf_mem", errno: .EACCES)
            }
            // An object bpf_obj_new allocated holds its own reference too, but is no record.
            if ObjectLocks.localType(r[1], setup: setup) != nil {
                throw VMError(instruction: index, "R1 type=ptr_ expected=ringbuf_mem", errno: .EACCES)
            }
            if r[1].reference != 0, r[1].offset != 0 || r[1].range.constant != 0 {
                throw VMError(instruction: index, "R1 must have zero offset when passed to release func")
            }
            release(r[1], &state)
        case 93:  // spin_lock
            if state.lockHeld {
                throw VMError(instruction: index, "Locking two bpf_spin_locks are not allowed")
            }
            state.lockHeld = true
            state.lockOwner = lockIdentity(r[1])
        case 94:  // spin_unlock
            guard state.lockHeld else {
                throw VMError(instruction: index, "bpf_spin_unlock without taking a lock")
            }
            let owner = lockIdentity(r[1])
            if !owner.isEmpty, !state.lockOwner.isEmpty, owner != state.lockOwner {
                throw VMError(instruction: index, "bpf_spin_unlock of different lock")
            }
            state.lockHeld = false
            state.lockOwner = []
            GraphPrototypes.unlocked(&state, setup: setup)
        default:
            break
        }
        try MapFunctionCompatibility.check(id, state, at: index)
        // A callback followed on the path writes the context itself; nothing else does.
        if !modeled.contains(id), !PathCallbacks.runsInline(id, state, globals: setup.globalFunctions) {
            // Only registers the prototype takes: a stack pointer left in r3 across a call of
            // get_prandom_u32 made every slot `unknown`, and a pointer read back from one was
            // dereferenced where the kernel reads an unknown number (found by the fuzzer).
            clobberStackArguments(&state, arguments: HelperPrototypeTable.arguments[id]?.count ?? 5)
        }
        if id == 197 || id == 198 {  // dynptr_from_mem, ringbuf_reserve_dynptr: the helper fills the 16 bytes
            PathMemory.clobber(from: r[4], size: 16, state: &state)
            DynptrSlots.create(r[4], &state)
            DynptrSlices.created(r[4], packet: false, &state)
            if id == 198 { DynptrReferences.acquire(r[4], at: index, &state) }
        }
        if id == 199 || id == 200 {  // ringbuf_submit/discard_dynptr
            DynptrReferences.release(r[1], &state)
            DynptrSlots.release(r[1], &state)
        }
        if changesPacketData.contains(id) { PacketChangingFunctions.invalidatePacketPointers(&state) }
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = result
    }

    /// Memory the kernel hands out read-only (MEM_RDONLY): an iterator's value, a dynptr's slice.
    private static func isReadOnly(_ value: AbstractValue, _ setup: PathSetup) -> Bool {
        guard case .memory = value.kind else { return false }
        return setup.readOnlyMemory.contains(value.id)
    }

    /// Every argument in order, as the kernel's `check_func_arg` takes them: its type, then
    /// what its kind asks (an initialised dynptr; the memory before a size holds that many bytes;
    /// fixed-size memory holds its bytes), so the first argument at fault is the one refused.
    private static func checkArguments(_ id: Int32, at index: Int, _ state: inout PathState, setup: PathSetup) throws(VMError) {
        let arguments = HelperPrototypeTable.arguments(id, variant: setup.pathOptions.helperPrototypes)
        var map: MapShape?, referenced = 0, timerMap: MapValueAccess?
        for (offset, declared) in arguments.enumerated() {
            let register = offset + 1, value = state.registers[register]
            let argument = try HelperMapArguments.resolve(declared, map: map, at: index)
            let readOnly: Bool
            if case .memory = value.kind { readOnly = setup.readOnlyMemory.contains(value.id) } else { readOnly = false }
            // A lock inside an allocated object is checked against the object's own type.
            var objectLock = false
            if argument.kind == .spinLock {
                objectLock = try ObjectLocks.checkLockArgument(value, register: register, at: index, setup: setup)
            }
            if !objectLock { try HelperArgumentTypes.check(argument, register: register, of: id, value, readOnly: readOnly, at: index) }
            if argument.kind == .spinLock, !objectLock { try ObjectLocks.checkMapValueLock(value, register: register, at: index) }
            if let expected = BTFArgumentStructs.expected(argument, helper: id, register: register) {
                try BTFArgumentStructs.require(expected, value, register: register, at: index, types: setup.kernelTypes)
            }
            if argument.kind == .mapPointer, case .map(let shape) = value.kind {
                map = shape
                try HelperMapArguments.checkTimerMap(shape, timerMap: timerMap, at: index)
            }
            if let bytes = HelperMapArguments.size(argument, map: map, value) {
                try HelperMapArguments.checkNotEmpty(bytes, value, at: index)
                // Map access (1, 2, 3) sizes its key and value by the map's type, below.
                if !takesKeyByType.contains(id) {
                    let before = argument.flags.contains(.uninitialized) ? state : nil
                    try memoryArgument(register, size: .constant(UInt64(bytes)), write: argument.flags.contains(.uninitialized),
                                       at: index, &state)
                    if let before { try HelperDynptrWrites.check(value, bytes: UInt64(bytes), at: index, before) }
                }
            }
            if argument.kind == .timer {
                try HelperMapArguments.checkTimer(value, register: register, at: index)
                if case let .mapValue(_, access, _) = value.kind { timerMap = access }
            }
            if argument.kind == .constantString {
                try HelperMapArguments.checkConstantString(value, register: register, setup: setup, at: index)
            }
            if argument.kind == .dynptr {
                try ConstDynptrArguments.check(value, register: register, creates: argument.flags.contains(.uninitialized),
                                               releases: argument.flags.contains(.release),
                                               mutates: !argument.flags.contains(.readOnly), at: index)
            }
            if argument.kind == .dynptr, argument.flags.contains(.uninitialized) {
                try DynptrReferences.checkCreate(value, at: index, state)
            }
            if argument.kind == .dynptr, !argument.flags.contains(.uninitialized) {
                try DynptrReferences.requireConstantOffset(value, at: index)
                // Its 16 bytes cannot be a dynptr where none can be made.
                try DynptrSlots.checkPosition(value, releases: argument.flags.contains(.release), register: register,
                                              argument: offset, at: index, state)
                try DynptrSlots.require(value, argument: offset, at: index, state)
            }
            try HelperReferenceRules.checkOneReference(argument, value, register: register, held: &referenced, at: index)
            if argument.isSize, let memory = HelperPrototypes.sizedMemory(arguments, size: offset) {
                try BTFHelperArguments.check(memory, helper: "bpf_" + (setup.pathOptions.helpers.name(of: id) ?? "\(id)"), state,
                                             at: index, types: setup.kernelTypes)
                // Raw mode (the helper fills the memory): its bytes may not be a dynptr's.
                let before = arguments[offset - 1].flags.contains(.uninitialized) ? state : nil
                try sizedArgument(memory, at: index, &state)
                if let before, before.registers[memory.size].isScalar {
                    try HelperDynptrWrites.check(before.registers[memory.pointer], bytes: before.registers[memory.size].range.umax,
                                                 at: index, before)
                }
            }
            if argument.kind == .memory, let bytes = argument.bytes {
                let before = argument.flags.contains(.uninitialized) ? state : nil
                try memoryArgument(register, size: .constant(UInt64(bytes)), write: !argument.flags.contains(.readOnly), at: index, &state)
                if let before { try HelperDynptrWrites.check(value, bytes: UInt64(bytes), at: index, before) }
            }
        }
    }

    /// map_lookup_elem, map_update_elem, map_delete_elem: their key and value, by the map's type.
    private static let takesKeyByType: Set<Int32> = [1, 2, 3]

    /// Helpers whose memory arguments the analysis follows exactly.
    static let modeled: Set<Int32> = HelperPrototypes.withMemory.union([1, 2, 3, 86, 93, 94, 95, 96, 98, 105, 106, 131, 132, 133])

    /// Stack memory passed to a helper the analysis does not model may hold anything after the
    /// call (the argument after a pointer, when a small constant, is taken as its size).
    static func clobberStackArguments(_ state: inout PathState, arguments count: Int = 5) {
        for register in 1 ... 5 where register <= count {
            let next = register < 5 ? state.registers[register + 1] : .notInit
            let size = next.isScalar ? next.range.constant.flatMap { $0 > 0 && $0 <= 512 ? $0 : nil } : nil
            PathMemory.clobber(from: state.registers[register], size: size, state: &state)
        }
    }

    /// The lock a spin-lock argument names: its map value (by id; a value with no id is a
    /// global one, named by its offset alone) and its offset; empty when not followed.
    private static func lockIdentity(_ value: AbstractValue) -> [Int] {
        switch value.kind {
        case .mapValue, .memory: break  // memory: an allocated object (ObjectLocks checked it)
        default: return []
        }
        guard let variable = value.range.constant else { return [] }
        return [value.id, value.offset + Int(truncatingIfNeeded: Int64(bitPattern: variable))]
    }

    /// A socket argument must be one the program checked against NULL.
    private static func requireSocket(_ value: AbstractValue, at index: Int, register: Int = 1, expected: String) throws(VMError) {
        switch value.kind {
        case .socket(_, nullable: false), .unknown, .notInit:
            return
        default:
            throw VMError(instruction: index, "R\(register) type=\(value.typeName) expected=\(expected)", errno: .EACCES)
        }
    }

    /// Drops the reference `value` holds (and every copy's).
    static func release(_ value: AbstractValue, _ state: inout PathState) {
        guard value.reference != 0 else { return }
        state.dropReference(value.reference)
        let released = value.reference
        // What pointed at it is a number now (mark_reg_invalid for a privileged loader).
        state.updateAll { other in
            if other.reference == released { other = .scalar(.unknown) }
        }
    }

    /// A memory argument whose size is another argument (`ARG_CONST_SIZE[_OR_ZERO]`).
    static func sizedArgument(_ argument: HelperPrototypes.SizedMemory, at index: Int,
                                      _ state: inout PathState) throws(VMError) {
        let register = argument.pointer, sizeRegister = argument.size
        let write = argument.write, zeroAllowed = argument.zeroAllowed
        let size = state.registers[sizeRegister]
        try HelperArgumentRules.checkMemoryType(state.registers[register], register: register, at: index)
        guard size.isScalar else { return }
        if argument.nullable, state.registers[register].isScalar, state.registers[register].range.constant == 0 {
            // NULL only with nothing to read.
            guard size.range.umax == 0 else {
                throw VMError(instruction: index, "R\(register) type=scalar expected=\(HelperArgumentRules.memoryTypes)",
                              errno: .EACCES)
            }
            return
        }
        if size.range.smin < 0 {
            throw VMError(instruction: index, "R\(sizeRegister) min value is negative, either use unsigned or 'var &= const'",
                          errno: .EACCES)
        }
        if size.range.umin == 0, !zeroAllowed {
            throw VMError(instruction: index,
                          "R\(sizeRegister) invalid zero-sized read: u64=[\(size.range.umin),\(size.range.umax)]", errno: .EACCES)
        }
        if size.range.umax >= 1 << 29 {
            throw VMError(instruction: index, "R\(sizeRegister) unbounded memory access, use 'var &= const' or 'if (var < const)'",
                          errno: .EACCES)
        }
        let pointer = state.registers[register]
        if pointer.isScalar, !argument.nullable {
            throw VMError(instruction: index, "R\(register) type=scalar expected=\(HelperArgumentRules.memoryTypes)",
                          errno: .EACCES)
        }
        if size.range.umax == 0 {
            // Nothing is read or written, but a stack pointer must still stay in its frame.
            if case .stack = pointer.kind { try memoryArgument(register, size: size.range, write: write, at: index, &state) }
            return
        }
        try memoryArgument(register, size: size.range, write: write, at: index, &state)
    }

    /// ARG_PTR_TO_LONG: eight bytes written, aligned on the stack.
    private static func longArgument(_ register: Int, at index: Int, _ state: inout PathState) throws(VMError) {
        let pointer = state.registers[register]
        // The bounds first, then the alignment, as the kernel checks them.
        try memoryArgument(register, size: .constant(8), write: true, at: index, &state)
        if case .stack = pointer.kind, pointer.range.constant == 0, pointer.offset % 8 != 0 {
            throw VMError(instruction: index, "misaligned stack access off 0+\(pointer.offset)+0 size 8", errno: .EACCES)
        }
    }

    /// The memory an argument points to must hold `size` (its largest value) bytes.
    private static func memoryArgument(_ register: Int, size: ScalarRange, write: Bool, at index: Int,
                                       _ state: inout PathState) throws(VMError) {
        let pointer = state.registers[register]
        try HelperArgumentRules.checkMemoryType(pointer, register: register, at: index)
        let bytes = Int(min(size.umax, 1 << 29))
        func refuse(_ reason: String) -> VMError { VMError(instruction: index, reason, errno: .EACCES) }
        switch pointer.kind {
        case .scalar:
            throw refuse("R\(register) type=scalar expected=\(HelperArgumentRules.memoryTypes)")
        case .mapValue, .memory, .socket:
            if pointer.isNullable {
                throw refuse("R\(register) type=\(pointer.typeName) expected=\(HelperArgumentRules.memoryTypes)")
            }
            if case let .mapValue(valueSize, access, _) = pointer.kind {
                try PathMemory.checkMapAccess(access, valueSize: valueSize, pointer, offset: 0, size: bytes, write: write,
                                              helper: true, at: index)
                try PathMemory.checkBounds(pointer, register: UInt8(register), offset: 0, size: bytes, limit: valueSize,
                                           at: index, what: "map value, value_size=\(valueSize)")
            }
        case .mapKey(let keySize):
            // for_each_map_elem's key: read within the key, never written (check_helper_mem_access).
            if write { throw refuse("R\(register) cannot write into \(pointer.typeName)") }
            try PathMemory.checkBounds(pointer, register: UInt8(register), offset: 0, size: bytes, limit: keySize,
                                       at: index, what: "map key, key_size=\(keySize)")
        case .stack(let frame):
            guard frame <= state.frame else { return }
            if pointer.range.constant != 0 {
                // Every offset the variable part may take must hold the bytes.
                try PathMemory.checkVariableStackOffset(pointer.range, offset: pointer.offset, size: bytes, write: write,
                                                        register: "R\(register)", at: index)
                if write { PathMemory.clobber(from: pointer, size: nil, state: &state) }
                return
            }
            let offset = pointer.offset
            if let errno = PathMemory.stackBoundsErrno(offset: offset, size: bytes) {
                throw VMError(instruction: index, "invalid \(write ? "write to" : "read from") stack R\(register) off=\(offset) size=\(bytes)",
                              errno: errno)
            }
            if !write { try SpecialStackReads.check(pointer, offset: 0, size: bytes, register: register, at: index, state) }
            if write {
                var byte = offset
                while byte < offset + bytes {
                    if let (slot, _) = PathMemory.slot(byte, size: 1) { state.stacks[frame][slot] = .misc }
                    byte += 1
                }
            }
        case .packet, .packetMeta:
            let offset = pointer.offset
            guard offset >= 0, offset + bytes <= pointer.packetRange else {
                throw refuse("invalid access to packet, off=\(offset) size=\(bytes), R\(register)(id=\(pointer.id),off=\(pointer.offset),r=\(pointer.packetRange))")
            }
        default:
            return
        }
    }
}
