import BPFCore

/// A clang-built BPF object, parsed: programs ready to load and the maps they use.
public struct ObjectSpec: Hashable, Sendable {
    /// libbpf's object name: the file's base name up to its first dot.
    public var name: String
    public var programs: [ObjectProgram]
    /// Legacy `maps` definitions, then BTF `.maps`, then global data; programs refer to them by index.
    public var maps: [MapSpec]
    /// The `license` section, empty when there is none.
    public var license: String
    /// The `.BTF` section as BPF_BTF_LOAD takes it (data section sizes and variable offsets
    /// filled in from the ELF); nil when the object has none or it could not be fixed up.
    public var btf: [UInt8]?
    /// Prog array slots filled when the object is loaded (`values = { [i] = &prog }`).
    public var staticPrograms: [StaticProgramSlot] = []
    /// Map of maps slots filled when the object is loaded (`values = { [i] = &map }`).
    public var staticMaps: [StaticMapSlot] = []

    public init(name: String, programs: [ObjectProgram], maps: [MapSpec], license: String) {
        self.name = name
        self.programs = programs
        self.maps = maps
        self.license = license
    }

    /// The program whose symbol is `name`, else the first program of section `name`.
    public func program(named name: String) -> ObjectProgram? {
        programs.first { $0.name == name } ?? programs.first { $0.section == name }
    }

    /// Parses an ELF64 little-endian BPF object. `name` is the file's name, used in
    /// errors and for the names of global-data maps.
    ///
    /// CO-RE relocations are resolved against `coreBTF`; nil takes the choice of the
    /// `TCX_CORE_BTF` environment variable (see `COREBTFSource`).
    ///
    /// Kfunc calls are resolved for `kfuncs` (the running kernel's BTF, or the embedded
    /// backend's table); `__kconfig` externs are filled from `kconfig`, the machine's when nil.
    public static func parse(bytes: [UInt8], name: String, coreBTF: COREBTFSource? = nil, kfuncs: KfuncTarget = .embedded,
                             kconfig: KconfigSource? = nil) throws(ObjectError) -> ObjectSpec {
        try ObjectParser(bytes: bytes, file: name, coreBTF: coreBTF ?? .fromEnvironment(), kfuncs: kfuncs, kconfig: kconfig).parse()
    }
}
