import BPFCore

/// One program of an object: its code is ready for the kernel's loader, with maps named
/// by their index in `ObjectSpec.maps` (BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE).
public struct ObjectProgram: Hashable, Sendable {
    /// The function's symbol name.
    public var name: String
    /// The ELF section it came from, e.g. `tcx/ingress`.
    public var section: String
    public var type: ProgramType
    public var expectedAttachType: AttachType?
    /// Little-endian instructions, subprograms appended.
    public var instructions: [UInt8]
    public var license: String
    /// The `.BTF.ext` function records for `instructions`: the program at 0, then each appended
    /// subprogram where it was placed. Empty without BTF, or when a function has no record.
    public var functionInfo: [FunctionInfo] = []
    /// The functions of `functionInfo` that BTF declares global, with their return kind.
    public var globalFunctions: [GlobalFunction] = []
    /// Whether each function of `functionInfo` (by first slot) returns a scalar; nil without records.
    public var functionReturnsScalar: [UInt32: Bool]?
    /// Instructions a CO-RE relocation could not resolve and replaced by `call 0xbad2310`,
    /// by index in `instructions`, with the relocation named: a loader refuses the program
    /// only if one of them is reachable, and then says which.
    public var corePoisons: [Int: String] = [:]
    /// Its kfunc calls and addresses, as resolved for the backend the object was parsed for.
    public var kfuncs: [KfuncSite] = []
    /// Set when this program cannot be loaded (another program type, an unresolvable
    /// reference): asking for it fails with this, the object's other programs still load.
    public var refusal: ProgramRefusal?

    public init(name: String, section: String, type: ProgramType, expectedAttachType: AttachType?,
                instructions: [UInt8], license: String) {
        self.name = name
        self.section = section
        self.type = type
        self.expectedAttachType = expectedAttachType
        self.instructions = instructions
        self.license = license
    }

    /// The instructions decoded, one per 8-byte slot.
    public var decodedInstructions: [Instruction] { Instruction.decode(instructions) ?? [] }
}
