import Atomics
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
/// Tail calls read an immutable snapshot through one atomic load; writers copy the table under a
/// mutex and publish the copy, so a tail call never waits for an update.
public final class ProgramArrayMap: BPFMap, @unchecked Sendable {
    private final class Table: AtomicReference, Sendable {
        let slots: [ProgramReference?]
        init(_ slots: [ProgramReference?]) { self.slots = slots }
    }

    private let table: ManagedAtomic<Table>
    private let writer = Mutex<Void>(())
    private let resolver = Mutex<(@Sendable (UInt32) -> ProgramReference?)?>(nil)

    init(spec: MapSpec, possibleCPUs: Int) {
        table = ManagedAtomic(Table([ProgramReference?](repeating: nil, count: Int(spec.maxEntries))))
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    /// The value of a userspace update is a program file descriptor; this turns one into a program
    /// (nil: not a program, EBADF). Without a resolver every descriptor is bad.
    public func setDescriptorResolver(_ resolve: (@Sendable (UInt32) -> ProgramReference?)?) {
        resolver.withLock { $0 = resolve }
    }

    /// The program in slot `index`, nil when empty or out of range: what bpf_tail_call jumps to.
    @inline(__always)
    public func program(at index: UInt32) -> ProgramReference? {
        let slots = table.load(ordering: .acquiring).slots
        return index < slots.count ? slots[Int(index)] : nil
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
        let result: MapError? = writer.withLock { _ in
            var slots = table.load(ordering: .acquiring).slots
            if mustExist, slots[Int(index)] == nil { return MapError(.ENOENT, "slot \(index) is empty") }
            slots[Int(index)] = program
            table.store(Table(slots), ordering: .releasing)
            return nil
        }
        if let result { throw result }
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
