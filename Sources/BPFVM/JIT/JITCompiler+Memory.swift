/// Loads, stores, atomics and the legacy packet loads, each behind the checks the
/// interpreter makes.
extension JITCompiler {
    /// The operand of an access of `size` bytes at r[base] + offset, checked: inline against the
    /// stack frames in use, out of line against everything else. rsi then holds the address,
    /// except for accesses through r10 that lie inside the current frame: the verifier checked
    /// those at load (r10 is read-only and its offset constant), so they need no check at all.
    private mutating func checkedAddress(base: UInt8, offset: Int32, size: Int, write: Bool, at i: Int) -> X86Memory {
        if base == 10, offset >= -Int32(VMLimits.stackPerFrame), offset + Int32(size) <= 0 {
            a.load(.rsi, JITState.register(10))
            return X86Memory(.rsi, offset)
        }
        if let address = constants.value(of: base).map({ $0 &+ UInt64(bitPattern: Int64(offset)) }),
           regions.contains(where: { $0.contains(address, size: UInt64(size), write: write) }) {
            // An address known at load inside a region the check routine allows (`KnownConstants`).
            a.move(.rsi, immediate: address)
            return X86Memory(.rsi)
        }
        if base == checkedSpanBase {
            // Inside a `PacketSpan`'s unchecked copy: its check at the start covered this access.
            loadRegister(.rsi, base)
            return X86Memory(.rsi, offset)
        }
        loadRegister(.rsi, base)
        if offset != 0 { a.alu(.add, .rsi, immediate: offset) }
        let slow = a.newLabel(), allowed = a.newLabel()
        // A base that looks like a packet pointer (`PacketGuess`) is checked against the packet
        // inline and the stack out of line; any other against the stack first. Only the order
        // depends on the guess: every range is still checked before the access is refused.
        let packetFirst = packetGuess.contains(base)
        jumpUnlessInside(.rsi, low: packetFirst ? .packetLow : .stackLow, count: packetFirst ? .packetCount : .stackCount,
                         size: Int32(size), outside: slow)
        a.bind(allowed)
        deferred.append(.slowCheck(slow, back: allowed, size: size, write: write, instruction: i, stackInStub: packetFirst))
        return X86Memory(.rsi)
    }

    /// The same, and aligned to `size` as atomics must be.
    /// rsi = the address (no shortcut through r10 here: the alignment test needs it whole).
    private mutating func alignedAddress(base: UInt8, offset: Int32, size: Int, write: Bool, at i: Int) {
        var target = checkedAddress(base: base, offset: offset, size: size, write: write, at: i)
        if target.displacement != 0 {
            a.lea(.rsi, target)
            target = X86Memory(.rsi)
        }
        a.test(.rsi, immediate: Int32(size - 1))
        a.jump(.notEqual, faultStub(instruction: i, .misaligned, size: size))
    }

    mutating func memoryAccess(_ op: ExecOp, at i: Int) {
        switch op.code {
        case .ldxB, .ldxH, .ldxW, .ldxDW:
            let size = [ExecCode.ldxB: 1, .ldxH: 2, .ldxW: 4][op.code] ?? 8
            let target = checkedAddress(base: op.src, offset: op.offset, size: size, write: false, at: i)
            let destination = host(op.dst) ?? .rax
            a.load(destination, target, size: size)
            if destination == .rax { storeRegister(op.dst, .rax) }
        case .ldxSB, .ldxSH, .ldxSW:
            let size = [ExecCode.ldxSB: 1, .ldxSH: 2][op.code] ?? 4
            let target = checkedAddress(base: op.src, offset: op.offset, size: size, write: false, at: i)
            let destination = host(op.dst) ?? .rax
            a.loadSigned(destination, target, size: size)
            if destination == .rax { storeRegister(op.dst, .rax) }
        case .ldxCtxPointer:
            contextPointerLoad(op, at: i)
        case .ldxCtxField:
            contextFieldLoad(op, at: i)
        case .stxCtxField:
            contextFieldStore(op, at: i)
        case .stxB, .stxH, .stxW, .stxDW:
            let size = [ExecCode.stxB: 1, .stxH: 2, .stxW: 4][op.code] ?? 8
            storeSource(op, to: checkedAddress(base: op.dst, offset: op.offset, size: size, write: true, at: i), size: size)
        default:
            let size = [ExecCode.stB: 1, .stH: 2, .stW: 4][op.code] ?? 8
            let target = checkedAddress(base: op.dst, offset: op.offset, size: size, write: true, at: i)
            a.move(.rax, immediate: UInt64(bitPattern: op.imm))
            a.store(target, .rax, size: size)
        }
    }

