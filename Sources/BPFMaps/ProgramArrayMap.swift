import BPFCore
import Synchronization

/// A program held by a program array: the engine's object for it and the id userspace sees.
public struct ProgramReference: Sendable {
    public let id: UInt32
    public let program: any AnyObject & Sendable

    public init(id: UInt32, program: any AnyObject & Sendable) {
        self.id = id
        self.program = program
    }
}

/// BPF_MAP_TYPE_PROG_ARRAY: slots of program references for bpf_tail_call.
///
/// Each slot is one atomic word: the address of the `Entry` it holds (held +1 by the slot), or
/// 0. A tail call reads the word and uses the entry without retaining it, from inside a
/// `RunGrace` period; a writer (under a mutex) swaps the word and retires the old entry, which
/// is released once every run that may have read it has ended, as the kernel's RCU frees a
/// program replaced in a prog array. So a tail call costs one load, and never waits.
public final class ProgramArrayMap: BPFMap, @unchecked Sendable {
    /// What a slot holds.
    public final class Entry: @unchecked Sendable {  // immutable; `object` is what `reference` holds
        public let reference: ProgramReference
        /// `reference.program`, which it holds: for a reader that must not retain it.
        public let object: Unmanaged<AnyObject>
        init(_ reference: ProgramReference) {
            self.reference = reference
            object = Unmanaged.passUnretained(reference.program)
        }
    }

    private let slots: UnsafeMutablePointer<Atomic<UInt>>
    private let slotCount: Int
    private let writer = Mutex<Void>(())
    private let resolver = Mutex<(@Sendable (UInt32) -> ProgramReference?)?>(nil)

    init(spec: MapSpec, possibleCPUs: Int) {
        slotCount = Int(spec.maxEntries)
        slots = .allocate(capacity: max(1, slotCount))
        for index in 0..<slotCount { (slots + index).initialize(to: Atomic(0)) }
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    deinit {
        // No run can be inside: a run's program holds the map it reads.
        for index in 0..<slotCount {
            if let entry = Self.entry(slots[index].load(ordering: .relaxed)) { entry.release() }
        }
        slots.deinitialize(count: slotCount)
        slots.deallocate()
    }

    @inline(__always)
    private static func entry(_ word: UInt) -> Unmanaged<Entry>? {
        UnsafeRawPointer(bitPattern: word).map { Unmanaged<Entry>.fromOpaque($0) }
    }

    /// The entry in slot `index`, unretained; nil when empty or out of range. The caller must
    /// be inside a `RunGrace` period (`GraceReader.enter`) and may use the entry until it
    /// leaves: what bpf_tail_call jumps to.
    @inline(__always)
    public func borrowedEntry(at index: UInt32) -> Unmanaged<Entry>? {
        guard Int(index) < slotCount else { return nil }
        // Sequentially consistent (a plain load on x86-64): ordered after the reader's entry.
        return Self.entry(slots[Int(index)].load(ordering: .sequentiallyConsistent))
    }

    /// Whether slot `index` holds a program now: read before a reader enters its grace period,
    /// so a tail call into an empty slot costs one load.
    @inline(__always)
    public func isFilled(_ index: UInt32) -> Bool {
        Int(index) < slotCount && slots[Int(index)].load(ordering: .relaxed) != 0
    }

    /// The program in slot `index`, nil when empty or out of range (userspace: read under the
    /// writers' lock, so the entry cannot be retired while it is copied).
    public func program(at index: UInt32) -> ProgramReference? {
        writer.withLock { _ in
            borrowedEntry(at: index)?._withUnsafeGuaranteedRef { $0.reference }
        }
    }

    /// The value of a userspace update is a program file descriptor; this turns one into a program
    /// (nil: not a program, EBADF). Without a resolver every descriptor is bad.
    public func setDescriptorResolver(_ resolve: (@Sendable (UInt32) -> ProgramReference?)?) {
        resolver.withLock { $0 = resolve }
    }

    /// Puts `program` in slot `index` (nil empties it): the update the kernel makes for a program fd.
    /// Only BPF_ANY is accepted, as for every fd array.
    public func setProgram(_ program: ProgramReference?, at index: UInt32, flags: UInt64 = MapUpdateFlags.any) throws(MapError) {
        try checkUpdate(at: index, flags: flags)
        try replace(index, with: program)
    }

    /// What the kernel checks of an update before it looks at the value's fd: the flags, then
    /// the index.
    public func checkUpdate(at index: UInt32, flags: UInt64) throws(MapError) {
        guard flags == MapUpdateFlags.any else { throw MapError(.EINVAL, "program arrays take only BPF_ANY") }
        guard index < maxEntries else { throw MapError(.E2BIG, "index \(index) is past max_entries") }
    }

    private func replace(_ index: UInt32, with program: ProgramReference?, mustExist: Bool = false) throws(MapError) {
        let fresh = program.map { UInt(bitPattern: Unmanaged.passRetained(Entry($0)).toOpaque()) } ?? 0
        let old: UInt? = writer.withLock { _ in
            let slot = slots + Int(index)
            if mustExist, slot.pointee.load(ordering: .relaxed) == 0 { return nil }
            return slot.pointee.exchange(fresh, ordering: .sequentiallyConsistent)
        }
        guard let old else { throw MapError(.ENOENT, "slot \(index) is empty") }
        // Runs inside may still be in the old program: released after their grace period.
        if let entry = Self.entry(old) { RunGrace.retire(entry.takeRetainedValue()) }
    }

    public override var userValueSize: Int { 4 }

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        let index = key.withPointer { $0.loadUnaligned(as: UInt32.self) }
        guard let entry = program(at: index) else { throw MapError(.ENOENT, "slot \(index) is empty") }
        return ArrayMap.bytes(entry.id)
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        let index = key.withPointer { $0.loadUnaligned(as: UInt32.self) }
        guard flags == MapUpdateFlags.any else { throw MapError(.EINVAL, "program arrays take only BPF_ANY") }
        guard index < maxEntries else { throw MapError(.E2BIG, "index \(index) is past max_entries") }
        let fd = value.withPointer { $0.loadUnaligned(as: UInt32.self) }
        guard let program = resolver.withLock({ $0 })?(fd) else { throw MapError(.EBADF, "\(fd) is not a program") }
        try replace(index, with: program)
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        let index = key.withPointer { $0.loadUnaligned(as: UInt32.self) }
        guard index < maxEntries else { throw MapError(.E2BIG, "index \(index) is past max_entries") }
        try replace(index, with: nil, mustExist: true)
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        try ArrayMap.nextIndexKey(after: key, maxEntries: maxEntries)
    }
}
