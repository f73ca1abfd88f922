import BPFCore
import BPFMaps
import BPFVM
#if canImport(Glibc)
import Glibc
#endif
import TCRuntime
import Testing

/// Every helper (and every kfunc, which sits in the same table) called with hostile registers:
/// `r1..r5 = values; call id; exit`, on a program type loaded with the run-time checks only, so
/// no path analysis keeps the values from the helper. The project's rule is that a helper is safe
/// for any register values (the verifier could be wrong): each call returns or stops the program
/// with a fault; none traps, hangs or allocates what a size register asks for.
///
/// A trap kills the test process: `HELPERFUZZ_TRACE=1` writes each call to stderr before it runs,
/// so the last line names the culprit.
@Suite struct HelperHostileRegisterTests {
    /// The run-time checks alone (see `SKBHelperSafetyTests.unanalysed`).
    static let unanalysed = ProgramType(rawValue: 2)

    /// An IPv4/TCP frame, so the packet helpers have headers to work on.
    static let packet: [UInt8] = {
        var frame = [UInt8](repeating: 0, count: 74)
        frame[12] = 0x08
        frame[14] = 0x45
        frame[17] = 60
        frame[22] = 64
        frame[23] = 6
        frame[26...29] = [10, 0, 0, 1]
        frame[30...33] = [10, 0, 0, 2]
        frame[46] = 0x50
        return frame
    }()

    /// One register's value: a number, or a pointer the program really holds.
    enum Argument: Hashable, CustomStringConvertible {
        case value(UInt64)
        /// r10 minus this many bytes.
        case stack(Int32)
        case context
        /// The packet's first byte, plus this many bytes.
        case packet(Int32)
        /// The program's map with this index (`lddw src=5`).
        case map(Int32)
        /// A pointer into the value of the program's map with this index, at this offset
        /// (`lddw src=6`; the map must be an array).
        case mapValue(Int32, offset: Int32)
        /// The program's callback (`lddw src=4`): `r0 = 0; exit`, so a loop keeps going.
        case function
        /// What the previous call returned (a map value, a ring buffer record, a socket).
        case result

        var description: String {
            switch self {
            case .value(let value): "0x" + String(value, radix: 16)
            case .stack(let below): "fp-\(below)"
            case .context: "ctx"
            case .packet(let offset): "pkt+\(offset)"
            case .map(let index): "map\(index)"
            case .mapValue(let index, let offset): "map\(index)value+\(offset)"
            case .function: "callback"
            case .result: "r0"
            }
        }
    }

    /// The numbers the brief asks for: zero and small, the powers of two around the 8-, 16-,
    /// 32- and 64-bit edges, and negative sizes.
    static let numbers: [UInt64] = [
        0, 1, 7, 8, 0xff, 0xffff, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 1 << 32, 1 << 63, .max,
        UInt64(bitPattern: -8), UInt64(bitPattern: -512),
    ]
    static let pointers: [Argument] = [.stack(8), .stack(16), .stack(64), .stack(256), .stack(512), .context, .packet(0), .packet(14), .function]
    static let grid: [Argument] = numbers.map { .value($0) } + pointers

    /// Every helper and kfunc the SCHED_CLS table holds, but __bpf_trap: every call of it is
    /// refused at load, as the kernel refuses it (it is only the compiler's mark of unreachable code).
    static let helperIDs: [Int32] = {
        let table = TCHelpers.table()
        return (0..<Int32(1 << 16)).filter { table.contains($0) && $0 != KfuncTable.helperID(.bpfTrap) }
    }()

    /// bpf_send_signal(_thread) signal this process, as the kernel signals the test-run's
    /// caller: a real signal number would stop the test runner, so those get only r1 = 0 or a
    /// number above _NSIG (their refusals).
    static let signalHelpers: Set<Int32> = [109, 117]

    /// The program: the context kept in r6 and the packet's start in r7, the arguments set,
    /// the call, and its result returned. Without the path analysis a load of `__sk_buff.data`
    /// gives no packet pointer, so r7 comes from a writable dynptr slice of the skb (a pointer
    /// into the packet itself); the dynptr sits at fp-16, before any argument points there.
    static func program(_ id: Int32, _ arguments: [Argument], fill: UInt64? = nil) -> [Instruction] {
        program([(id, arguments)], fill: fill)
    }

