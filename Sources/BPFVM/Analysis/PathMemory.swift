import BPFCore

/// Loads and stores on one path: what the kernel allows through each pointer type, and what
/// a load gives.
enum PathMemory {
    /// The kernel refuses variable offsets at or past this (`BPF_MAX_VAR_OFF`).
    static let maxVariableOffset: UInt64 = 1 << 29

    static func check(_ base: AbstractValue, register: UInt8, offset insnOffset: Int, size: Int, write: Bool,
                      at index: Int, state: PathState, setup: PathSetup) throws(VMError) {
        let r = "R\(register)"
        func refuse(_ reason: String) -> VMError { VMError(instruction: index, reason, errno: .EACCES) }
        if !write, setup.probeLoads.active { try setup.probeLoads.note(base, at: index) }
        switch base.kind {
        case .notInit, .unknown, .function:
            return
        case .map, .innerMap:
            if base.isNullable { throw refuse("\(r) invalid mem access '\(base.typeName)'") }
            // Programs may read a map's kernel object through BTF, never write it.
            if write { throw refuse("only read from bpf_array is supported") }
            if base.offset + insnOffset < 0 { throw refuse("\(r) is bpf_array invalid negative access: off=\(base.offset + insnOffset)") }
        case .scalar:
            throw refuse("\(r) invalid mem access 'scalar'")
        case .packetEnd:
            throw refuse("\(r) invalid mem access 'pkt_end'")
        case .context:
            guard base.range.constant != nil else {
                throw refuse("variable ctx access var_off=\(base.range.knownBits) disallowed")
            }
            guard base.offset == 0, base.range.constant == 0 else {
                throw refuse("dereference of modified ctx ptr \(r) off=\(base.offset) disallowed")
            }
            guard let rules = setup.rules else { return }
            let field = Int16(clamping: insnOffset)
            if setup.packetFields[field] != nil || field == setup.metaField, size == 4, !write { return }
            guard rules(insnOffset, size, write) else {
                throw refuse("invalid bpf_context access off=\(insnOffset) size=\(size)")
            }
        case .stack(let frame):
            guard frame <= state.frame else { return }
            let offset = base.offset + insnOffset
            guard base.range.constant == 0 else {
                // Aligned whatever the variable part may add: every offset its known bits allow
                // (check_generic_ptr_alignment, strict for the stack), checked before the bounds.
                let reached = base.range.bits + .constant(UInt64(bitPattern: Int64(offset)))
                guard (reached.value | reached.mask) & UInt64(size - 1) == 0 else {
                    throw refuse("misaligned stack access off \(base.range.knownBits)+\(base.offset)+\(insnOffset) size \(size)")
                }
                try checkVariableStackOffset(base.range, offset: offset, size: size, write: write, register: r, at: index)
                return
            }
            // Stack accesses are aligned to their size whatever the machine (the spill tracking
            // relies on it); the kernel checks that before the bounds.
            guard offset % size == 0 else {
                throw refuse("misaligned stack access off 0+\(base.offset)+\(insnOffset) size \(size)")
            }
            if let errno = PathMemory.stackBoundsErrno(offset: offset, size: size) {
                throw VMError(instruction: index, "invalid \(write ? "write to" : "read from") stack \(r) off=\(offset) size=\(size)",
                              errno: errno)
            }
            if !write, size != 8, let (slot, _) = slot(offset, size: size),
               case .spill(let spilled, _) = state.stacks[frame][slot], spilled.isKnownPointer {
                throw refuse("invalid size of register fill")
            }
        case .packet, .packetMeta:
            if base.range.smin < 0 {
                throw refuse("\(r) min value is negative, either use unsigned index or do a if (index >=0) check.")
            }
            let offset = base.offset + insnOffset
            // A pointer marked at or past the end (PacketEndMarks) is refused before any bounds
            // are compared, with EINVAL (check_packet_access's `reg->range < 0`).
            guard base.packetRange >= 0 else {
                throw VMError(instruction: index, "\(r) offset is outside of the packet", errno: .EINVAL)
            }
            guard offset >= 0, offset + size <= base.packetRange else {
                throw refuse("invalid access to packet, off=\(offset) size=\(size), \(r)(id=\(base.id),off=\(base.offset),r=\(base.packetRange))")
            }
        case let .mapValue(valueSize, access, nullable):
            if nullable { throw refuse("\(r) invalid mem access '\(base.typeName)'") }
            try checkMapAccess(access, valueSize: valueSize, base, offset: insnOffset, size: size, write: write, at: index)
            try checkBounds(base, register: register, offset: insnOffset, size: size, limit: valueSize, at: index,
                            what: "map value, value_size=\(valueSize)")
        case let .memory(memorySize, nullable):
            let readOnly = setup.readOnlyMemory.contains(base.id)
            if nullable { throw refuse("\(r) invalid mem access '\(readOnly ? "rdonly_" : "")\(base.typeName)'") }
            if write, readOnly { throw refuse("\(r) cannot write into rdonly_mem") }
            try ObjectLocks.checkAccess(base, offset: insnOffset, size: size, at: index, setup: setup)
            try checkBounds(base, register: register, offset: insnOffset, size: size, limit: memorySize, at: index,
                            what: "memory, mem_size=\(memorySize)")
        case .btf(let pointer):
            _ = try BTFPointerAccess.load(pointer, base: base, register: register, offset: insnOffset, size: size,
                                          signed: false, write: write, types: setup.kernelTypes(), at: index)
        case .perCPU(let object):
            // Only bpf_per_cpu_ptr and bpf_this_cpu_ptr reach a copy.
            if object.nullable { throw refuse("\(r) invalid mem access '\(base.typeName)'") }
            let name = setup.pathOptions.localObjectTypes[object.typeID]?.name ?? ""
            throw refuse("\(r) is ptr_\(name) access percpu memory: off=\(base.offset + insnOffset)")
        case .mapKey(let keySize):
            // for_each_map_elem's key: read within the key, never written (check_mem_access).
            if write { throw refuse("write to change key \(r) not allowed") }
            try checkBounds(base, register: register, offset: insnOffset, size: size, limit: keySize, at: index,
                            what: "map key, key_size=\(keySize)")
        case .constDynptr:
            // The dynptr itself is the kernel's: only dynptr helpers and kfuncs may use it.
            throw refuse("\(r) invalid mem access '\(base.typeName)'")
        case let .socket(socket, nullable):
            if nullable { throw refuse("\(r) invalid mem access '\(base.typeName)'") }
            let offset = base.offset + insnOffset
            guard !write, base.range.constant == 0, SocketFields.allows(socket, offset: offset, size: size) else {
                throw refuse(write ? "cannot write into \(base.typeName)" : "\(r) invalid \(base.typeName) access off=\(offset) size=\(size)")
            }
        }
    }

