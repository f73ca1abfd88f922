/// Finds the program a tail call jumps to: `bpf_tail_call(ctx, map, index)`.
/// A class, so a `RunEnvironment` copy (one per helper call) retains it rather than copying
/// an opaque existential through its value witnesses.
public protocol TailCallResolver: AnyObject {
    /// The program in slot `index` of the program array `map`, nil when empty or out of range.
    /// Unretained (a retain per tail call was most of its cost): the resolver keeps it alive
    /// until the run ends, as the kernel's RCU keeps a replaced program until its readers leave.
    func program(map: UInt64, index: UInt32) -> Unmanaged<VMProgram>?
    /// `program` callable without a retain, when the resolver gives one: the JIT's tail call
    /// asks it instead (calling the existential copied it, a retain and a release per tail call).
    var directTailCalls: DirectTailCalls? { get }
}

extension TailCallResolver {
    public var directTailCalls: DirectTailCalls? { nil }
}

/// A resolver's `program(map:index:)` as a C function and its context (the resolver, unretained:
/// the run's environment holds it).
public struct DirectTailCalls {
    public typealias Function = @convention(c) (UnsafeRawPointer, UInt64, UInt32) -> UnsafeRawPointer?
    public let function: Function
    public let context: UnsafeRawPointer

    public init(function: Function, context: UnsafeRawPointer) {
        self.function = function
        self.context = context
    }

    func program(map: UInt64, index: UInt32) -> Unmanaged<VMProgram>? {
        function(context, map, index).map { Unmanaged<VMProgram>.fromOpaque($0) }
    }
}

/// Memory a run may access beyond its stack, context, packet and the program's load-time
/// regions, such as map values a helper handed out. Consulted only when the fast checks fail.
public protocol MemoryRegionProvider: AnyObject {
    func allows(_ address: UInt64, size: UInt64, write: Bool) -> Bool
    /// Bytes the run may read whose contents stay as they are until the program next calls a
    /// helper or stores to its context (guarded or not), or none (count 0): an `allows` for a
    /// read must leave them as they are. The JIT reads probe loads inside them without asking;
    /// asked after a probe load.
    var probeWindow: UnsafeRawBufferPointer { get }
    /// Allows `region` from now on as a helper's grant: a map value the JIT looked up itself
    /// (`DirectMapLookup`), handed over when its inline check ends (at the next helper call).
    func grant(_ region: MemoryRegion)
    /// `allows` as a C function of an unretained pointer to the provider, or nil (then the
    /// JIT calls `allows`). Asked once per run set-up: calling the existential the JIT keeps
    /// unretained copies it, a retain and a release per guarded access.
    var directAllows: DirectAllows? { get }
    /// `probeWindow` as a C function of an unretained pointer to the provider, or nil (then
    /// the JIT asks `probeWindow`). Asked once per run set-up, as `directAllows` is: asking
    /// the existential after each probe load was a retain and a release.
    var directProbeWindow: DirectProbeWindow? { get }
}

/// A provider's `allows` the JIT's check calls without retaining it: `function(context, ...)`.
/// The provider keeps `context` valid as long as the runs it is the provider of.
public struct DirectAllows {
    public typealias Function = @convention(c) (UnsafeRawPointer, UInt64, UInt64, Bool) -> Bool
    public let function: Function
    public let context: UnsafeRawPointer

    public init(function: Function, context: UnsafeRawPointer) {
        self.function = function
        self.context = context
    }
}

/// A provider's `probeWindow` the JIT's probe-load thunk calls without retaining it:
/// `function(context, &count)` gives the window's start (0 for none) and writes its size.
/// The provider keeps `context` valid as long as the runs it is the provider of.
public struct DirectProbeWindow {
    public typealias Function = @convention(c) (UnsafeRawPointer, UnsafeMutablePointer<UInt64>) -> UInt64
    public let function: Function
    public let context: UnsafeRawPointer

    public init(function: Function, context: UnsafeRawPointer) {
        self.function = function
        self.context = context
    }
}

extension MemoryRegionProvider {
    public var probeWindow: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }
    public var directAllows: DirectAllows? { nil }
    public var directProbeWindow: DirectProbeWindow? { nil }
    /// Runtimes whose resolvers give no `DirectMapLookup` are never asked.
    public func grant(_ region: MemoryRegion) {}
}

