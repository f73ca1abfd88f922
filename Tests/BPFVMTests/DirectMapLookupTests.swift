import BPFCore
import BPFVM
import Testing

/// Map lookups the JIT does itself (`DirectMapLookup`): an array's value address computed
/// inline, another map's lookup called straight. Both engines must agree with the helper they
/// stand in for: the same value or null, only the value's bytes reachable (not the padding
/// after it), read-only values refusing writes, and a value still readable after a later
/// helper call, which hands the code's grant to the run's provider.
@Suite struct DirectMapLookupTests {
    /// Four elements of 12 bytes at a stride of 16; byte k of the block holds k.
    final class Storage: @unchecked Sendable {
        let bytes: UnsafeMutableRawBufferPointer
        init() {
            bytes = .allocate(byteCount: 64, alignment: 8)
            for k in 0..<64 { bytes[k] = UInt8(k) }
        }
        deinit { bytes.deallocate() }
        var base: UInt64 { UInt64(UInt(bitPattern: bytes.baseAddress)) }
        static let valueSize = 12, stride = 16, count: UInt32 = 4

        /// Element `key`'s value, as the lookup helper finds it.
        func value(_ key: UInt32) -> UnsafeMutableRawPointer? {
            key < Self.count ? bytes.baseAddress.map { $0 + Int(key) * Self.stride } : nil
        }
    }

    /// The run's provider: allows what a lookup granted, as a runtime's does.
    final class Granted: MemoryRegionProvider, @unchecked Sendable {
        var regions: [MemoryRegion] = []
        func allows(_ address: UInt64, size: UInt64, write: Bool) -> Bool {
            regions.contains { $0.contains(address, size: size, write: write) }
        }
        func grant(_ region: MemoryRegion) { regions.append(region) }
    }

    /// `.call` lookups: element 2 only; counts its calls.
    final class Finder: DirectMapFinder, @unchecked Sendable {
        let storage: Storage
        var calls = 0
        init(_ storage: Storage) { self.storage = storage }
        override func find(_ key: UnsafeRawPointer, userData: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
            calls += 1
            let k = key.loadUnaligned(as: UInt32.self)
            return k == 2 ? storage.value(k) : nil
        }
    }

    struct Resolver: PseudoImmediateResolver {
        let lookup: DirectMapLookup
        func resolve(_ immediate: PseudoImmediate) -> ResolvedImmediate? {
            guard case .mapIndex(0) = immediate else { return nil }
            var resolved = ResolvedImmediate(value: Self.handle)
            resolved.directLookup = lookup
            return resolved
        }
        static let handle: UInt64 = 0x5eed_0001
    }

    /// Counts the helper's calls (the engines' fallbacks).
    final class Counter: @unchecked Sendable { var calls = 0 }

    let storage = Storage()

    func lookup(array: Bool = true, writable: Bool = true, finder: Finder? = nil) -> DirectMapLookup {
        let kind: DirectMapLookup.Kind = array
            ? .array(base: storage.base, stride: Storage.stride, maxEntries: Storage.count) : .call
        return DirectMapLookup(keySize: 4, valueSize: Storage.valueSize, writable: writable, kind: kind,
                               finder: finder ?? Finder(storage))
    }