    /// BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG, and the spin lock no load or store may touch.
    static func checkMapAccess(_ access: MapValueAccess, valueSize: Int, _ base: AbstractValue, offset insnOffset: Int,
                               size: Int, write: Bool, helper: Bool = false, at index: Int) throws(VMError) {
        let offset = base.offset + insnOffset
        if write, !access.writable {
            throw VMError(instruction: index, "write into map forbidden, value_size=\(valueSize) off=\(offset) size=\(size)",
                          errno: .EACCES)
        }
        if !write, !access.readable {
            throw VMError(instruction: index, "read from map forbidden, value_size=\(valueSize) off=\(offset) size=\(size)",
                          errno: .EACCES)
        }
        try KptrFieldAccess.check(access, base, offset: insnOffset, size: size, write: write, helper: helper, at: index)
        try GraphPrototypes.checkAccess(access, base, offset: insnOffset, size: size, at: index)
        if let lock = access.lockOffset, !helper, let variable = base.range.constant {
            let start = offset + Int(truncatingIfNeeded: Int64(bitPattern: variable))
            if start < lock + 4, start + size > lock {
                throw VMError(instruction: index, "bpf_spin_lock cannot be accessed directly by load/store", errno: .EACCES)
            }
        }
    }

    /// The slots a store of `size` bytes through a stack pointer with a variable part may write:
    /// those its offsets reach when they stay within twice the frame, else every slot.
    private static func variablyWrittenSlots(_ base: AbstractValue, offset: Int, size: Int) -> [Int] {
        let limit = Int64(VMLimits.stackPerFrame * 2)
        guard base.range.smin > -limit, base.range.smax < limit else { return Array(0 ..< PathState.slots) }
        let low = base.offset + offset + Int(base.range.smin), high = base.offset + offset + Int(base.range.smax) + size
        let first = max(low, -VMLimits.stackPerFrame), end = min(high, 0)
        guard first < end else { return [] }
        var slots: Set<Int> = []
        for byte in first ..< end {
            if let (s, _) = slot(byte, size: 1) { slots.insert(s) }
        }
        return slots.sorted()
    }

