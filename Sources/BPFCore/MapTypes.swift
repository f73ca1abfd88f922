/// Map types (`enum bpf_map_type`) this project knows by number.
public struct MapType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let hash = MapType(rawValue: 1)
    public static let array = MapType(rawValue: 2)
    public static let progArray = MapType(rawValue: 3)
    public static let perfEventArray = MapType(rawValue: 4)
    public static let percpuHash = MapType(rawValue: 5)
    public static let percpuArray = MapType(rawValue: 6)
    public static let lruHash = MapType(rawValue: 9)
    public static let lruPercpuHash = MapType(rawValue: 10)
    public static let lpmTrie = MapType(rawValue: 11)
    public static let queue = MapType(rawValue: 22)
    public static let skStorage = MapType(rawValue: 24)
    public static let stack = MapType(rawValue: 23)
    public static let bloomFilter = MapType(rawValue: 30)
    public static let ringbuf = MapType(rawValue: 27)
    public static let arena = MapType(rawValue: 33)

    public var description: String {
        switch self {
        case .hash: "hash"
        case .array: "array"
        case .progArray: "prog_array"
        case .queue: "queue"
        case .stack: "stack"
        case .bloomFilter: "bloom_filter"
        case .perfEventArray: "perf_event_array"
        case .percpuHash: "percpu_hash"
        case .percpuArray: "percpu_array"
        case .lruHash: "lru_hash"
        case .lruPercpuHash: "lru_percpu_hash"
        case .lpmTrie: "lpm_trie"
        case .ringbuf: "ringbuf"
        case .userRingbuf: "user_ringbuf"
        case .taskStorage: "task_storage"
        case .cgrpStorage: "cgrp_storage"
        case .inodeStorage: "inode_storage"
        case .stackTrace: "stack_trace"
        case .cgroupStorage: "cgroup_storage"
        case .percpuCgroupStorage: "percpu_cgroup_storage"
        case .skStorage: "sk_storage"
        case .cgroupArray: "cgroup_array"
        case .arrayOfMaps: "array_of_maps"
        case .hashOfMaps: "hash_of_maps"
        case .arena: "arena"
        default: redirectMapName ?? "map_type_\(rawValue)"
        }
    }
}

/// Map flags (`BPF_F_*` of BPF_MAP_CREATE) this project gives a meaning to.
public enum MapFlags {
    public static let noPrealloc: UInt32 = 0x1
    public static let noCommonLRU: UInt32 = 0x2
    public static let rdonly: UInt32 = 0x8
    public static let wronly: UInt32 = 0x10
    public static let rdonlyProg: UInt32 = 0x80
    public static let wronlyProg: UInt32 = 0x100
    public static let mmapable: UInt32 = 0x400
}

/// BPF_MAP_UPDATE_ELEM flags.
public enum MapUpdateFlags {
    public static let any: UInt64 = 0
    public static let noExist: UInt64 = 1
    public static let exist: UInt64 = 2
    public static let lock: UInt64 = 4
}

/// What a map is made of: the same description creates it in the engine and in the kernel.
public struct MapSpec: Hashable, Sendable {
    public var name: String
    public var type: MapType
    public var keySize: UInt32
    public var valueSize: UInt32
    public var maxEntries: UInt32
    public var flags: UInt32
    /// LIBBPF_PIN_NONE 0, LIBBPF_PIN_BY_NAME 1.
    public var pinning: UInt32
    /// Initial contents of a global-data map (`.data`, `.rodata`, `.bss`): the value of key 0.
    public var initialValue: [UInt8]?
    /// The object's BTF (as BPF_BTF_LOAD takes it) and the ids of the key and value types in
    /// it (0: none): the kernel wants them for a value that holds a `bpf_spin_lock`.
    public var btf: [UInt8]?
    public var btfKeyTypeID: UInt32 = 0
    public var btfValueTypeID: UInt32 = 0
    /// BPF_MAP_CREATE's `map_extra`: a bloom filter's number of hash functions (0: 5).
    public var mapExtra: UInt64 = 0
    /// A map of maps' template (what the kernel gets as `inner_map_fd`): the maps it may hold
    /// have its type, sizes and flags. nil for every other map.
    public var innerMap: MapSpec? {
        get { innerMapStorage.first }
        set { innerMapStorage = newValue.map { [$0] } ?? [] }
    }
    // An array, because a struct cannot hold its own type directly.
    private var innerMapStorage: [MapSpec] = []
    /// Where the value's `bpf_spin_lock` is (from BTF), nil without one: the kernel never
    /// copies that word to or from userspace.
    public var spinLockOffset: UInt32?
    /// Where the value's `struct bpf_timer` is (from BTF), nil without one: the kernel keeps
    /// the timer beside the value, never copies those 16 bytes to or from userspace, and frees
    /// the timer when the value is overwritten or deleted.
    public var timerOffset: UInt32?
    /// Where the value's `struct bpf_wq` is (from BTF), nil without one: kept beside the value
    /// as a timer is, hidden from userspace the same way, freed with the value.
    public var workqueueOffset: UInt32?
    /// The value's kptr fields (from BTF), in offset order.
    public var kptrFields: [KptrField] = []
    /// The value's graph roots (lists, from BTF), in offset order.
    public var graphRoots: [GraphRoot] = []

    public init(name: String, type: MapType, keySize: UInt32, valueSize: UInt32, maxEntries: UInt32,
                flags: UInt32 = 0, pinning: UInt32 = 0, initialValue: [UInt8]? = nil) {
        self.name = name
        self.type = type
        self.keySize = keySize
        self.valueSize = valueSize
        self.maxEntries = maxEntries
        self.flags = flags
        self.pinning = pinning
        self.initialValue = initialValue
    }
}
