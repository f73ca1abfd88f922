/// Limits of the objects programs allocate with `bpf_obj_new`, as Linux 6.18 sets them.
public enum ObjectLimits {
    /// The largest object the kernel's allocator hands out: its 4096-byte class less the
    /// 8-byte list header (a 4089-byte type is refused at load, measured in
    /// Tests/Fixtures/corpus/objects/objects.c).
    public static let largestObject = 4088
    /// The largest per-CPU object (`bpf_percpu_obj_new`): the kernel's BPF_GLOBAL_PERCPU_MA_MAX_SIZE.
    public static let largestPerCPUObject = 512
}

/// A struct of a program's own BTF: what `bpf_obj_new` allocates, and what a kptr field of a
/// map value may hold.
public struct LocalObjectType: Hashable, Sendable {
    public var name: String
    public var size: Int
    /// Whether it has a `struct bpf_refcount` member (`bpf_refcount_acquire` takes it).
    public var refcounted = false
    /// Whether it has any member the kernel keeps a record of (locks, timers, graph roots and
    /// nodes, a refcount).
    public var specialFields = false
    /// Its `__kptr` members: `bpf_kptr_xchg` stashes objects in them, and dropping the object
    /// drops what they hold.
    public var kptrFields: [KptrField] = []
    /// Where its own `bpf_spin_lock` sits: what guards its graph roots.
    public var spinLockOffset: Int?
    /// Its list heads and tree roots (a `contains:` tag names what they hold).
    public var graphRoots: [GraphRoot] = []
    /// Its special struct members, which no load or store may overlap.
    public var fields: [ObjectField] = []
    /// Whether it holds numbers only (ints, enums, arrays and structs of them): what
    /// `bpf_percpu_obj_new` may allocate.
    public var scalarsOnly = false

    public init(name: String, size: Int, refcounted: Bool = false, specialFields: Bool = false, kptrFields: [KptrField] = [],
                spinLockOffset: Int? = nil, graphRoots: [GraphRoot] = [], fields: [ObjectField] = [], scalarsOnly: Bool = false) {
        self.scalarsOnly = scalarsOnly
        self.name = name
        self.size = size
        self.refcounted = refcounted
        self.specialFields = specialFields
        self.kptrFields = kptrFields
        self.spinLockOffset = spinLockOffset
        self.graphRoots = graphRoots
        self.fields = fields
    }
}

/// A special struct member of an allocated object (a lock, a graph root or node, a refcount…):
/// the kernel refuses a load or store overlapping it ("direct access to NAME is disallowed").
public struct ObjectField: Hashable, Sendable {
    /// The member's struct name, as the kernel's log names the field.
    public var name: String
    public var offset: Int
    public var size: Int

    public init(name: String, offset: Int, size: Int) {
        self.name = name
        self.offset = offset
        self.size = size
    }
}

/// A map value's field holding a pointer to an object (a member whose pointer type is tagged
/// `__kptr`, `__kptr_untrusted` or `__percpu_kptr`): programs change it only with
/// `bpf_kptr_xchg`, userspace never reads or writes it, and overwriting or deleting the value
/// drops what it holds.
public struct KptrField: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case referenced = "kptr"
        case untrusted = "kptr_untrusted"
        case percpu = "percpu_kptr"
    }

    /// Byte offset in the value.
    public var offset: UInt32
    public var kind: Kind
    /// The pointee struct: its id in the object's BTF (the map's `btf`), and name.
    public var targetTypeID: UInt32
    public var targetName: String

    public init(offset: UInt32, kind: Kind, targetTypeID: UInt32, targetName: String) {
        self.offset = offset
        self.kind = kind
        self.targetTypeID = targetTypeID
        self.targetName = targetName
    }

    /// A kptr field is one pointer wide.
    public static let size: UInt32 = 8
}

/// A map value's graph root: a `bpf_list_head` (or `bpf_rb_root`) whose `contains:T:member`
/// declaration tag says which objects it holds and where their node is. The kernel lets
/// programs touch it only through the graph kfuncs, under the value's `bpf_spin_lock`.
public struct GraphRoot: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case list = "bpf_list_head"
        case rbtree = "bpf_rb_root"
    }

    /// Byte offset in the value.
    public var offset: UInt32
    public var kind: Kind
    /// The objects it holds: their struct's id in the object's BTF, name, and the byte
    /// offset of their node member.
    public var containedTypeID: UInt32
    public var containedName: String
    public var nodeOffset: UInt32
    /// The contained struct's size in bytes: what an rbtree's `less` callback may read of the
    /// objects it compares.
    public var containedSize: UInt32

    public init(offset: UInt32, kind: Kind, containedTypeID: UInt32, containedName: String, nodeOffset: UInt32,
                containedSize: UInt32 = 0) {
        self.offset = offset
        self.kind = kind
        self.containedTypeID = containedTypeID
        self.containedName = containedName
        self.nodeOffset = nodeOffset
        self.containedSize = containedSize
    }

    /// Both roots are two words.
    public static let size: UInt32 = 16
}
