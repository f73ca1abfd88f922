import BPFCore

/// What a load accepts: limits, the helpers that exist, and how to resolve map references.
public struct VerifierOptions: Sendable {
    /// Largest program in instruction slots (`lddw` counts two).
    public var maxInstructions: Int = VMLimits.maxInstructions
    /// Helpers a program may call by id.
    public var helpers: HelperTable = HelperTable()
    /// Which prototypes the helper ids name: socket filters are offered some of their own.
    public var helperPrototypes: HelperPrototypeVariant = .tc
    /// Whether helper 12 (`bpf_tail_call`) is available.
    public var allowTailCalls: Bool = true
    /// Resolves the map and variable forms of the 64-bit immediate load; none means they are refused.
    public var resolver: (any PseudoImmediateResolver)? = nil
    /// Registers holding a value on entry besides r10: the kernel passes only r1 (the context).
    public var initializedRegisters: Set<UInt8> = [1]
    /// Whether backward jumps are accepted; loops are then bounded at run time by `maxExecutedInstructions`.
    public var allowLoops: Bool = true
    /// Whether instructions no path reaches are refused, as the kernel does.
    public var rejectUnreachable: Bool = true
    /// Run-time budget of a program the path analysis did not run on (no program-type rules):
    /// instructions a run may charge to loop iterations before it faults. A proven program has
    /// none (`VMLimits.provenBudget`); one the analysis gave up on gets at least
    /// `VMLimits.gaveUpBudgetSlices` may_goto slices.
    public var maxExecutedInstructions: Int = VMLimits.maxInstructions
    /// Instructions on the run's clock that stand for the kernel's 250 ms may_goto time slice
    /// (`VMLimits.mayGotoSliceInstructions`); smaller in tests.
    public var mayGotoSliceInstructions: Int = VMLimits.mayGotoSliceInstructions
    /// Context fields a program reads with a 32-bit load and gets a packet pointer from (the
    /// kernel rewrites such loads, e.g. `__sk_buff.data`): context offset -> which pointer.
    /// Only loads whose base register is the context pointer itself are rewritten at run time.
    public var contextPacketPointers: [Int16: PacketPointer] = [:]
    /// The context field among `contextPacketPointers` that gives the packet's metadata
    /// pointer (`__sk_buff.data_meta`), which the verifier bounds against the packet's start.
    public var contextMetaField: Int16? = nil
    /// The context field among `contextPointerFields` that gives the skb's socket or NULL
    /// (`__sk_buff.sk`), which the verifier types as the kernel does.
    public var contextSocketField: Int16? = nil
    /// The program type's context rules, checked at load for accesses through the context
    /// pointer itself (nil: the run-time checks alone decide).
    public var contextAccess: ContextAccessRule? = nil
    /// Whether `LD_ABS`/`LD_IND` may read the packet: only for the program types whose context
    /// is an skb (the kernel's may_access_skb); the path analysis refuses a reached one otherwise.
    public var allowsPacketLoads: Bool = true
    /// Context loads the runtime keeps current in the context block at every moment (offset,
    /// size): the JIT reads them straight from the block when the base register holds the
    /// context's address (one compare at run time; otherwise the ordinary checked load), and
    /// `RunEnvironment.memory` is not asked. Nil: every context access is checked as usual.
    public var contextDirectReads: (@Sendable (_ offset: Int, _ size: Int) -> Bool)? = nil
    /// Context stores from a register the runtime takes in from the block later, as the kernel's
    /// rewritten stores write the field itself: stored straight into the block when the base
    /// holds the context's address (otherwise the ordinary checked store), marking the block
    /// written. Nil: every context store is checked as usual.
    public var contextDirectWrites: ContextDirectWrites? = nil
    /// Context fields whose loads give pointers besides `contextPacketPointers` (`__sk_buff.sk`,
    /// `flow_keys`): with `contextAccess` set, loads of every other field are numbers.
    public var contextPointerFields: Set<Int16> = []
    /// The program's global functions by first slot (from its BTF): their exits return to the
    /// kernel and need r0, and a call to one returning no scalar is refused, as the kernel does.
    public var globalFunctions: [Int: GlobalFunction] = [:]
    /// Whether each function (by first slot) returns a scalar, from the program's BTF function
    /// records; nil when it has none. The kernel allows LD_ABS/LD_IND in a subprogram only with
    /// them, and only in one that returns an integer.
    public var functionReturnsScalar: [Int: Bool]? = nil
    /// The BTF that types the pointers `bpf_cast_to_kern_ctx` and `bpf_rdonly_cast` give (the
    /// CO-RE target), asked for only when a program calls one; nil: their loads are not walked.
    public var kernelTypes: (@Sendable () -> (any KernelTypeCatalog)?)? = nil
    /// The structs of the program's own BTF by type id: what `bpf_obj_new` may allocate and
    /// kptr fields hold (`LocalObjectTypes`); empty without BTF.
    public var localObjectTypes: [UInt32: LocalObjectType] = [:]
    /// Whether the load also emits machine code (`.jit`, x86-64 Linux only) for `JITExecutor`.
    public var executor: ExecutorKind = .selected

    /// Whether division and modulo by an immediate zero and shifts by an immediate out of range
    /// are refused, as the kernel refuses them ("div by zero", "invalid shift 64", EINVAL); the
    /// ISA defines them, and the conformance suite runs them.
    public var refusesUndefinedImmediates: Bool = false

    public init() {}
}

/// A packet bound a context field stands for.
public enum PacketPointer: UInt8, Sendable {
    /// The first byte of the packet.
    case start
    /// One past the last byte.
    case end
}
