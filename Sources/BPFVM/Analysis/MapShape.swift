import BPFCore

/// What the analysis needs of a map `lddw` names. Its fields sit in one shared box
/// (`SharedFields`): a map pointer in a register copies as small as a number.
public struct MapShape: Hashable, Sendable {
    struct Fields: Hashable, Sendable {
        var type: UInt32
        var keySize: Int
        var valueSize: Int
        var programWritable: Bool
        var maxEntries: UInt32
        var programReadable: Bool
        var spinLockOffset: Int?
        var innerTemplate: Bool
        var timerOffset: Int?
        var workqueueOffset: Int?
        var valueHasBTF = true
        var name = ""
        var uid = 0
        var kptrFields: [KptrField] = []
        var graphRoots: [GraphRoot] = []
        // An array, because a struct cannot hold its own type directly.
        var inner: [MapShape] = []
    }

    private var box: SharedFields<Fields>

    public init(type: UInt32, keySize: Int, valueSize: Int, programWritable: Bool, maxEntries: UInt32 = 0,
                innerTemplate: Bool = false, programReadable: Bool = true, spinLockOffset: Int? = nil) {
        box = SharedFields(Fields(type: type, keySize: keySize, valueSize: valueSize, programWritable: programWritable,
                                  maxEntries: maxEntries, programReadable: programReadable, spinLockOffset: spinLockOffset,
                                  innerTemplate: innerTemplate))
    }

    private mutating func change(_ edit: (inout Fields) -> Void) {
        var fields = box.fields
        edit(&fields)
        box = SharedFields(fields)
    }

    public static func == (a: MapShape, b: MapShape) -> Bool { SharedFields.same(a.box, b.box) }
    public func hash(into hasher: inout Hasher) { hasher.combine(box.fields) }

    /// The map type (BPF_MAP_TYPE_*).
    public var type: UInt32 {
        get { box.fields.type }
        set { change { $0.type = newValue } }
    }
    public var keySize: Int {
        get { box.fields.keySize }
        set { change { $0.keySize = newValue } }
    }
    public var valueSize: Int {
        get { box.fields.valueSize }
        set { change { $0.valueSize = newValue } }
    }
    /// Whether programs may write its values (false for BPF_F_RDONLY_PROG).
    public var programWritable: Bool {
        get { box.fields.programWritable }
        set { change { $0.programWritable = newValue } }
    }
    public var maxEntries: UInt32 {
        get { box.fields.maxEntries }
        set { change { $0.maxEntries = newValue } }
    }
    /// False for BPF_F_WRONLY_PROG: programs may write values but not read them.
    public var programReadable: Bool {
        get { box.fields.programReadable }
        set { change { $0.programReadable = newValue } }
    }
    /// Where a value's `bpf_spin_lock` sits, if it has one.
    public var spinLockOffset: Int? {
        get { box.fields.spinLockOffset }
        set { change { $0.spinLockOffset = newValue } }
    }
    /// Whether it was created as an inner-map template (BPF_F_INNER_MAP), whose size says
    /// nothing of the maps put in its place.
    public var innerTemplate: Bool {
        get { box.fields.innerTemplate }
        set { change { $0.innerTemplate = newValue } }
    }
    /// Where a value's `bpf_timer` sits, if it has one.
    public var timerOffset: Int? {
        get { box.fields.timerOffset }
        set { change { $0.timerOffset = newValue } }
    }
    /// Where a value's `bpf_wq` sits, if it has one.
    public var workqueueOffset: Int? {
        get { box.fields.workqueueOffset }
        set { change { $0.workqueueOffset = newValue } }
    }
    /// Whether the map is created with its value's BTF.
    public var valueHasBTF: Bool {
        get { box.fields.valueHasBTF }
        set { change { $0.valueHasBTF = newValue } }
    }
    /// The map's name, as the kernel's refusals give it.
    public var name: String {
        get { box.fields.name }
        set { change { $0.name = newValue } }
    }
    /// Which lookup of a map of maps gave this inner map, when its values hold a timer or a
    /// workqueue (the kernel's map_uid: the lookup result's id); 0 for a map named directly.
    var uid: Int {
        get { box.fields.uid }
        set { change { $0.uid = newValue } }
    }
    /// A value's kptr fields.
    public var kptrFields: [KptrField] {
        get { box.fields.kptrFields }
        set { change { $0.kptrFields = newValue } }
    }
    /// A value's graph roots.
    public var graphRoots: [GraphRoot] {
        get { box.fields.graphRoots }
        set { change { $0.graphRoots = newValue } }
    }
    /// A map of maps' inner template: what a lookup in it gives.
    public var inner: MapShape? {
        get { box.fields.inner.first }
        set { change { $0.inner = newValue.map { [$0] } ?? [] } }
    }

    var valueAccess: MapValueAccess {
        MapValueAccess(writable: programWritable, readable: programReadable, lockOffset: spinLockOffset,
                       timerOffset: timerOffset, workqueueOffset: workqueueOffset, valueHasBTF: valueHasBTF, mapName: name, mapUID: uid, kptrFields: kptrFields,
                       graphRoots: graphRoots)
    }

    /// An array (or per-CPU array) looked up with a known key inside it returns no NULL.
    var mayElideNull: Bool { (type == 2 || type == 6) && !innerTemplate }

    /// Whether `bpf_map_lookup_elem` on it returns a pointer to a value of `valueSize` bytes.
    var lookupGivesValue: Bool {
        // hash, array, percpu hash/array, lru hash/percpu, lpm trie, devmap, devmap_hash
        [1, 2, 5, 6, 9, 10, 11, 14, 25].contains(type)
    }

    /// A sockmap or sockhash: a lookup gives a socket, an update takes one.
    var holdsSockets: Bool { type == 15 || type == 18 }
}
