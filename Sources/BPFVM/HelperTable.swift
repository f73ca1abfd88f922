/// A helper function: receives r1-r5 and returns r0.
public typealias HelperFunction = @Sendable (inout HelperCall) -> UInt64

/// Helper functions by id, stored densely so a call is an array index, not a hash lookup.
public struct HelperTable: Sendable {
    private var functions: [HelperFunction?] = []
    /// The same functions, each in a box the table holds: a call borrows the box and its
    /// `let`, where a closure loaded from the array was retained and released per call.
    private var boxes: [HelperBox?] = []
    /// Helper names for messages and the disassembler, by id.
    private var names: [Int32: String] = [:]
    /// Helpers accepted at load that have no function (`declare`).
    private var declared: Set<Int32> = []
    /// The helper whose lookups the resolver's `DirectMapLookup`s repeat (the runtime's
    /// `bpf_map_lookup_elem`): the JIT looks up such maps itself at its calls.
    private(set) var directMapLookupID: Int32?

    public init() {}

    /// Adds or replaces the helper with this id.
    public mutating func register(_ id: Int32, name: String = "", _ function: @escaping HelperFunction) {
        precondition(id >= 0 && id < 1 << 16, "helper ids are small non-negative numbers")
        let index = Int(id)
        if functions.count <= index { functions += Array(repeating: nil, count: index + 1 - functions.count) }
        functions[index] = function
        if boxes.count <= index { boxes += Array(repeating: nil, count: index + 1 - boxes.count) }
        boxes[index] = HelperBox(function)
        names[id] = name
        if id == directMapLookupID { directMapLookupID = nil }  // a new function: not the one marked
    }

    /// Says helper `id` is the map lookup that `DirectMapLookup`s repeat (register it first).
    public mutating func markDirectMapLookup(_ id: Int32) {
        directMapLookupID = self[Int64(id)] == nil ? nil : id
    }

    /// Adds a helper a program may call but that never runs here (a program type the embedded
    /// backend loads and does not run): the verifier accepts the call; running it faults.
    public mutating func declare(_ id: Int32, name: String = "") {
        precondition(id >= 0 && id < 1 << 16, "helper ids are small non-negative numbers")
        declared.insert(id)
        names[id] = name
    }

    public func contains(_ id: Int32) -> Bool { self[Int64(id)] != nil || declared.contains(id) }

    /// The same helpers, keeping only those in `ids` (a program type's smaller set).
    public func keeping(_ ids: Set<Int32>) -> HelperTable {
        var table = HelperTable()
        for (index, function) in functions.enumerated() {
            guard let function, ids.contains(Int32(index)) else { continue }
            table.register(Int32(index), name: names[Int32(index)] ?? "", function)
        }
        for id in declared where ids.contains(id) { table.declare(id, name: names[id] ?? "") }
        if let id = directMapLookupID, ids.contains(id) { table.markDirectMapLookup(id) }
        return table
    }

    public func name(of id: Int32) -> String? { names[id] }

    /// Calls the helper with this id in place; nil when there is none. Not copied out of the
    /// table first: a copy retained and released the closure's context per call.
    @inline(__always)
    func call(_ id: Int64, _ call: inout HelperCall) -> UInt64? {
        guard id >= 0, id < Int64(boxes.count) else { return nil }
        return boxes.withUnsafeBufferPointer { table in
            table[Int(id)].map { Unmanaged.passUnretained($0) }?._withUnsafeGuaranteedRef { $0.function(&call) }
        }
    }

    /// The helper with this id, nil when there is none.
    @inline(__always)
    public subscript(id: Int64) -> HelperFunction? {
        guard id >= 0, id < Int64(functions.count) else { return nil }
        return functions[Int(id)]
    }
}

/// One helper function, held by reference so a call borrows it.
final class HelperBox: Sendable {
    let function: HelperFunction
    init(_ function: @escaping HelperFunction) { self.function = function }
}