    /// The source register of a store written to `target` (through rax when it lives in memory).
    private mutating func storeSource(_ op: ExecOp, to target: X86Memory, size: Int) {
        if let held = host(op.src) {
            a.store(target, held, size: size)
        } else {
            loadRegister(.rax, op.src)
            a.store(target, .rax, size: size)
        }
    }

    /// A context field the runtime keeps current (`ExecCode.ldxCtxField`), as the kernel's
    /// rewritten context loads read it: straight from the block when the base holds the
    /// context's address and the block covers the field (both compared here, at run time);
    /// through any other base an ordinary checked load.
    private mutating func contextFieldLoad(_ op: ExecOp, at i: Int) {
        let signed = op.aux & ExecOp.signedLoad != 0
        let size = Int(op.aux & 0xf)
        let ordinary = a.newLabel(), loaded = a.newLabel()
        loadRegister(.rax, op.src)
        a.alu(.cmp, .rax, JITState.slot(.contextLow))
        a.jump(.notEqual, ordinary)
        a.alu(.cmp, JITState.slot(.contextCount), immediate: op.offset + Int32(size))
        a.jump(.below, ordinary)
        a.lea(.rsi, X86Memory(.rax, op.offset))
        a.jump(loaded)
        a.bind(ordinary)
        let checked = checkedAddress(base: op.src, offset: op.offset, size: size, write: false, at: i)
        a.lea(.rsi, checked)
        a.bind(loaded)
        let destination = host(op.dst) ?? .rax
        if signed {
            a.loadSigned(destination, X86Memory(.rsi), size: size)
        } else {
            a.load(destination, X86Memory(.rsi), size: size)
        }
        if destination == .rax { storeRegister(op.dst, .rax) }
    }

    /// A context field the runtime takes in from the block (`ExecCode.stxCtxField`), as the
    /// kernel's rewritten stores write the field: straight into the block, the flag byte set,
    /// when the base holds the context's address and the block covers the field and the flag
    /// (both compared here, at run time); through any other base an ordinary checked store.
    private mutating func contextFieldStore(_ op: ExecOp, at i: Int) {
        let size = Int(op.aux & 0xf)
        let ordinary = a.newLabel(), done = a.newLabel()
        loadRegister(.rax, op.dst)
        a.alu(.cmp, .rax, JITState.slot(.contextLow))
        a.jump(.notEqual, ordinary)
        a.alu(.cmp, JITState.slot(.contextCount), immediate: Int32(truncatingIfNeeded: op.contextStoreExtent))
        a.jump(.below, ordinary)
        a.move(.rcx, immediate: 1)
        a.store(X86Memory(.rax, op.contextStoreFlag), .rcx, size: 1)
        // The probe window may show what this store changes (the kernel skb's mark, say).
        a.store(JITState.slot(.probeCount), immediate: 0)
        var source = X86Reg.rcx
        if let held = host(op.src) { source = held } else { loadRegister(.rcx, op.src) }
        if op.contextStoreLimit != 0 {
            // The kernel's rule for such a field: a value at or above the limit is ignored.
            a.alu(.cmp, source, immediate: Int32(bitPattern: op.contextStoreLimit), wide: false)
            a.jump(.aboveOrEqual, done)
        }
        if op.aux & ExecOp.keepsLowHalf != 0 {
            // A 16-bit field: the block holds what the kernel keeps, so loads read it directly.
            if source != .rcx { a.move(.rcx, source) }
            source = .rcx
            a.alu(.and, .rcx, immediate: 0xffff, wide: false)
        }
        a.store(X86Memory(.rax, op.offset), source, size: size)
        a.jump(done)
        a.bind(ordinary)
        storeSource(op, to: checkedAddress(base: op.dst, offset: op.offset, size: size, write: true, at: i), size: size)
        a.bind(done)
    }

