import BPFCore

/// What a program may do with a map's values: BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG, and
/// where a `bpf_spin_lock` sits (no load or store may touch it). Its fields sit in one shared
/// box (`SharedFields`): a map value pointer copies as small as a number.
struct MapValueAccess: Hashable {
    struct Fields: Hashable, Sendable {
        var writable = true
        var readable = true
        var lockOffset: Int?
        var fixed: UInt64?
        var timerOffset: Int?
        var workqueueOffset: Int?
        var valueHasBTF = true
        var mapName = ""
        var mapUID = 0
        var kptrFields: [KptrField] = []
        var graphRoots: [GraphRoot] = []
    }

    private var box: SharedFields<Fields>

    init(writable: Bool = true, readable: Bool = true, lockOffset: Int? = nil, fixed: UInt64? = nil,
         timerOffset: Int? = nil, workqueueOffset: Int? = nil, valueHasBTF: Bool = true, mapName: String = "",
         mapUID: Int = 0, kptrFields: [KptrField] = [], graphRoots: [GraphRoot] = []) {
        box = SharedFields(Fields(writable: writable, readable: readable, lockOffset: lockOffset, fixed: fixed,
                                  timerOffset: timerOffset, workqueueOffset: workqueueOffset, valueHasBTF: valueHasBTF,
                                  mapName: mapName, mapUID: mapUID, kptrFields: kptrFields, graphRoots: graphRoots))
    }

    private mutating func change(_ edit: (inout Fields) -> Void) {
        var fields = box.fields
        edit(&fields)
        box = SharedFields(fields)
    }

    static func == (a: MapValueAccess, b: MapValueAccess) -> Bool { SharedFields.same(a.box, b.box) }
    func hash(into hasher: inout Hasher) { hasher.combine(box.fields) }

    var writable: Bool {
        get { box.fields.writable }
        set { change { $0.writable = newValue } }
    }
    var readable: Bool {
        get { box.fields.readable }
        set { change { $0.readable = newValue } }
    }
    var lockOffset: Int? {
        get { box.fields.lockOffset }
        set { change { $0.lockOffset = newValue } }
    }
    /// A frozen read-only value's key in `PathSetup.fixedValues`: loads from it are constants.
    var fixed: UInt64? {
        get { box.fields.fixed }
        set { change { $0.fixed = newValue } }
    }
    /// Where a `bpf_timer` sits, and the map's name, which the timer helpers' refusals give.
    var timerOffset: Int? {
        get { box.fields.timerOffset }
        set { change { $0.timerOffset = newValue } }
    }
    /// Where a `bpf_wq` sits (the workqueue kfuncs' refusals), and whether the map was made
    /// with its value's BTF (without it the kernel knows no field in the value).
    var workqueueOffset: Int? {
        get { box.fields.workqueueOffset }
        set { change { $0.workqueueOffset = newValue } }
    }
    var valueHasBTF: Bool {
        get { box.fields.valueHasBTF }
        set { change { $0.valueHasBTF = newValue } }
    }
    var mapName: String {
        get { box.fields.mapName }
        set { change { $0.mapName = newValue } }
    }
    /// The map_uid of the inner map the value was looked up in (`MapShape.uid`).
    var mapUID: Int {
        get { box.fields.mapUID }
        set { change { $0.mapUID = newValue } }
    }
    /// The kptr fields, which only `bpf_kptr_xchg` changes (KptrFieldAccess).
    var kptrFields: [KptrField] {
        get { box.fields.kptrFields }
        set { change { $0.kptrFields = newValue } }
    }
    /// The graph roots, which only the graph kfuncs touch (GraphPrototypes).
    var graphRoots: [GraphRoot] {
        get { box.fields.graphRoots }
        set { change { $0.graphRoots = newValue } }
    }
}