    /// Other frames for the random calls: an Ethernet header alone, a VLAN-tagged one, an IPv6
    /// header with nothing after it, and the largest frame test-run takes.
    static let otherPackets: [[UInt8]] = {
        var vlan = [UInt8](repeating: 0, count: 64)
        vlan[12] = 0x81
        vlan[16] = 0x08
        var ipv6 = [UInt8](repeating: 0, count: 54)
        ipv6[12] = 0x86
        ipv6[13] = 0xdd
        ipv6[14] = 0x60
        ipv6[20] = 59
        var largest = packet + [UInt8](repeating: 0xa5, count: TCTestRun.maxPacket - packet.count)
        largest[16...17] = [UInt8(truncatingIfNeeded: (largest.count - 14) >> 8), UInt8(truncatingIfNeeded: largest.count - 14)]
        return [[UInt8](repeating: 0xff, count: 14), vlan, ipv6, largest]
    }()

    /// Calls one after another; `.result` passes the previous call's r0 (kept in r8).
    static func program(_ calls: [(id: Int32, arguments: [Argument])], fill: UInt64? = nil,
                        packetLength: Int = packet.count) -> [Instruction] {
        var code = [
            Asm.movReg(6, 1), Asm.mov(2, 0), Asm.movReg(3, 10), Asm.add(3, -16),
            Asm.call(KfuncTable.helperID(.dynptrFromSKB)),
            Asm.movReg(1, 10), Asm.add(1, -16), Asm.mov(2, 0), Asm.mov(3, 0), Asm.mov(4, Int32(packetLength)),
            Asm.call(KfuncTable.helperID(.dynptrSliceReadWrite)),
            Asm.movReg(7, 0), Asm.mov(8, 0),
        ]
        if let fill {
            // The whole stack set to one 8-byte pattern: what a pointer argument points at is
            // then forged state (a dynptr, an iterator, a timer), as a wrong verifier would let in.
            code += Asm.lddw(0, Int32(truncatingIfNeeded: fill), high: Int32(truncatingIfNeeded: fill >> 32))
            code += (1...64).map { Asm.store(8, 10, Int16(-8 * $0), 0) }
        }
        var callbackLoads: [(index: Int, register: UInt8)] = []
        for (id, arguments) in calls {
            for (index, argument) in arguments.enumerated() {
                let register = UInt8(index + 1)
                switch argument {
                case .value(let value):
                    code += Asm.lddw(register, Int32(truncatingIfNeeded: value), high: Int32(truncatingIfNeeded: value >> 32))
                case .stack(let below):
                    code += [Asm.movReg(register, 10), Asm.add(register, -below)]
                case .context:
                    code += [Asm.movReg(register, 6)]
                case .packet(let offset):
                    code += [Asm.movReg(register, 7), Asm.add(register, offset)]
                case .map(let index):
                    code += Asm.lddw(register, src: 5, index)
                case .mapValue(let index, let offset):
                    code += Asm.lddw(register, src: 6, index, high: offset)
                case .function:
                    callbackLoads.append((code.count, register))
                    code += Asm.lddw(register, src: 4, 0)
                case .result:
                    code += [Asm.movReg(register, 8)]
                }
            }
            code += [Asm.call(id), Asm.movReg(8, 0)]
        }
        code += [Asm.exit]
        // The callback after the main program; each lddw names it relative to its next slot.
        for (index, register) in callbackLoads {
            code[index] = Asm.lddw(register, src: 4, Int32(code.count - index - 1))[0]
        }
        return callbackLoads.isEmpty ? code : code + [Asm.mov(0, 0), Asm.exit]
    }

    /// What the calls did, for the expectations and the report.
    struct Tally {
        var calls = 0
        var returned = 0
        var faulted = 0
        var refusedLoads: [String] = []
        var slowest: (call: String, seconds: Double) = ("", 0)
        var otherFailures: [String] = []
    }