    /// The low `size` bytes of a number, zero-extended: its 32-bit bounds for 4 bytes, its
    /// known bits for fewer.
    private static func lowBytes(_ range: ScalarRange, _ size: Int) -> ScalarRange {
        guard size == 4 else { return .knownBits(range.bits.truncated(bytes: size)) }
        var low = range
        low.zeroExtend32()
        return low
    }

    /// Why a stack access of `size` bytes at `offset` leaves the frame, as the kernel's
    /// check_stack_access_within_bounds answers: starting below the frame or at its top EACCES,
    /// starting inside and running past the top EINVAL; nil when it stays inside.
    static func stackBoundsErrno(offset: Int, size: Int) -> LinuxErrno? {
        if offset < -VMLimits.stackPerFrame || offset >= 0 { return .EACCES }
        if offset + size > 0 { return .EINVAL }
        return nil
    }

    /// A stack access through a pointer with a variable part, as the kernel's
    /// check_stack_access_within_bounds: a part that may reach 2^29 either way is refused as
    /// unbounded (EACCES); otherwise every offset it may take must stay inside the frame.
    static func checkVariableStackOffset(_ range: ScalarRange, offset: Int, size: Int, write: Bool, register: String,
                                         at index: Int) throws(VMError) {
        let access = write ? "write to" : "read from"
        let unbounded: Int64 = 1 << 29
        guard range.smax < unbounded, range.smin > -unbounded else {
            throw VMError(instruction: index, "invalid unbounded variable-offset \(access) stack \(register)", errno: .EACCES)
        }
        let lowest = Int64(offset) + range.smin, highest = Int64(offset) + range.smax
        guard lowest >= -Int64(VMLimits.stackPerFrame), highest + Int64(size) <= 0 else {
            throw VMError(instruction: index, "invalid variable-offset \(access) stack \(register) "
                          + "var_off=\(range.knownBits) off=\(offset) size=\(size)",
                          errno: lowest < -Int64(VMLimits.stackPerFrame) || lowest >= 0 ? .EACCES : .EINVAL)
        }
    }

    /// A region of `limit` bytes through a pointer with a variable part (`check_mem_region_access`).
    static func checkBounds(_ base: AbstractValue, register: UInt8, offset insnOffset: Int, size: Int, limit: Int,
                            at index: Int, what: String) throws(VMError) {
        func refuse(_ reason: String) -> VMError { VMError(instruction: index, reason, errno: .EACCES) }
        let offset = base.offset + insnOffset
        if let constant = base.range.constant {
            let start = offset + Int(truncatingIfNeeded: Int64(bitPattern: constant))
            guard Int64(bitPattern: constant) < Int64(maxVariableOffset), start >= 0, start + size <= limit else {
                throw refuse("invalid access to \(what) off=\(start) size=\(size)")
            }
            return
        }
        guard base.range.smin >= 0 || base.range.smin + Int64(offset) >= 0 else {
            throw refuse("R\(register) min value is negative, either use unsigned index or do a if (index >=0) check.")
        }
        guard Int64(offset) + base.range.smin >= 0 else {
            throw refuse("R\(register) min value is outside of the allowed memory range")
        }
        guard base.range.umax < maxVariableOffset else {
            throw refuse("R\(register) unbounded memory access, make sure to bounds check any such access")
        }
        guard Int(base.range.umax) + offset + size <= limit else {
            throw refuse("R\(register) max value is outside of the allowed memory range")
        }
    }

