import BPFCore
import BPFMaps
import BPFObject
import BPFVM

/// A tc program loaded for the embedded datapath: verified and compiled once, with the maps its
/// `lddw` instructions refer to (by the loader's map index). Immutable: any number of threads
/// may run it at once.
public final class TCProgram: Sendable {
    public let program: VMProgram
    public let maps: [BPFMap]
    /// SCHED_CLS, or SOCKET_FILTER (its own context rules and helpers; a test-run sees the
    /// packet from its network header).
    public let type: ProgramType
    /// The handles its maps' `lddw`s load, beside the maps: the map helpers find them here
    /// without the registry's lock.
    let mapTable: ProgramMaps

    /// Loads raw bytecode (8 bytes per instruction, little-endian).
    public init(bytes: [UInt8], maps: [BPFMap] = [], globalFunctions: [GlobalFunction] = [],
                functionReturnsScalar: [UInt32: Bool]? = nil,
                type: ProgramType = .schedCLS, expectedAttachType: AttachType? = nil,
                executor: ExecutorKind = .selected, btf: [UInt8]? = nil) throws(VMError) {
        var options = TCHelpers.options(maps: maps, globalFunctions: globalFunctions, type: type,
                                        expectedAttachType: expectedAttachType)
        // The program's own structs: what bpf_obj_new may allocate, and how large.
        let objectTypes = LocalObjectTypes.structs(btf: btf)
        options.localObjectTypes = objectTypes
        options.functionReturnsScalar = functionReturnsScalar.map { returns in
            Dictionary(uniqueKeysWithValues: returns.map { (Int($0.key), $0.value) })
        }
        options.executor = executor
        program = try VMProgram(bytes: bytes, options: options)
        self.maps = maps
        self.type = type
        mapTable = ProgramMaps(maps, objectSizes: objectTypes.mapValues(\.size))
    }

    public init(instructions: [Instruction], maps: [BPFMap] = [], type: ProgramType = .schedCLS,
                executor: ExecutorKind = .selected) throws(VMError) {
        var options = TCHelpers.options(maps: maps, type: type)
        options.executor = executor
        program = try VMProgram(instructions: instructions, options: options)
        self.maps = maps
        self.type = type
        mapTable = ProgramMaps(maps)
    }
}

/// What one run produced besides the changes to the skb.
public struct TCRunOutcome: Hashable, Sendable {
    /// r0 as the program left it; the tc verdict is its low 32 bits.
    public var returnValue: UInt64
    /// Set by `bpf_redirect`/`bpf_redirect_peer` (the last call wins).
    public var redirect: RedirectTarget?

    public var verdict: Int32 { Int32(truncatingIfNeeded: returnValue) }
}
