import BPFCore

extension Machine {
    /// The interpreter loop: fetch, one jump-table dispatch, execute. Registers and the
    /// program counter stay in locals; memory accesses check three ranges inline.
    ///
    /// A helper's callback runs here too: from `entry`, in frame `baseDepth`, until that frame exits.
    /// `continuingRun`: it goes on with the run's budget (`MayGotoClock.runClock`), and leaves
    /// what is left there, so a callback's loops charge the run as the kernel's clock does.
    mutating func execute(entry: Int = 0, baseDepth: Int = 0, continuingRun: Bool = false) throws(VMFault) -> UInt64 {
        var ops = program.ops.baseAddress!
        let r = registers
        var pc = entry
        var depth = baseDepth
        let runClock = MayGotoClock.runClock(frames)
        var budget = continuingRun ? runClock.pointee : program.instructionBudget
        var tailCalls = 0
        // A local copy the optimizer can keep in registers; stores through raw pointers
        // would otherwise force reloads of `self.memory` after every write.
        var mem = memory
        MayGotoClock.enter(MayGotoClock.slot(frames, depth: depth))

        @inline(__always) func fault(_ kind: VMFault.Kind) -> VMFault {
            VMFault(instruction: pc - 1, kind: kind)
        }
        /// Takes a jump; backward jumps charge the loop body to the budget.
        @inline(__always) func branch(_ target: Int32) throws(VMFault) {
            let t = Int(target)
            if t < pc {
                budget -= pc - t
                if budget < 0 { throw fault(.instructionLimit) }
            }
            pc = t
        }
        @inline(__always) func address(_ base: UInt8, _ offset: Int32, _ size: UInt64, write: Bool) throws(VMFault) -> UnsafeMutableRawPointer {
            let a = r[Int(base)] &+ UInt64(bitPattern: Int64(offset))
            guard mem.allows(a, size: size, write: write) else {
                throw fault(.outOfBounds(address: a, size: Int(size), write: write))
            }
            return Machine.pointer(a)
        }
        @inline(__always) func aligned(_ base: UInt8, _ offset: Int32, _ size: UInt64, write: Bool) throws(VMFault) -> UnsafeMutableRawPointer {
            let p = try address(base, offset, size, write: write)
            guard UInt(bitPattern: p) & UInt(size - 1) == 0 else {
                throw fault(.misaligned(address: UInt64(UInt(bitPattern: p)), size: Int(size)))
            }
            return p
        }

        while true {
            let op = ops[pc]
            pc += 1
            let d = Int(op.dst), s = Int(op.src)
            switch op.code {
            case .add64I: r[d] &+= UInt64(bitPattern: op.imm)
            case .add64R: r[d] &+= r[s]
            case .sub64I: r[d] &-= UInt64(bitPattern: op.imm)
            case .sub64R: r[d] &-= r[s]
            case .mul64I: r[d] &*= UInt64(bitPattern: op.imm)
            case .mul64R: r[d] &*= r[s]
            case .div64I: r[d] = ALUSemantics.div64(r[d], UInt64(bitPattern: op.imm))
            case .div64R: r[d] = ALUSemantics.div64(r[d], r[s])
            case .sdiv64I: r[d] = ALUSemantics.sdiv64(r[d], UInt64(bitPattern: op.imm))
            case .sdiv64R: r[d] = ALUSemantics.sdiv64(r[d], r[s])
            case .mod64I: r[d] = ALUSemantics.mod64(r[d], UInt64(bitPattern: op.imm))
            case .mod64R: r[d] = ALUSemantics.mod64(r[d], r[s])
            case .smod64I: r[d] = ALUSemantics.smod64(r[d], UInt64(bitPattern: op.imm))
            case .smod64R: r[d] = ALUSemantics.smod64(r[d], r[s])
            case .or64I: r[d] |= UInt64(bitPattern: op.imm)
            case .or64R: r[d] |= r[s]
            case .and64I: r[d] &= UInt64(bitPattern: op.imm)
            case .and64R: r[d] &= r[s]
            case .xor64I: r[d] ^= UInt64(bitPattern: op.imm)
            case .xor64R: r[d] ^= r[s]
            case .lsh64I: r[d] = r[d] &<< UInt64(bitPattern: op.imm)
            case .lsh64R: r[d] = r[d] &<< r[s]
            case .rsh64I: r[d] = r[d] &>> UInt64(bitPattern: op.imm)
            case .rsh64R: r[d] = r[d] &>> r[s]
            case .arsh64I: r[d] = UInt64(bitPattern: Int64(bitPattern: r[d]) &>> op.imm)
            case .arsh64R: r[d] = UInt64(bitPattern: Int64(bitPattern: r[d]) &>> Int64(bitPattern: r[s]))
            case .mov64I: r[d] = UInt64(bitPattern: op.imm)
            case .mov64R: r[d] = r[s]
            case .neg64: r[d] = 0 &- r[d]
            case .movsx8to64: r[d] = UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: r[s])))
            case .movsx16to64: r[d] = UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: r[s])))
            case .movsx32to64: r[d] = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: r[s])))

            case .add32I: r[d] = UInt64(ALUSemantics.low32(r[d]) &+ ALUSemantics.low32(UInt64(bitPattern: op.imm)))
            case .add32R: r[d] = UInt64(ALUSemantics.low32(r[d]) &+ ALUSemantics.low32(r[s]))
            case .sub32I: r[d] = UInt64(ALUSemantics.low32(r[d]) &- ALUSemantics.low32(UInt64(bitPattern: op.imm)))
            case .sub32R: r[d] = UInt64(ALUSemantics.low32(r[d]) &- ALUSemantics.low32(r[s]))
            case .mul32I: r[d] = UInt64(ALUSemantics.low32(r[d]) &* ALUSemantics.low32(UInt64(bitPattern: op.imm)))
            case .mul32R: r[d] = UInt64(ALUSemantics.low32(r[d]) &* ALUSemantics.low32(r[s]))
            case .div32I: r[d] = ALUSemantics.div32(r[d], UInt64(bitPattern: op.imm))
            case .div32R: r[d] = ALUSemantics.div32(r[d], r[s])
            case .sdiv32I: r[d] = ALUSemantics.sdiv32(r[d], UInt64(bitPattern: op.imm))
            case .sdiv32R: r[d] = ALUSemantics.sdiv32(r[d], r[s])
            case .mod32I: r[d] = ALUSemantics.mod32(r[d], UInt64(bitPattern: op.imm))
            case .mod32R: r[d] = ALUSemantics.mod32(r[d], r[s])
            case .smod32I: r[d] = ALUSemantics.smod32(r[d], UInt64(bitPattern: op.imm))
            case .smod32R: r[d] = ALUSemantics.smod32(r[d], r[s])
            case .or32I: r[d] = UInt64(ALUSemantics.low32(r[d] | UInt64(bitPattern: op.imm)))
            case .or32R: r[d] = UInt64(ALUSemantics.low32(r[d] | r[s]))
            case .and32I: r[d] = UInt64(ALUSemantics.low32(r[d] & UInt64(bitPattern: op.imm)))
            case .and32R: r[d] = UInt64(ALUSemantics.low32(r[d] & r[s]))
            case .xor32I: r[d] = UInt64(ALUSemantics.low32(r[d] ^ UInt64(bitPattern: op.imm)))
            case .xor32R: r[d] = UInt64(ALUSemantics.low32(r[d] ^ r[s]))
            case .lsh32I: r[d] = UInt64(ALUSemantics.low32(r[d]) &<< ALUSemantics.low32(UInt64(bitPattern: op.imm)))
            case .lsh32R: r[d] = UInt64(ALUSemantics.low32(r[d]) &<< ALUSemantics.low32(r[s]))
            case .rsh32I: r[d] = UInt64(ALUSemantics.low32(r[d]) &>> ALUSemantics.low32(UInt64(bitPattern: op.imm)))
            case .rsh32R: r[d] = UInt64(ALUSemantics.low32(r[d]) &>> ALUSemantics.low32(r[s]))
            case .arsh32I: r[d] = ALUSemantics.arsh32(r[d], UInt64(bitPattern: op.imm))
            case .arsh32R: r[d] = ALUSemantics.arsh32(r[d], r[s])
            case .mov32I: r[d] = UInt64(ALUSemantics.low32(UInt64(bitPattern: op.imm)))
            case .mov32R: r[d] = UInt64(ALUSemantics.low32(r[s]))
            case .neg32: r[d] = UInt64(0 &- ALUSemantics.low32(r[d]))
            case .movsx8to32: r[d] = UInt64(UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: r[s]))))
            case .movsx16to32: r[d] = UInt64(UInt32(bitPattern: Int32(Int16(truncatingIfNeeded: r[s]))))

            case .le16: r[d] = UInt64(UInt16(truncatingIfNeeded: r[d]).littleEndian)
            case .le32: r[d] = UInt64(UInt32(truncatingIfNeeded: r[d]).littleEndian)
            case .le64: r[d] = r[d].littleEndian
            case .be16: r[d] = UInt64(UInt16(truncatingIfNeeded: r[d]).bigEndian)
            case .be32: r[d] = UInt64(UInt32(truncatingIfNeeded: r[d]).bigEndian)
            case .be64: r[d] = r[d].bigEndian
            case .swap16: r[d] = UInt64(UInt16(truncatingIfNeeded: r[d]).byteSwapped)
            case .swap32: r[d] = UInt64(UInt32(truncatingIfNeeded: r[d]).byteSwapped)
            case .swap64: r[d] = r[d].byteSwapped

            case .loadImm64:
                r[d] = UInt64(bitPattern: op.imm)
                pc += 1

            case .ldxB: r[d] = UInt64(try address(op.src, op.offset, 1, write: false).load(as: UInt8.self))
            case .ldxH: r[d] = UInt64(try address(op.src, op.offset, 2, write: false).loadUnaligned(as: UInt16.self))
            case .ldxW: r[d] = UInt64(try address(op.src, op.offset, 4, write: false).loadUnaligned(as: UInt32.self))
            case .ldxDW: r[d] = try address(op.src, op.offset, 8, write: false).loadUnaligned(as: UInt64.self)
            case .ldxCtxPointer:
                // Through the context pointer itself: the packet bound; through anything else
                // (the packet, a map value) it is an ordinary load.
                if r[s] == mem.contextLow && mem.contextCount != 0 {
                    r[d] = op.aux == PacketPointer.start.rawValue ? mem.packetLow : mem.packetLow &+ mem.packetCount
                } else {
                    r[d] = UInt64(try address(op.src, op.offset, 4, write: false).loadUnaligned(as: UInt32.self))
                }
            case .ldxCtxField:
                // The runtime keeps this field current in the block, and the program type's
                // rules allow the load (checked at load): through the context's own address,
                // with the block covering it (checked here), it needs no other check.
                let size = UInt64(op.aux & 0xf)
                let end = UInt64(op.offset) &+ size
                let source: UnsafeMutableRawPointer
                if r[s] == mem.contextLow && end <= mem.contextCount {
                    source = Self.pointer(mem.contextLow &+ UInt64(op.offset))
                } else {
                    source = try address(op.src, op.offset, size, write: false)
                }
                let signed = op.aux & ExecOp.signedLoad != 0
                switch size {
                case 1: r[d] = signed ? UInt64(bitPattern: Int64(source.load(as: Int8.self))) : UInt64(source.load(as: UInt8.self))
                case 2: r[d] = signed ? UInt64(bitPattern: Int64(source.loadUnaligned(as: Int16.self)))
                                      : UInt64(source.loadUnaligned(as: UInt16.self))
                case 4: r[d] = signed ? UInt64(bitPattern: Int64(source.loadUnaligned(as: Int32.self)))
                                      : UInt64(source.loadUnaligned(as: UInt32.self))
                default: r[d] = source.loadUnaligned(as: UInt64.self)
                }
            case .ldxProbe:
                r[d] = ProbeLoad.value(at: r[s] &+ UInt64(bitPattern: Int64(op.offset)), aux: op.aux, memory: mem)
            case .ldxSB:
                r[d] = UInt64(bitPattern: Int64(try address(op.src, op.offset, 1, write: false).load(as: Int8.self)))
            case .ldxSH:
                r[d] = UInt64(bitPattern: Int64(try address(op.src, op.offset, 2, write: false).loadUnaligned(as: Int16.self)))
            case .ldxSW:
                r[d] = UInt64(bitPattern: Int64(try address(op.src, op.offset, 4, write: false).loadUnaligned(as: Int32.self)))

            case .stxCtxField:
                // A field the runtime takes in from the block (when the flag says a store
                // happened): through the context's own address, with the block covering the
                // field and the flag (checked here), it needs no other check.
                let size = UInt64(op.aux & 0xf)
                let target: UnsafeMutableRawPointer
                var value = r[s]
                if r[d] == mem.contextLow && UInt64(op.contextStoreExtent) <= mem.contextCount {
                    Self.pointer(mem.contextLow &+ UInt64(op.contextStoreFlag)).storeBytes(of: UInt8(1), as: UInt8.self)
                    let limit = op.contextStoreLimit
                    if limit != 0 && UInt32(truncatingIfNeeded: value) >= limit { break }
                    if op.aux & ExecOp.keepsLowHalf != 0 { value &= 0xffff }
                    target = Self.pointer(mem.contextLow &+ UInt64(op.offset))
                } else {
                    target = try address(op.dst, op.offset, size, write: true)
                }
                switch size {
                case 1: target.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
                case 2: target.storeBytes(of: UInt16(truncatingIfNeeded: value), as: UInt16.self)
                case 4: target.storeBytes(of: UInt32(truncatingIfNeeded: value), as: UInt32.self)
                default: target.storeBytes(of: value, as: UInt64.self)
                }
            case .stxB: try address(op.dst, op.offset, 1, write: true).storeBytes(of: UInt8(truncatingIfNeeded: r[s]), as: UInt8.self)
            case .stxH: try address(op.dst, op.offset, 2, write: true).storeBytes(of: UInt16(truncatingIfNeeded: r[s]), as: UInt16.self)
            case .stxW: try address(op.dst, op.offset, 4, write: true).storeBytes(of: UInt32(truncatingIfNeeded: r[s]), as: UInt32.self)
            case .stxDW: try address(op.dst, op.offset, 8, write: true).storeBytes(of: r[s], as: UInt64.self)
            case .stB: try address(op.dst, op.offset, 1, write: true).storeBytes(of: UInt8(truncatingIfNeeded: op.imm), as: UInt8.self)
            case .stH: try address(op.dst, op.offset, 2, write: true).storeBytes(of: UInt16(truncatingIfNeeded: op.imm), as: UInt16.self)
            case .stW: try address(op.dst, op.offset, 4, write: true).storeBytes(of: UInt32(truncatingIfNeeded: op.imm), as: UInt32.self)
            case .stDW: try address(op.dst, op.offset, 8, write: true).storeBytes(of: UInt64(bitPattern: op.imm), as: UInt64.self)

            case .atomic64:
                let code = AtomicCode(rawValue: op.aux).unsafelyUnwrapped
                let old = AtomicMemory.rmw64(code, at: try aligned(op.dst, op.offset, 8, write: true),
                                             operand: r[s], expected: r[0])
                switch code {
                case .add, .or, .and, .xor: break
                case .cmpxchg: r[0] = old
                default: r[s] = old
                }
            case .atomic32:
                let code = AtomicCode(rawValue: op.aux).unsafelyUnwrapped
                let old = AtomicMemory.rmw32(code, at: try aligned(op.dst, op.offset, 4, write: true),
                                             operand: ALUSemantics.low32(r[s]), expected: ALUSemantics.low32(r[0]))
                switch code {
                case .add, .or, .and, .xor: break
                case .cmpxchg: r[0] = UInt64(old)
                default: r[s] = UInt64(old)
                }
            case .loadAcquire:
                r[d] = AtomicMemory.loadAcquire(op.aux, at: try aligned(op.src, op.offset, UInt64(op.aux), write: false))
            case .storeRelease:
                AtomicMemory.storeRelease(op.aux, at: try aligned(op.dst, op.offset, UInt64(op.aux), write: true), value: r[s])

            case .ldAbs, .ldInd:
                let index = op.code == .ldInd ? Int64(Int32(truncatingIfNeeded: r[s])) : 0
                // The kernel ends the program with r0 = 0 when the bytes are not in the packet.
                guard let value = packetLoad(offset: op.imm &+ index, size: op.aux) else { return 0 }
                r[0] = value

            case .ja: try branch(op.offset)
            case .mayGoto:
                if MayGotoClock.jumps(MayGotoClock.slot(frames, depth: depth), clock: budget, slice: program.mayGotoSlice) {
                    try branch(op.offset)
                }
            case .jeq64I: if r[d] == UInt64(bitPattern: op.imm) { try branch(op.offset) }
            case .jeq64R: if r[d] == r[s] { try branch(op.offset) }
            case .jne64I: if r[d] != UInt64(bitPattern: op.imm) { try branch(op.offset) }
            case .jne64R: if r[d] != r[s] { try branch(op.offset) }
            case .jgt64I: if r[d] > UInt64(bitPattern: op.imm) { try branch(op.offset) }
            case .jgt64R: if r[d] > r[s] { try branch(op.offset) }
            case .jge64I: if r[d] >= UInt64(bitPattern: op.imm) { try branch(op.offset) }
            case .jge64R: if r[d] >= r[s] { try branch(op.offset) }
            case .jlt64I: if r[d] < UInt64(bitPattern: op.imm) { try branch(op.offset) }
            case .jlt64R: if r[d] < r[s] { try branch(op.offset) }
            case .jle64I: if r[d] <= UInt64(bitPattern: op.imm) { try branch(op.offset) }
            case .jle64R: if r[d] <= r[s] { try branch(op.offset) }
            case .jset64I: if r[d] & UInt64(bitPattern: op.imm) != 0 { try branch(op.offset) }
            case .jset64R: if r[d] & r[s] != 0 { try branch(op.offset) }
            case .jsgt64I: if Int64(bitPattern: r[d]) > op.imm { try branch(op.offset) }
            case .jsgt64R: if Int64(bitPattern: r[d]) > Int64(bitPattern: r[s]) { try branch(op.offset) }
            case .jsge64I: if Int64(bitPattern: r[d]) >= op.imm { try branch(op.offset) }
            case .jsge64R: if Int64(bitPattern: r[d]) >= Int64(bitPattern: r[s]) { try branch(op.offset) }
            case .jslt64I: if Int64(bitPattern: r[d]) < op.imm { try branch(op.offset) }
            case .jslt64R: if Int64(bitPattern: r[d]) < Int64(bitPattern: r[s]) { try branch(op.offset) }
            case .jsle64I: if Int64(bitPattern: r[d]) <= op.imm { try branch(op.offset) }
            case .jsle64R: if Int64(bitPattern: r[d]) <= Int64(bitPattern: r[s]) { try branch(op.offset) }

            case .jeq32I: if UInt32(truncatingIfNeeded: r[d]) == UInt32(truncatingIfNeeded: op.imm) { try branch(op.offset) }
            case .jeq32R: if UInt32(truncatingIfNeeded: r[d]) == UInt32(truncatingIfNeeded: r[s]) { try branch(op.offset) }
            case .jne32I: if UInt32(truncatingIfNeeded: r[d]) != UInt32(truncatingIfNeeded: op.imm) { try branch(op.offset) }
            case .jne32R: if UInt32(truncatingIfNeeded: r[d]) != UInt32(truncatingIfNeeded: r[s]) { try branch(op.offset) }
            case .jgt32I: if UInt32(truncatingIfNeeded: r[d]) > UInt32(truncatingIfNeeded: op.imm) { try branch(op.offset) }
            case .jgt32R: if UInt32(truncatingIfNeeded: r[d]) > UInt32(truncatingIfNeeded: r[s]) { try branch(op.offset) }
            case .jge32I: if UInt32(truncatingIfNeeded: r[d]) >= UInt32(truncatingIfNeeded: op.imm) { try branch(op.offset) }
            case .jge32R: if UInt32(truncatingIfNeeded: r[d]) >= UInt32(truncatingIfNeeded: r[s]) { try branch(op.offset) }
            case .jlt32I: if UInt32(truncatingIfNeeded: r[d]) < UInt32(truncatingIfNeeded: op.imm) { try branch(op.offset) }
            case .jlt32R: if UInt32(truncatingIfNeeded: r[d]) < UInt32(truncatingIfNeeded: r[s]) { try branch(op.offset) }
            case .jle32I: if UInt32(truncatingIfNeeded: r[d]) <= UInt32(truncatingIfNeeded: op.imm) { try branch(op.offset) }
            case .jle32R: if UInt32(truncatingIfNeeded: r[d]) <= UInt32(truncatingIfNeeded: r[s]) { try branch(op.offset) }
            case .jset32I: if UInt32(truncatingIfNeeded: r[d]) & UInt32(truncatingIfNeeded: op.imm) != 0 { try branch(op.offset) }
            case .jset32R: if UInt32(truncatingIfNeeded: r[d]) & UInt32(truncatingIfNeeded: r[s]) != 0 { try branch(op.offset) }
            case .jsgt32I: if Int32(truncatingIfNeeded: r[d]) > Int32(truncatingIfNeeded: op.imm) { try branch(op.offset) }
            case .jsgt32R: if Int32(truncatingIfNeeded: r[d]) > Int32(truncatingIfNeeded: r[s]) { try branch(op.offset) }
            case .jsge32I: if Int32(truncatingIfNeeded: r[d]) >= Int32(truncatingIfNeeded: op.imm) { try branch(op.offset) }
            case .jsge32R: if Int32(truncatingIfNeeded: r[d]) >= Int32(truncatingIfNeeded: r[s]) { try branch(op.offset) }
            case .jslt32I: if Int32(truncatingIfNeeded: r[d]) < Int32(truncatingIfNeeded: op.imm) { try branch(op.offset) }
            case .jslt32R: if Int32(truncatingIfNeeded: r[d]) < Int32(truncatingIfNeeded: r[s]) { try branch(op.offset) }
            case .jsle32I: if Int32(truncatingIfNeeded: r[d]) <= Int32(truncatingIfNeeded: op.imm) { try branch(op.offset) }
            case .jsle32R: if Int32(truncatingIfNeeded: r[d]) <= Int32(truncatingIfNeeded: r[s]) { try branch(op.offset) }

            case .callHelper, .callRegister:
                let id = op.code == .callHelper ? op.imm : Int64(bitPattern: r[d])
                guard let helper = program.helpers[id] else { throw fault(.unknownHelper(id)) }
                let site = CallbackSite(program: program, frames: frames, depth: depth, instruction: pc - 1)
                runClock.pointee = budget  // its callbacks go on with it
                // The call borrows the environment; it is not read after the helper returns.
                let (result, returned) = withUnsafePointer(to: environment) { borrowed in
                    var call = HelperCall(registers: UnsafePointer(r), memory: mem, environment: borrowed, site: site)
                    return (helper(&call), call)
                }
                budget = runClock.pointee
                var call = returned
                let reports = call.takeReports()
                if let failure = reports.failure { throw fault(.helper(failure)) }
                if let nested = reports.callbackFault { throw nested }
                if let packet = call.packet {
                    mem.packetLow = Machine.address(packet.baseAddress)
                    mem.packetCount = UInt64(packet.count)
                }
                r[0] = result
                if call.exitProgram { return result }
            case .tailCall:
                // On failure the program simply continues, as in the kernel.
                guard tailCalls < VMLimits.maxTailCalls,
                      let target = environment.tailCalls?.program(map: r[2], index: UInt32(truncatingIfNeeded: r[3]))?
                          .takeUnretainedValue()
                else { break }
                tailCalls += 1
                memory = mem
                enterTailCall(target)
                mem = memory
                ops = target.ops.baseAddress!
                pc = 0
                MayGotoClock.enter(MayGotoClock.slot(frames, depth: depth))  // the target's prologue
            case .callLocal:
                guard depth + 1 < VMLimits.maxRunFrames else { throw fault(.callDepth) }
                let frame = frames + depth * Scratch.frameWords
                frame[0] = UInt64(pc)
                frame[1] = UInt64(UInt(bitPattern: ops))
                frame[2] = r[6]; frame[3] = r[7]; frame[4] = r[8]; frame[5] = r[9]
                depth += 1
                let size = UInt64(VMLimits.stackPerFrame)
                mem.stackLow -= size
                mem.stackCount += size
                Machine.pointer(mem.stackLow).initializeMemory(as: UInt8.self, repeating: 0, count: VMLimits.stackPerFrame)
                r[10] = mem.stackLow &+ size
                pc = Int(op.offset)
                MayGotoClock.enter(MayGotoClock.slot(frames, depth: depth))
            case .exit:
                if depth == baseDepth {
                    memory = mem  // a callback's caller adopts packet changes made inside it
                    runClock.pointee = budget
                    return r[0]
                }
                depth -= 1
                let frame = frames + depth * Scratch.frameWords
                pc = Int(frame[0])
                let callerOps = UnsafeMutablePointer<ExecOp>(bitPattern: UInt(frame[1])).unsafelyUnwrapped
                if callerOps != ops {
                    ops = callerOps
                    memory = mem
                    restoreProgram(owning: callerOps)
                    mem = memory
                }
                r[6] = frame[2]; r[7] = frame[3]; r[8] = frame[4]; r[9] = frame[5]
                let size = UInt64(VMLimits.stackPerFrame)
                mem.stackLow += size
                mem.stackCount -= size
                r[10] = mem.stackLow &+ size
            case .unreachable:
                throw fault(.instructionLimit)
            }
        }
    }
}
