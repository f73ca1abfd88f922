import BPFCore

/// What a register (or a spilled stack slot) holds on one path, as the kernel's
/// `bpf_reg_state` says it: a type, a fixed offset, a range (the value of a number, the
/// variable offset of a pointer) and the ids that tie copies together.
struct AbstractValue: Hashable {
    enum Kind: Hashable {
        /// Never written on this path (reads are refused by `RegisterCheck`).
        case notInit
        /// Something the analysis does not follow: nothing done with it is refused.
        case unknown
        case scalar
        case context
        /// A pointer into the stack of call frame `frame` (0 is the program's).
        case stack(frame: Int)
        case packet
        case packetEnd
        case packetMeta
        /// A map value of `size` bytes; `nullable` until compared with NULL.
        case mapValue(size: Int, access: MapValueAccess, nullable: Bool)
        /// A map itself, as `lddw` loads it.
        case map(MapShape)
        /// The map a lookup in a map of maps gives, typed by the outer map's inner template
        /// when known; `nullable` until compared with NULL, then a `map` as in the kernel
        /// (CONST_PTR_TO_MAP with the template's meta).
        case innerMap(MapShape?, nullable: Bool)
        /// A socket: `__sk_buff.sk`, a lookup's (which holds a reference), a cast's.
        case socket(SocketKind, nullable: Bool)
        /// Memory from `bpf_ringbuf_reserve`, which holds a reference.
        case memory(size: Int, nullable: Bool)
        /// The address of the function starting at this slot (a callback).
        case function(Int)
        /// A pointer into a kernel object, typed by BTF (BTFPointers.swift).
        case btf(BTFPointer)
        /// A per-CPU object of the program's own type: reached only through bpf_per_cpu_ptr
        /// and bpf_this_cpu_ptr (PerCPUObjectPrototypes.swift).
        case perCPU(PerCPUObject)
        /// The key for_each_map_elem hands its callback: `size` bytes to read, never to write
        /// (the kernel's PTR_TO_MAP_KEY).
        case mapKey(size: Int)
        /// The dynptr bpf_user_ringbuf_drain hands its callback: kernel memory, read-only, a
        /// dynptr helpers read but may not make, change or release (CONST_PTR_TO_DYNPTR).
        case constDynptr
    }

    var kind: Kind
    /// Pointers: the constant offset from where the pointer started.
    var offset: Int = 0
    /// Numbers: their value; pointers: their variable offset.
    var range: ScalarRange = .constant(0)
    /// Numbers: copies share an id (`value = base(id) + delta`), so what a comparison learns
    /// of one holds for all; nullable pointers: the lookup they came from; packet pointers: the
    /// variable offset they share.
    var id: Int = 0
    var delta: Int64 = 0
    /// The delta was added by a 32-bit instruction: `value = zext32(base(id) + delta)` (the
    /// kernel's BPF_ADD_CONST32).
    var delta32 = false
    /// Packet pointers: bytes from the pointer's base a comparison with `data_end` proved.
    var packetRange: Int = 0
    /// The reference a socket or ring buffer record holds (its allocating instruction + 1).
    var reference: Int = 0

    static let notInit = AbstractValue(kind: .notInit)
    static let unknown = AbstractValue(kind: .unknown, range: .unknown)

    static func scalar(_ range: ScalarRange) -> AbstractValue { AbstractValue(kind: .scalar, range: range) }
    static func constant(_ value: UInt64) -> AbstractValue { .scalar(.constant(value)) }
    static func pointer(_ kind: Kind, offset: Int = 0) -> AbstractValue { AbstractValue(kind: kind, offset: offset) }

    /// By pattern, not `==`: pruning asks it millions of times, and the kinds' derived `==` is costly.
    var isScalar: Bool {
        if case .scalar = kind { return true }
        return false
    }
    /// A pointer whose type the analysis knows.
    var isKnownPointer: Bool { kind != .scalar && kind != .unknown && kind != .notInit }
    var isPacketFamily: Bool { kind == .packet || kind == .packetMeta }

