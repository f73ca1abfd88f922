import BPFCore

/// A map as BPF_OBJ_GET_INFO_BY_FD reports it.
public struct MapInfo: Hashable, Sendable {
    public var id: UInt32
    public var type: MapType
    public var keySize: UInt32
    public var valueSize: UInt32
    public var maxEntries: UInt32
    public var flags: UInt32
    public var name: String
    public init(id: UInt32, type: MapType, keySize: UInt32, valueSize: UInt32, maxEntries: UInt32,
                flags: UInt32, name: String) {
        self.id = id
        self.type = type
        self.keySize = keySize
        self.valueSize = valueSize
        self.maxEntries = maxEntries
        self.flags = flags
        self.name = name
    }
}

/// Maps and programs that use them: what loading a clang-compiled object needs. Both backends
/// implement it with the kernel's semantics and errno.
///
/// A program's instructions refer to maps the way the object loader leaves them: a 64-bit
/// immediate load with `src_reg` 5 (BPF_PSEUDO_MAP_IDX, `imm` = index into `maps`) or 6
/// (BPF_PSEUDO_MAP_IDX_VALUE, `imm` = index, the second `imm` = offset into the value).
public protocol BPFObjectSystem: TCXSystem {
    /// BPF_MAP_CREATE. Returns a new handle (+1 reference).
    func createMap(_ spec: MapSpec) throws(TCXError) -> Handle
    /// BPF_PROG_LOAD of a program whose map references index `maps`.
    func loadProgram(_ spec: ProgramSpec, maps: [Handle]) throws(TCXError) -> Handle
    /// BPF_MAP_LOOKUP_ELEM (per-CPU maps: one value per possible CPU, each rounded up to 8 bytes).
    func lookup(map: Handle, key: [UInt8]) throws(TCXError) -> [UInt8]
    /// BPF_MAP_UPDATE_ELEM with BPF_ANY / BPF_NOEXIST / BPF_EXIST. A prog array's value is a
    /// program handle (4 bytes, little-endian).
    func update(map: Handle, key: [UInt8], value: [UInt8], flags: UInt64) throws(TCXError)
    /// BPF_MAP_DELETE_ELEM.
    func delete(map: Handle, key: [UInt8]) throws(TCXError)
    /// BPF_MAP_GET_NEXT_KEY; nil once there is no next key (the kernel's ENOENT).
    func nextKey(map: Handle, after key: [UInt8]?) throws(TCXError) -> [UInt8]?
    /// BPF_MAP_FREEZE: no more changes from user space (used for `.rodata`).
    func freeze(map: Handle) throws(TCXError)
    /// BPF_OBJ_GET_INFO_BY_FD on a map.
    func mapInfo(_ map: Handle) throws(TCXError) -> MapInfo
    /// How many CPUs the kernel counts as possible: a per-CPU map's user value holds one
    /// copy for each, every copy padded to 8 bytes.
    var possibleCPUCount: Int { get }
}