    static let tracing = getenv("HELPERFUZZ_TRACE") != nil

    static func trace(_ line: String) {
        guard tracing else { return }
        let text = line + "\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
    }

    static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Runs one call; a fault is a clean result, as is any return value.
    static func call(_ id: Int32, _ arguments: [Argument], fill: UInt64? = nil, maps: [BPFMap] = [],
                     on frame: [UInt8] = packet, executor: ExecutorKind, into tally: inout Tally) {
        call([(id, arguments)], fill: fill, maps: maps, on: frame, executor: executor, into: &tally)
    }

    static func call(_ calls: [(id: Int32, arguments: [Argument])], fill: UInt64? = nil, maps: [BPFMap] = [],
                     on frame: [UInt8] = packet, executor: ExecutorKind, into tally: inout Tally) {
        let name = "\(executor) " + calls.map { id, arguments in
            "\(TCHelpers.table().name(of: id) ?? "?")(\(id)) " + arguments.map(\.description).joined(separator: " ")
        }.joined(separator: "; ") + (fill.map { " stack=0x" + String($0, radix: 16) } ?? "")
            + (frame.count == packet.count ? "" : " frame=\(frame.count)")
        trace(name)
        tally.calls += 1
        let program: TCProgram
        do {
            program = try TCProgram(instructions: Self.program(calls, fill: fill, packetLength: frame.count), maps: maps,
                                    type: unanalysed, executor: executor)
        } catch {
            tally.refusedLoads.append("\(name): \(error)")
            trace("  refused: \(error)")
            return
        }
        let start = seconds()
        do {
            _ = try TCTestRun.run(program, packet: frame, runner: TCProgramRunner(executor: executor))
            tally.returned += 1
        } catch .fault(let fault) {
            tally.faulted += 1
            trace("  fault: \(fault)")
        } catch {
            tally.otherFailures.append("\(name): \(error)")
        }
        let elapsed = seconds() - start
        if elapsed > tally.slowest.seconds { tally.slowest = (name, elapsed) }
    }

    /// The arguments of grid call `round` for a helper: register i takes grid[(round + 5i) mod n],
    /// so over n rounds each register sees every grid entry once, beside different neighbours.
    static func gridArguments(round: Int) -> [Argument] {
        (0..<5).map { grid[(round + 5 * $0) % grid.count] }
    }

    /// A random register: a grid entry, a pointer with a random offset, or a random number
    /// (often a small one, since sizes and flags live there).
    static func randomArgument(_ random: inout SplitMix64) -> Argument {
        let pick = random.next()
        switch pick % 7 {
        case 0, 1: return grid[Int((pick >> 8) % UInt64(grid.count))]
        case 2: return .stack(Int32(1 + (pick >> 8) % 512))
        case 3: return .packet(Int32((pick >> 8) % 80))
        case 4: return .value((pick >> 8) % 600)
        // A power of two, or one either side of it: the edges of sizes and limits (a page,
        // 64 KiB, a dynptr's 16 MiB, 4 GiB).
        case 5: return .value((1 << ((pick >> 8) % 40)) &+ ((pick >> 16) % 3) &- 1)
        default: return .value(random.next())
        }
    }

    /// The arguments as called: a signal helper's r1 kept to a number it refuses.
    static func arguments(for id: Int32, _ arguments: [Argument]) -> [Argument] {
        guard signalHelpers.contains(id) else { return arguments }
        if case .value(let signal) = arguments[0], UInt32(truncatingIfNeeded: signal) > 64 || UInt32(truncatingIfNeeded: signal) == 0 {
            return arguments
        }
        return [.value(65)] + arguments.dropFirst()
    }

    /// Both executors where the JIT exists; `HELPERFUZZ_EXECUTOR=jit` or `=interpreter` keeps one
    /// (so a trace names one executor's calls only).
    static var executors: [ExecutorKind] {
        if let value = getenv("HELPERFUZZ_EXECUTOR"), let kind = ExecutorKind(rawValue: String(cString: value)) { return [kind] }
        return ExecutorKind.jitAvailable ? [.jit, .interpreter] : [.interpreter]
    }