    /// Loads `program` with helper 1 the lookup the direct one repeats (marked) and helper 2
    /// a no-op; runs it on the interpreter and on the JIT, each with a provider of its own,
    /// and expects the same outcome. Returns it, the JIT's helper-1 calls and its provider.
    func run(_ program: [Instruction], _ direct: DirectMapLookup, onlyArrays: Bool = true)
        throws -> (result: Result<UInt64, VMFault>, helperCalls: Int, granted: Granted) {
        let counter = Counter()
        var options = VerifierOptions()
        options.resolver = Resolver(lookup: direct)
        let storage = storage, writable = direct.writable
        options.helpers.register(1) { [counter] call in
            counter.calls += 1
            guard call.r1 == Resolver.handle,
                  let key = call.bytes(at: call.r2, count: 4, write: false)?.baseAddress,
                  let value = onlyArrays ? storage.value(key.loadUnaligned(as: UInt32.self))
                                         : (key.loadUnaligned(as: UInt32.self) == 2 ? storage.value(2) : nil)
            else { return 0 }
            let region = MemoryRegion(UnsafeMutableRawBufferPointer(start: value, count: Storage.valueSize), writable: writable)
            (call.environment.memory as? Granted)?.grant(region)
            call.granted = region
            return UInt64(UInt(bitPattern: value))
        }
        options.helpers.markDirectMapLookup(1)
        options.helpers.register(2) { _ in 0 }
        options.executor = ExecutorKind.jitAvailable ? .jit : .interpreter
        let loaded = try VMProgram(instructions: program, options: options)
        let interpreted = MemorySafetyTests.run(loaded, on: .interpreter, context: 16, packet: nil,
                                                environment: RunEnvironment(memory: Granted()))
        guard ExecutorKind.jitAvailable else { return (interpreted.result, counter.calls, Granted()) }
        #expect(loaded.isCompiled, "the JIT declined the program")
        counter.calls = 0
        let granted = Granted()
        let jitted = MemorySafetyTests.run(loaded, on: .jit, context: 16, packet: nil, environment: RunEnvironment(memory: granted))
        #expect(jitted.comparable == interpreted.comparable, "JIT \(jitted.result), interpreter \(interpreted.result)")
        return (jitted.result, counter.calls, granted)
    }

    /// `*(u32 *)(r10 - 4) = key; r1 = map; r2 = r10 - 4; call 1`, then `after`.
    func lookupThen(_ key: UInt32, _ after: [Instruction]) -> [Instruction] {
        [Instruction(opcode: 0x62, dst: 10, offset: -4, imm: Int32(bitPattern: key))]
            + Asm.lddw(1, 0, source: 5) + [Asm.movReg(2, 10), Asm.add(2, -4), Asm.call(1)] + after
    }

    /// r0 = byte `offset` of the value, or 0xff for null.
    func readByte(_ offset: Int16) -> [Instruction] {
        [Asm.jne(0, 0, 2), Asm.mov(0, 0xff), Asm.exit, Asm.ldxb(0, 0, offset), Asm.exit]
    }

    func fault(_ result: Result<UInt64, VMFault>) -> VMFault? {
        if case .failure(let f) = result { return f }
        return nil
    }