    /// A load at a known offset of a frozen read-only value is the constant there (the kernel's
    /// bpf_map_direct_read): `.rodata` settings and `.kconfig` values decide branches.
    private static func fixedLoad(_ access: MapValueAccess, _ base: AbstractValue, offset: Int, size: Int, signed: Bool,
                                  setup: PathSetup) -> AbstractValue? {
        guard let key = access.fixed, let bytes = setup.fixedValues[key], [1, 2, 4, 8].contains(size),
              let variable = base.range.constant, variable < UInt64(bytes.count) else { return nil }
        let start = base.offset &+ offset &+ Int(variable)
        guard start >= 0, start <= bytes.count - size else { return nil }
        var value: UInt64 = 0
        for i in 0 ..< size { value |= UInt64(bytes[start + i]) << (8 * UInt64(i)) }
        if signed, size < 8 {
            let shift = UInt64(64 - 8 * size)
            value = UInt64(bitPattern: Int64(bitPattern: value << shift) >> shift)
        }
        return .constant(value)
    }

    static func load(from base: AbstractValue, offset insnOffset: Int, size: Int, signed: Bool,
                     state: PathState, setup: PathSetup) -> AbstractValue {
        let number = AbstractValue.scalar(signed ? .loadedSigned(bytes: size) : .loaded(bytes: size))
        switch base.kind {
        case let .mapValue(_, access, false):
            return fixedLoad(access, base, offset: insnOffset, size: size, signed: signed, setup: setup) ?? number
        case .context:
            let field = Int16(clamping: insnOffset)
            if field == setup.metaField { return .pointer(.packetMeta) }
            switch setup.packetFields[field] {
            case .start?: return .pointer(.packet)
            case .end?: return .pointer(.packetEnd)
            case nil: break
            }
            if field == setup.socketField, size == 8 {
                // `__sk_buff.sk`: the skb's socket, or NULL.
                return AbstractValue(kind: .socket(.common, nullable: true), id: -(Int(field) + 1))
            }
            return setup.pointerFields.contains(field) || setup.rules == nil ? .unknown : number
        case .stack(let frame):
            guard base.range.constant == 0, frame <= state.frame,
                  let (slot, position) = slot(base.offset + insnOffset, size: size) else { return number }
            switch state.stacks[frame][slot] {
            case .invalid, .misc:
                return number
            case .unknown:
                return .unknown
            case .zeroBytes(let mask):
                return mask & bytes(position, size) == bytes(position, size) ? .constant(0) : number
            case let .spill(value, spilled):
                guard position == 0 else {
                    // Bytes inside a spilled zero are zero (check_stack_read_fixed_off's spill_cnt).
                    if value.isScalar, value.range.constant == 0, position + size <= spilled { return .constant(0) }
                    return value.isScalar ? number : .unknown
                }
                if spilled == size, !signed || size == 8 { return value }
                // The low bytes of a spilled number that fits in them are the number.
                if value.isScalar, size < spilled, !signed, value.range.umax < UInt64(1) << UInt64(size * 8) { return value }
                // Otherwise they are its low bits, untied (coerce_reg_to_size of the copy).
                if value.isScalar, size < spilled, !signed { return .scalar(lowBytes(value.range, size)) }
                return value.isScalar ? number : .unknown
            }
        case .packet, .packetMeta, .mapValue, .memory, .socket:
            // Every field of a bpf_sock or bpf_tcp_sock is a number (check_sock_access marks
            // the load unknown scalar): one added to the context is refused, not untracked.
            return number
        case .btf(let pointer):
            return (try? BTFPointerAccess.load(pointer, base: base, register: 0, offset: insnOffset, size: size, signed: signed,
                                               write: false, types: setup.kernelTypes(), at: 0)) ?? number
        default:
            return .unknown
        }
    }