/// Per-run services: where tail calls go, extra memory, and an opaque pointer for helpers.
public struct RunEnvironment {
    public var tailCalls: (any TailCallResolver)? {
        didSet { directTailCalls = tailCalls?.directTailCalls }
    }
    /// `tailCalls.directTailCalls`, read once.
    private(set) var directTailCalls: DirectTailCalls?
    public var memory: (any MemoryRegionProvider)? {
        didSet { readMemoryOnce() }
    }
    /// `memory` and its direct entries, read once: a JIT run that read them from `memory` at
    /// its start copied the existential twice (two retains and releases per run or frame).
    unowned(unsafe) private(set) var unretainedMemory: (any MemoryRegionProvider)?
    private(set) var directAllows: DirectAllows?
    private(set) var directProbeWindow: DirectProbeWindow?
    /// Whatever the embedder's helpers need (the skb being processed, say).
    public var userData: UnsafeMutableRawPointer?
    /// When set, accesses to the context are not allowed by the fast check: `memory` decides
    /// each one (a context with per-field rules, like `__sk_buff`).
    public var guardsContext: Bool

    public init(tailCalls: (any TailCallResolver)? = nil, memory: (any MemoryRegionProvider)? = nil,
                userData: UnsafeMutableRawPointer? = nil, guardsContext: Bool = false) {
        self.tailCalls = tailCalls
        directTailCalls = tailCalls?.directTailCalls
        self.memory = memory
        self.userData = userData
        self.guardsContext = guardsContext
        readMemoryOnce()
    }

    private mutating func readMemoryOnce() {
        unretainedMemory = memory
        directAllows = memory?.directAllows
        directProbeWindow = memory?.directProbeWindow
    }
}

/// The memory one run may touch; every load, store and helper pointer is checked against it.
public struct RunMemory {
    /// The frames in use: the entry frame and every caller of the current function.
    var stackLow: UInt64
    var stackCount: UInt64
    /// The context block; `fastContextCount` is its size, or 0 when `extra` guards it.
    public let contextLow: UInt64, contextCount: UInt64
    let fastContextCount: UInt64
    /// The packet: `[packetLow, packetLow + packetCount)`; helpers that resize or move the
    /// packet change it through `HelperCall.packet`.
    public internal(set) var packetLow: UInt64, packetCount: UInt64
    var regions: UnsafeBufferPointer<MemoryRegion>
    /// Not retained: the run's `RunEnvironment` holds it for as long as any copy of this lives
    /// (a machine keeps its environment; helper calls and callbacks live inside the machine's
    /// run). That keeps `RunMemory` plain data: the interpreter copies it freely, and a copy
    /// holding a reference cost more than the checks it carries.
    unowned(unsafe) let extra: (any MemoryRegionProvider)?
    /// `extra`'s `allows` callable without a retain, when it gives one: asked instead of it
    /// (calling the unretained existential copies it, a retain and a release per access).
    let direct: DirectAllows?

    init(stackLow: UInt64, stackCount: UInt64, contextLow: UInt64, contextCount: UInt64, guardsContext: Bool,
         packetLow: UInt64, packetCount: UInt64, regions: UnsafeBufferPointer<MemoryRegion>,
         extra: (any MemoryRegionProvider)?, direct: DirectAllows?) {
        self.stackLow = stackLow
        self.stackCount = stackCount
        self.contextLow = contextLow
        self.contextCount = contextCount
        fastContextCount = guardsContext ? 0 : contextCount
        self.packetLow = packetLow
        self.packetCount = packetCount
        self.regions = regions
        self.extra = extra
        self.direct = direct
    }

    /// The fast checks: stack, context, packet. Each costs a subtract and two compares.
    @inline(__always)
    public func allows(_ address: UInt64, size: UInt64, write: Bool) -> Bool {
        let s = address &- stackLow
        if s < stackCount && stackCount &- s >= size { return true }
        let c = address &- contextLow
        if c < fastContextCount && fastContextCount &- c >= size { return true }
        let p = address &- packetLow
        if p < packetCount && packetCount &- p >= size { return true }
        // `extra` read only without `direct`: reading the unretained existential retains it.
        if let direct { return Self.allowsElsewhere(address, size: size, write: write, regions: regions, direct: direct) }
        return Self.allowsElsewhere(address, size: size, write: write, regions: regions, extra: extra)
    }

    /// Static, its inputs passed alone: as a method it took a copy of the whole struct, read
    /// back with 16-byte loads of the 8-byte stores that built it (a store-forwarding stall per
    /// helper pointer check).
    @inline(never)
    static func allowsElsewhere(_ address: UInt64, size: UInt64, write: Bool, regions: UnsafeBufferPointer<MemoryRegion>,
                                direct: DirectAllows) -> Bool {
        for region in regions where region.contains(address, size: size, write: write) { return true }
        return direct.function(direct.context, address, size, write)
    }

    /// The same for a provider without `DirectAllows` (or none).
    @inline(never)
    static func allowsElsewhere(_ address: UInt64, size: UInt64, write: Bool, regions: UnsafeBufferPointer<MemoryRegion>,
                                extra: (any MemoryRegionProvider)?) -> Bool {
        for region in regions where region.contains(address, size: size, write: write) { return true }
        return extra?.allows(address, size: size, write: write) ?? false
    }
}