    @Test func anArrayLookupReturnsTheValueWithoutTheHelper() throws {
        let (result, calls, _) = try run(lookupThen(2, readByte(11)), lookup())
        #expect(try result.get() == 2 * 16 + 11)
        if ExecutorKind.jitAvailable { #expect(calls == 0, "the JIT called the helper") }
    }

    @Test func anIndexPastTheArrayIsNull() throws {
        #expect(try run(lookupThen(4, readByte(0)), lookup()).result.get() == 0xff)
        #expect(try run(lookupThen(0xffff_ffff, readByte(0)), lookup()).result.get() == 0xff)
    }

    @Test func thePaddingAfterTheValueFaults() throws {
        // Byte 12 exists (the stride's padding) but is no part of the value.
        let program = lookupThen(1, readByte(12))
        #expect(fault(try run(program, lookup()).result)?.instruction == program.count - 2)
        #expect(fault(try run(lookupThen(1, readByte(-1)), lookup()).result) != nil)
    }

    @Test func aReadOnlyValueRefusesWrites() throws {
        let program = lookupThen(0, [Asm.jeq(0, 0, 1), Asm.stdw(0, 0, 9), Asm.mov(0, 0), Asm.exit])
        #expect(fault(try run(program, lookup(writable: false)).result)?.instruction == program.count - 3)
        #expect(storage.bytes[0] == 0)
    }

    @Test func aValueStaysReadableAfterAnotherHelperCall() throws {
        // The value in r6 across helper 2: the JIT's grant must reach the provider by then.
        let program = lookupThen(3, [Asm.jeq(0, 0, 3), Asm.movReg(6, 0), Asm.call(2), Asm.ldxb(0, 6, 5), Asm.exit])
        let (result, _, granted) = try run(program, lookup())
        #expect(try result.get() == 3 * 16 + 5)
        if ExecutorKind.jitAvailable { #expect(granted.regions.count == 1) }
    }

    @Test func aValueOnlyR0HoldsIsNotHandedOver() throws {
        // r0 read as a base and compared with 0, then overwritten by helper 2's result: no
        // pointer to the value outlives that call, so the JIT gives the provider nothing.
        let program = lookupThen(3, [Asm.mov(6, 0xff), Asm.jeq(0, 0, 2), Asm.ldxb(6, 0, 5), Asm.add(0, 1), Asm.call(2),
                                     Asm.movReg(0, 6), Asm.exit])
        let (result, _, granted) = try run(program, lookup())
        #expect(try result.get() == 3 * 16 + 5)
        if ExecutorKind.jitAvailable { #expect(granted.regions.isEmpty) }
        // Copied to r7 before the call: handed over.
        let copied = lookupThen(3, [Asm.movReg(7, 0), Asm.call(2), Asm.ldxb(0, 7, 1), Asm.exit])
        let kept = try run(copied, lookup())
        #expect(try kept.result.get() == 3 * 16 + 1)
        if ExecutorKind.jitAvailable { #expect(kept.granted.regions.count == 1) }
    }

    @Test func anAtomicThroughTheValueDoesNotHandItOver() throws {
        // `lock *(u64 *)(r0 + 0) += r6` only changes the value: nothing holds the pointer after
        // helper 2, so the provider receives nothing; the add is done on both engines.
        let added = lookupThen(1, [Asm.mov(6, 5), Asm.jeq(0, 0, 1), Asm.atomicAdd64(0, 0, 6), Asm.call(2), Asm.exit])
        let result = try run(added, lookup())
        _ = try result.result.get()
        if ExecutorKind.jitAvailable { #expect(result.granted.regions.isEmpty) }
        // The pointer itself added to the stack: it escapes, and is handed over.
        let stored = lookupThen(1, [Asm.jeq(0, 0, 1), Asm.atomicAdd64(10, -16, 0), Asm.call(2), Asm.exit])
        let kept = try run(stored, lookup())
        if ExecutorKind.jitAvailable { #expect(kept.granted.regions.count == 1) }
    }

    @Test func twoLookupsLeaveBothValuesReadable() throws {
        let second = [Asm.movReg(6, 0), Instruction(opcode: 0x62, dst: 10, offset: -4, imm: 1)]
            + Asm.lddw(1, 0, source: 5) + [Asm.movReg(2, 10), Asm.add(2, -4), Asm.call(1),
                                           Asm.ldxb(7, 6, 0), Asm.ldxb(0, 0, 0), Asm.addReg(0, 7), Asm.exit]
        #expect(try run(lookupThen(2, second), lookup()).result.get() == 32 + 16)
    }

    @Test func aKeyOutsideTheStackGoesToTheHelper() throws {
        // The key read from the context (0xabababab: past the array): the helper decides.
        let program = [Asm.movReg(2, 1)] + Asm.lddw(1, 0, source: 5) + [Asm.call(1)] + readByte(0)
        let (result, calls, _) = try run(program, lookup())
        #expect(try result.get() == 0xff)
        if ExecutorKind.jitAvailable { #expect(calls == 1) }
    }

    @Test func anotherMapsLookupIsCalledStraight() throws {
        let finder = Finder(storage)
        let direct = lookup(array: false, finder: finder)
        let found = try run(lookupThen(2, readByte(7)), direct, onlyArrays: false)
        #expect(try found.result.get() == 2 * 16 + 7)
        #expect(try run(lookupThen(1, readByte(0)), direct, onlyArrays: false).result.get() == 0xff)
        if ExecutorKind.jitAvailable {
            #expect(found.helperCalls == 0)
            #expect(finder.calls == 2)
        }
        let past = lookupThen(2, readByte(12))
        #expect(fault(try run(past, direct, onlyArrays: false).result)?.instruction == past.count - 2)
    }
}