    static func store(_ value: AbstractValue, to base: AbstractValue, offset insnOffset: Int, size: Int,
                      state: inout PathState) {
        guard case .stack(let frame) = base.kind, frame <= state.frame else { return }
        guard base.range.constant == 0 else {
            // A store at a variable offset may land in any slot its offsets reach
            // (check_stack_write_var_off); those slots hold no spill after it, their zero bytes
            // stay zero under a zero, and so does a full spill of the number 0 (every byte of it
            // a spilled byte of a known zero).
            let writesZero = value.isScalar && value.range.constant == 0
            for s in variablyWrittenSlots(base, offset: insnOffset, size: size) {
                if writesZero, case .zeroBytes = state.stacks[frame][s] { continue }
                if writesZero, case let .spill(spilled, 8) = state.stacks[frame][s], spilled.isScalar,
                   spilled.range.constant == 0 { continue }
                state.stacks[frame][s] = .misc
            }
            return
        }
        let offset = base.offset + insnOffset
        guard let (slot, position) = slot(offset, size: size) else {
            for byte in [offset, offset + size - 1] {
                if let (s, _) = self.slot(byte, size: 1) { state.stacks[frame][s] = .misc }
            }
            return
        }
        if position == 0, size == 8 {
            state.stacks[frame][slot] = .spill(value, size: 8)
        } else if position == 0, value.isScalar, value.range.constant == 0,
                  case .zeroBytes(let mask) = state.stacks[frame][slot], mask & ~bytes(0, size) != 0 {
            // A narrow spill keeps the slot's other bytes (save_register_state leaves STACK_ZERO
            // bytes zero): a zero stored under bytes known zero leaves them all zero, so a byte
            // of a zeroed `volatile` buffer above it still reads as 0 (async_stack_depth.tcx).
            state.stacks[frame][slot] = .zeroBytes(mask | bytes(0, size))
        } else if position == 0, value.isScalar {
            let kept = value.range.umax < 1 << UInt64(size * 8) ? value : .scalar(.loaded(bytes: size))
            state.stacks[frame][slot] = .spill(kept, size: size)
        } else {
            // Which bytes of the slot are known to be zero after the store. A store into a
            // slot holding a spill scrubs it first: every byte written before becomes unknown,
            // a spilled zero too (check_stack_write_fixed_off's scrub_spilled_slot).
            var zeros: UInt8
            switch state.stacks[frame][slot] {
            case .zeroBytes(let mask): zeros = mask
            default: zeros = 0
            }
            if value.isScalar, value.range.constant == 0 { zeros |= bytes(position, size) } else { zeros &= ~bytes(position, size) }
            state.stacks[frame][slot] = zeros == 0 ? .misc : .zeroBytes(zeros)
        }
    }

    /// What a helper the analysis does not model (or a global function) may write through a
    /// stack pointer argument: `size` bytes when the next argument is a small constant, else
    /// up to the frame's top. Those slots become `unknown`, as the kernel would have them
    /// hold whatever the callee wrote.
    static func clobber(from pointer: AbstractValue, size: UInt64?, state: inout PathState) {
        guard case .stack(let frame) = pointer.kind, frame <= state.frame else { return }
        let start = pointer.range.constant == 0 ? pointer.offset : -VMLimits.stackPerFrame
        let end = size.map { min(0, start + Int($0)) } ?? 0
        var byte = max(start, -VMLimits.stackPerFrame)
        while byte < end {
            if let (slot, _) = slot(byte, size: 1) { state.stacks[frame][slot] = .unknown }
            byte += 8 - (byte + VMLimits.stackPerFrame) % 8
        }
    }

    /// The mask of `size` bytes from `position` in a slot.
    static func bytes(_ position: Int, _ size: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: ((1 << size) - 1) << position)
    }

    /// The number a stack key holds when it is known: a spilled constant of the key's size, or
    /// bytes known to be zero (the kernel's get_constant_map_key).
    static func constantKey(_ pointer: AbstractValue, size: Int, state: PathState) -> UInt64? {
        guard case .stack(let frame) = pointer.kind, frame <= state.frame, pointer.range.constant == 0,
              let (slot, position) = slot(pointer.offset, size: size) else { return nil }
        switch state.stacks[frame][slot] {
        case .zeroBytes(let mask):
            return mask & bytes(position, size) == bytes(position, size) ? 0 : nil
        case let .spill(value, spilled):
            return position == 0 && spilled == size && value.isScalar ? value.range.constant : nil
        default:
            return nil
        }
    }

    /// The slot an access lies in and its position in it; nil when it spans two slots or
    /// leaves the frame.
    static func slot(_ offset: Int, size: Int) -> (Int, Int)? {
        guard offset < 0, offset >= -VMLimits.stackPerFrame else { return nil }
        let slot = (-offset - 1) / 8
        let position = offset + 8 * (slot + 1)
        guard position + size <= 8 else { return nil }
        return (slot, position)
    }
}