    static func maxResidentKilobytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss
    }

    /// The table holds the helpers and kfuncs this suite is meant to reach.
    @Test func enumeratesTheTable() {
        let ids = Self.helperIDs
        #expect(ids.contains(1) && ids.contains(6) && ids.contains(165) && ids.contains(209))
        #expect(ids.contains { KfuncTable.kfunc(helper: $0) != nil }, "kfuncs sit in the same table")
    }

    /// The programs' pointers are real: r7 is the packet (a write through it lands in the
    /// packet), and a pointer argument reaches the helper as the program's own memory.
    @Test(arguments: executors)
    func pointerArgumentsAreTheProgramsOwn(_ executor: ExecutorKind) throws {
        var code = Self.program(0, [.packet(14), .value(0x5a), .context, .stack(8), .value(0)])
        code.removeLast(3)  // the call, r8 = r0, exit
        code += [Asm.store(1, 7, 15, 2), Asm.storeImm(8, 4, 0, 7), Asm.load(8, 0, 4, 0), Asm.exit]
        let loaded = try TCProgram(instructions: code, type: Self.unanalysed, executor: executor)
        let result = try TCTestRun.run(loaded, packet: Self.packet, runner: TCProgramRunner(executor: executor))
        #expect(result.packet[15] == 0x5a)
        #expect(result.returnValue == 7)
    }

    /// Every helper and kfunc on the grid, then a seeded random sweep, on each executor: no
    /// call traps (the process would die), hangs, or lets the process grow by a size it was
    /// handed.
    @Test(arguments: executors)
    func everyHelperSurvivesHostileRegisters(_ executor: ExecutorKind) {
        let before = Self.maxResidentKilobytes()
        var tally = Tally()
        for id in Self.helperIDs {
            for round in 0..<Self.grid.count {
                Self.call(id, Self.arguments(for: id, Self.gridArguments(round: round)), executor: executor, into: &tally)
                // Again over a stack of one hostile number (the zero stack was the first pass).
                let fill = Self.numbers[1 + round % (Self.numbers.count - 1)]
                Self.call(id, Self.arguments(for: id, Self.gridArguments(round: round)), fill: fill, executor: executor, into: &tally)
            }
            // The callback where callbacks go (bpf_loop's, the callback kfuncs' r2), beside grid values.
            for round in 0..<4 {
                var arguments = Self.gridArguments(round: round * 6)
                arguments[1] = .function
                Self.call(id, Self.arguments(for: id, arguments), executor: executor, into: &tally)
            }
        }
        var random = SplitMix64(seed: 0x7463_7866_757a_7a01 ^ Self.seed)
        for _ in 0..<Self.randomCalls {
            let id = Self.helperIDs[Int(random.next() % UInt64(Self.helperIDs.count))]
            let arguments = (0..<5).map { _ in Self.randomArgument(&random) }
            let pick = random.next()
            let fill: UInt64? = pick % 3 == 0 ? nil : pick % 3 == 1 ? Self.numbers[Int(pick >> 8) % Self.numbers.count] : random.next()
            // Half on the usual frame, half on the others (the packet pointer then spans that frame).
            let frames = Self.otherPackets.count
            let frame = (pick >> 16) % 2 == 0 ? Self.packet : Self.otherPackets[Int((pick >> 17) % UInt64(frames))]
            Self.call(id, Self.arguments(for: id, arguments), fill: fill, on: frame, executor: executor, into: &tally)
        }
        let grown = Self.maxResidentKilobytes() - before
        Self.trace("\(executor): \(tally.calls) calls, \(tally.returned) returned, \(tally.faulted) faulted, "
                   + "slowest \(tally.slowest.call) \(tally.slowest.seconds) s, peak grew \(grown) KiB")
        #expect(tally.refusedLoads.isEmpty, "\(tally.refusedLoads.prefix(5))")
        #expect(tally.otherFailures.isEmpty, "\(tally.otherFailures.prefix(5))")
        #expect(tally.returned + tally.faulted == tally.calls)
        // A hang shows as a call that never ends; this bound catches a slow one. The slowest
        // expected is a spin lock on a forged, held lock word: it gives up after its 10 million
        // tries (well under 1 s on an idle machine, seconds when its sched_yield()s compete with
        // builds), where the kernel gives up after 250 ms.
        #expect(tally.slowest.seconds < Self.slowestAllowed, "\(tally.slowest.call) took \(tally.slowest.seconds) s")
        #expect(grown < 256 * 1024, "the process's peak grew by \(grown) KiB")
    }

    static let randomCalls = 1000 * scale
    static let slowestAllowed = 20.0

    /// A deeper hunt than the suite's few seconds: `HELPERFUZZ_SCALE=20` multiplies the random
    /// calls and sequences, `HELPERFUZZ_SEED=n` changes the seeds (the defaults are the suite's).
    static let scale = max(1, getenv("HELPERFUZZ_SCALE").flatMap { Int(String(cString: $0)) } ?? 1)
    static let seed = getenv("HELPERFUZZ_SEED").flatMap { UInt64(String(cString: $0)) } ?? 0

    /// Two or three calls in one program, each free to take what the one before returned (a
    /// map value, a ring buffer record, a socket, an object) or a pointer a resize made stale
    /// (r7 after a packet helper moved the packet): seeded, half of them opening with a map
    /// helper on a real map so there is something to pass on.
    @Test(arguments: executors)
    func callSequencesSurviveHostileResults(_ executor: ExecutorKind) {
        let maps = Self.maps()
        var tally = Tally()
        var random = SplitMix64(seed: 0x7463_7866_757a_7a02 ^ Self.seed)
        for _ in 0..<Self.sequences {
            var calls: [(id: Int32, arguments: [Argument])] = []
            for position in 0..<Int(2 + random.next() % 2) {
                let opensWithMap = position == 0 && random.next() % 2 == 0
                let ids = opensWithMap ? Self.mapHelperIDs : Self.helperIDs
                let id = ids[Int(random.next() % UInt64(ids.count))]
                var arguments = (0..<5).map { _ -> Argument in
                    random.next() % 4 == 0 && position > 0 ? .result : Self.randomArgument(&random)
                }
                if opensWithMap { arguments[0] = .map(Int32(random.next() % UInt64(maps.count))) }
                calls.append((id, Self.arguments(for: id, arguments)))
            }
            let pick = random.next()
            let frame = pick % 2 == 0 ? Self.packet : Self.otherPackets[Int((pick >> 1) % UInt64(Self.otherPackets.count))]
            Self.call(calls, maps: maps, on: frame, executor: executor, into: &tally)
        }
        Self.trace("\(executor) sequences: \(tally.calls) programs, \(tally.returned) returned, \(tally.faulted) faulted, "
                   + "slowest \(tally.slowest.call) \(tally.slowest.seconds) s")
        let unexpected = tally.refusedLoads.filter { !$0.contains("cannot pass map_type") && !$0.contains("write into map forbidden") }
        #expect(unexpected.isEmpty, "\(unexpected.prefix(5))")
        #expect(tally.otherFailures.isEmpty, "\(tally.otherFailures.prefix(5))")
        #expect(tally.slowest.seconds < Self.slowestAllowed, "\(tally.slowest.call) took \(tally.slowest.seconds) s")
    }

    static let sequences = 1500 * scale

    /// One map of each kind the helpers take (those the embedded backend creates): a helper
    /// handed a real map then meets hostile keys, values, sizes and flags, not just "not a map".
    static func maps() -> [BPFMap] {
        let specs: [MapSpec] = [
            MapSpec(name: "array", type: .array, keySize: 4, valueSize: 64, maxEntries: 4),
            MapSpec(name: "hash", type: .hash, keySize: 4, valueSize: 8, maxEntries: 16),
            MapSpec(name: "lru", type: .lruHash, keySize: 4, valueSize: 8, maxEntries: 16),
            MapSpec(name: "percpu", type: .percpuArray, keySize: 4, valueSize: 8, maxEntries: 4),
            MapSpec(name: "percpuhash", type: .percpuHash, keySize: 4, valueSize: 8, maxEntries: 16),
            MapSpec(name: "progs", type: .progArray, keySize: 4, valueSize: 4, maxEntries: 4),
            MapSpec(name: "events", type: .perfEventArray, keySize: 4, valueSize: 4, maxEntries: 2),
            MapSpec(name: "lpm", type: .lpmTrie, keySize: 8, valueSize: 8, maxEntries: 16, flags: MapFlags.noPrealloc),
            MapSpec(name: "queue", type: .queue, keySize: 0, valueSize: 8, maxEntries: 8),
            MapSpec(name: "stack", type: .stack, keySize: 0, valueSize: 8, maxEntries: 8),
            MapSpec(name: "bloom", type: .bloomFilter, keySize: 0, valueSize: 8, maxEntries: 16),
            MapSpec(name: "ring", type: .ringbuf, keySize: 0, valueSize: 0, maxEntries: 4096),
            MapSpec(name: "userring", type: MapType(rawValue: 31), keySize: 0, valueSize: 0, maxEntries: 4096),
            MapSpec(name: "cgroups", type: MapType(rawValue: 8), keySize: 4, valueSize: 4, maxEntries: 2),
            MapSpec(name: "devices", type: MapType(rawValue: 14), keySize: 4, valueSize: 4, maxEntries: 4),
        ]
        return specs.compactMap { try? BPFMap.create($0, possibleCPUs: 2) }
    }

    /// The helpers that take a map (or a map value): by name, so a new one is picked up.
    static let mapHelperIDs: [Int32] = {
        let table = TCHelpers.table()
        let words = ["map", "ringbuf", "storage", "perf_event", "timer", "cgroup", "spin_lock", "for_each", "kptr"]
        return helperIDs.filter { id in
            guard let name = table.name(of: id) else { return false }
            return words.contains { name.contains($0) }
        }
    }()

    /// The helpers that take a map, each given every map in r1 (and in r2, after the context,
    /// for those whose map comes second) with grid values in the other registers, over a zeroed
    /// and a forged stack; the array's value is among the pointers.
    @Test(arguments: executors)
    func mapHelpersSurviveHostileRegisters(_ executor: ExecutorKind) {
        let maps = Self.maps()
        #expect(maps.count >= 12, "the maps the embedded backend creates: \(maps.map(\.spec.name))")
        var tally = Tally()
        let rounds = 4
        for id in Self.mapHelperIDs {
            for index in maps.indices {
                let map = Argument.map(Int32(index))
                for round in 0..<rounds {
                    var others = Self.gridArguments(round: round * 3)
                    if round % 3 == 1 { others[1] = .mapValue(0, offset: Int32(round * 4)) }
                    if round == 2 { others[0] = .function }  // for_each_map_elem's, user_ringbuf_drain's
                    let fill: UInt64? = round % 2 == 0 ? nil : Self.numbers[round % Self.numbers.count]
                    Self.call(id, [map] + others.prefix(4), fill: fill, maps: maps, executor: executor, into: &tally)
                    if round == 1 {
                        Self.call(id, [.context, map] + others.prefix(3), fill: fill, maps: maps, executor: executor, into: &tally)
                    }
                }
            }
        }
        Self.trace("\(executor) maps: \(tally.calls) calls, \(tally.returned) returned, \(tally.faulted) faulted, "
                   + "slowest \(tally.slowest.call) \(tally.slowest.seconds) s")
        // The structural checks still refuse a map the helper never takes, with the kernel's
        // words (check_map_func_compatibility; a device map is not the program's to write).
        let unexpected = tally.refusedLoads.filter { !$0.contains("cannot pass map_type") && !$0.contains("write into map forbidden") }
        #expect(unexpected.isEmpty, "\(unexpected.prefix(5))")
        #expect(tally.otherFailures.isEmpty, "\(tally.otherFailures.prefix(5))")
        #expect(tally.returned > tally.calls / 4, "calls on a real map get past the map check")
        #expect(tally.slowest.seconds < Self.slowestAllowed, "\(tally.slowest.call) took \(tally.slowest.seconds) s")
    }
}