    /// A 32-bit load of `data`/`data_end`: through the context pointer itself it yields the
    /// packet bound; through anything else it is an ordinary load.
    private mutating func contextPointerLoad(_ op: ExecOp, at i: Int) {
        let ordinary = a.newLabel(), done = a.newLabel()
        loadRegister(.rax, op.src)
        a.alu(.cmp, .rax, JITState.slot(.contextLow))
        a.jump(.notEqual, ordinary)
        a.alu(.cmp, JITState.slot(.contextCount), immediate: 0)
        a.jump(.equal, ordinary)
        a.load(.rax, JITState.slot(.packetLow))
        if op.aux != PacketPointer.start.rawValue { a.alu(.add, .rax, JITState.slot(.packetCount)) }
        storeRegister(op.dst, .rax)
        a.jump(done)
        a.bind(ordinary)
        let target = checkedAddress(base: op.src, offset: op.offset, size: 4, write: false, at: i)
        a.load(.rax, target, size: 4)
        storeRegister(op.dst, .rax)
        a.bind(done)
    }

    mutating func atomic(_ op: ExecOp, at i: Int) {
        let target = X86Memory(.rsi)
        switch op.code {
        case .loadAcquire:
            // x86 loads already have acquire ordering.
            alignedAddress(base: op.src, offset: op.offset, size: Int(op.aux), write: false, at: i)
            a.load(.rax, target, size: Int(op.aux))
            storeRegister(op.dst, .rax)
            return
        case .storeRelease:
            // x86 stores already have release ordering.
            alignedAddress(base: op.dst, offset: op.offset, size: Int(op.aux), write: true, at: i)
            loadRegister(.rax, op.src)
            a.store(target, .rax, size: Int(op.aux))
            return
        default:
            break
        }
        let wide = op.code == .atomic64
        alignedAddress(base: op.dst, offset: op.offset, size: wide ? 8 : 4, write: true, at: i)
        loadRegister(.rcx, op.src)
        guard let code = AtomicCode(rawValue: op.aux) else {
            declined = true
            return
        }
        switch code {
        case .add: a.lockedALU(.add, target, .rcx, wide: wide)
        case .or: a.lockedALU(.or, target, .rcx, wide: wide)
        case .and: a.lockedALU(.and, target, .rcx, wide: wide)
        case .xor: a.lockedALU(.xor, target, .rcx, wide: wide)
        case .fetchAdd:
            a.lockedExchangeAdd(target, .rcx, wide: wide)
            a.move(.rax, .rcx, wide: wide)
            storeRegister(op.src, .rax)
        case .xchg:
            a.exchange(target, .rcx, wide: wide)
            a.move(.rax, .rcx, wide: wide)
            storeRegister(op.src, .rax)
        case .fetchOr, .fetchAnd, .fetchXor:
            // No x86 instruction returns the old value of these: a compare-exchange loop.
            let retry = a.newLabel()
            a.push(Self.budget)
            a.load(.rax, target, size: wide ? 8 : 4)
            a.bind(retry)
            a.move(.rdx, .rax)
            a.alu(code == .fetchOr ? .or : code == .fetchAnd ? .and : .xor, .rdx, .rcx, wide: wide)
            a.lockedCompareExchange(target, .rdx, wide: wide)
            a.jump(.notEqual, retry)
            a.pop(Self.budget)
            a.move(.rax, .rax, wide: wide)
            storeRegister(op.src, .rax)
        case .cmpxchg:
            loadRegister(.rax, 0)
            a.lockedCompareExchange(target, .rcx, wide: wide)
            a.move(.rax, .rax, wide: wide)
            storeRegister(0, .rax)
        }
    }

    /// `LD_ABS`/`LD_IND`: big-endian bytes of the packet into r0; past the packet the run
    /// ends with r0 = 0.
    mutating func packetLoad(_ op: ExecOp) {
        let size = Int(op.aux)
        a.move(.rax, immediate: UInt64(bitPattern: op.imm))
        if op.code == .ldInd {
            loadRegister(.rcx, op.src)
            a.moveSignExtended(.rcx, .rcx, bits: 32, wide: true)
            a.alu(.add, .rax, .rcx)
        }
        a.test(.rax, .rax)
        a.jump(.sign, returnZero)
        a.alu(.cmp, .rax, JITState.slot(.packetCount))
        a.jump(.above, returnZero)
        a.load(.rcx, JITState.slot(.packetCount))
        a.alu(.sub, .rcx, .rax)
        a.alu(.cmp, .rcx, immediate: Int32(size))
        a.jump(.below, returnZero)
        a.load(.rsi, JITState.slot(.packetLow))
        a.alu(.add, .rsi, .rax)
        a.load(.rax, X86Memory(.rsi), size: size)
        switch size {
        case 2: a.swapLow16(.rax)
        case 4: a.byteSwap(.rax, wide: false)
        default: break
        }
        storeRegister(0, .rax)
    }
}