    /// A pointer that may be NULL until a comparison says otherwise.
    var isNullable: Bool {
        switch kind {
        case .mapValue(_, _, let nullable), .socket(_, let nullable), .memory(_, let nullable),
             .innerMap(_, let nullable): return nullable
        case .btf(let pointer): return pointer.nullable
        case .perCPU(let object): return object.nullable
        default: return false
        }
    }

    /// A pointer the kernel knows is never NULL.
    var isNonNullPointer: Bool {
        switch kind {
        case .context, .stack, .packet, .packetEnd, .packetMeta, .map, .function, .mapKey, .constDynptr: return true
        case .mapValue, .socket, .memory, .innerMap: return !isNullable
        case .btf(let pointer): return pointer.trusted || pointer.acquired && !pointer.nullable
        case .perCPU(let object): return !object.nullable
        case .notInit, .unknown, .scalar: return false
        }
    }

    /// The name the kernel's log gives the type.
    var typeName: String {
        switch kind {
        case .notInit: return "?"
        case .unknown: return "unknown"
        case .scalar: return "scalar"
        case .context: return "ctx"
        case .stack: return "fp"
        case .packet: return "pkt"
        case .packetEnd: return "pkt_end"
        case .packetMeta: return "pkt_meta"
        case .mapValue(_, _, let nullable): return nullable ? "map_value_or_null" : "map_value"
        case .map: return "map_ptr"
        case .innerMap(_, let nullable): return nullable ? "map_ptr_or_null" : "map_ptr"
        case let .socket(socket, nullable): return socket.rawValue + (nullable ? "_or_null" : "")
        case .function: return "func"
        case .btf(let pointer): return pointer.typeName
        case .perCPU(let object): return object.typeName
        case .mapKey: return "map_key"
        case .constDynptr: return "dynptr_ptr"
        case .memory(_, let nullable):
            // Ring buffer records hold a reference; a global function's memory parameter does not.
            let name = reference != 0 ? "ringbuf_mem" : "mem"
            return nullable ? name + "_or_null" : name
        }
    }

    /// The non-NULL form, after a comparison proved it.
    var nonNull: AbstractValue {
        var value = self
        switch kind {
        case let .mapValue(size, access, _): value.kind = .mapValue(size: size, access: access, nullable: false)
        case .socket(let socket, _): value.kind = .socket(socket, nullable: false)
        case let .memory(size, _): value.kind = .memory(size: size, nullable: false)
        case .innerMap(var shape?, _):
            // Each lookup's inner map is a map of its own where its values hold a timer or a
            // workqueue: the kernel's map_uid, the lookup result's id.
            if shape.timerOffset != nil || shape.workqueueOffset != nil { shape.uid = id }
            value.kind = .map(shape)
        case .innerMap(nil, _): value.kind = .innerMap(nil, nullable: false)
        case .btf(var pointer):
            pointer.nullable = false
            value.kind = .btf(pointer)
        case .perCPU(var object):
            object.nullable = false
            value.kind = .perCPU(object)
        default: break
        }
        return value
    }

    /// Whether anything this path may do with `other` in this register, it may do with `self`
    /// too, for pruning: ids are not compared, which only ever prunes more.
    func covers(_ other: AbstractValue) -> Bool {
        switch kind {
        case .notInit, .unknown: return true
        case .scalar: return other.isScalar && range.covers(other.range)
        default:
            return kind == other.kind && offset == other.offset && range.covers(other.range)
                && PacketEndMarks.covers(packetRange, other.packetRange) && reference == other.reference
        }
    }
}

/// The socket views the kernel types apart (`PTR_TO_SOCK_COMMON`, `PTR_TO_SOCKET`,
/// `PTR_TO_TCP_SOCK`), by the names its log gives them.
enum SocketKind: String, Hashable {
    case common = "sock_common"
    case full = "sock"
    case tcp = "tcp_sock"
}

