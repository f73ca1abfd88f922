/// One step of an access path: a named member of a struct/union, an array element, or
/// (for enum relocations) an enumerator.
struct COREAccessor: Sendable {
    /// The struct/union or enum holding the member (for array steps: the element type).
    let typeID: UInt32
    let index: Int
    /// Nil for array steps.
    let name: String?
}

/// A resolved access path in one BTF: where it starts, its named steps, every raw index
/// (anonymous members included) and the bit offset it reaches.
struct CORESpec: Sendable {
    let rootTypeID: UInt32
    var accessors: [COREAccessor] = []
    var raw: [Int] = []
    var bitOffset: UInt64 = 0

    init(rootTypeID: UInt32) {
        self.rootTypeID = rootTypeID
    }

    /// Moves the offset by `count` elements of `size` bytes, refusing offsets past 64 bits.
    mutating func advance(elements count: Int, of size: UInt32) throws(COREFailure) {
        let (bytes, o1) = UInt64(count).multipliedReportingOverflow(by: UInt64(size))
        let (bits, o2) = bytes.multipliedReportingOverflow(by: 8)
        try advance(bits: bits, overflow: o1 || o2)
    }

    mutating func advance(bits: UInt64, overflow: Bool = false) throws(COREFailure) {
        let (sum, o) = bitOffset.addingReportingOverflow(bits)
        guard !overflow, !o else { throw COREFailure("offset does not fit 64 bits", errno: .ERANGE) }
        bitOffset = sum
    }

    /// `iphdr.saddr[1]`-style text for messages.
    func path(in btf: BTF) -> String {
        var text = btf.describe(rootTypeID)
        for accessor in accessors.dropFirst() {
            if let name = accessor.name { text += "." + name } else { text += "[\(accessor.index)]" }
        }
        return text
    }
}

/// Reads the access string of a relocation against the object's own BTF.
enum CORELocalSpec {
    static func parse(_ relocation: CORERelocation, in btf: BTF) throws(COREFailure) -> CORESpec {
        let parts = relocation.access.split(separator: ":", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= COREBudget.maxSpecLength else {
            throw COREFailure("access string '\(relocation.access)' has \(parts.count) steps (1 to \(COREBudget.maxSpecLength) allowed)")
        }
        var raw: [Int] = []
        for part in parts {
            guard let index = Int(part), index >= 0, index <= Int(UInt32.max) else {
                throw COREFailure("access string '\(relocation.access)' is not a list of indices")
            }
            raw.append(index)
        }
        guard btf.type(relocation.typeID) != nil, relocation.typeID != 0 else {
            throw COREFailure("local type id \(relocation.typeID) is not in the object's BTF")
        }
        var spec = CORESpec(rootTypeID: relocation.typeID)
        spec.raw = raw
        if relocation.kind.isTypeBased {
            guard raw == [0] else { throw COREFailure("type relocation with access string '\(relocation.access)' (expected '0')") }
            return spec
        }
        guard let (id, root) = btf.skippingModifiers(relocation.typeID) else {
            throw COREFailure("local type id \(relocation.typeID) leads to a missing type or a cycle")
        }
        if relocation.kind.isEnumValueBased {
            guard root.isAnyEnum, raw.count == 1, raw[0] < root.enumValues.count else {
                throw COREFailure("enum value relocation on \(btf.describe(id)) with access string '\(relocation.access)'")
            }
            spec.accessors = [COREAccessor(typeID: id, index: raw[0], name: root.enumValues[raw[0]].name)]
            return spec
        }
        return try fieldSpec(raw, root: id, btf: btf, spec: spec)
    }

    private static func fieldSpec(_ raw: [Int], root: UInt32, btf: BTF, spec start: CORESpec) throws(COREFailure) -> CORESpec {
        var spec = start
        guard let rootSize = btf.size(of: root) else {
            throw COREFailure("\(btf.describe(root)) has no size to index")
        }
        spec.accessors.append(COREAccessor(typeID: root, index: raw[0], name: nil))
        try spec.advance(elements: raw[0], of: rootSize)
        var id = root
        for index in raw.dropFirst() {
            guard let (current, t) = btf.skippingModifiers(id) else {
                throw COREFailure("type [\(id)] is missing or cyclic")
            }
            if t.isComposite {
                guard index < t.members.count else {
                    throw COREFailure("member index \(index) of \(btf.describe(current)) is past its \(t.members.count) members")
                }
                try spec.advance(bits: UInt64(t.memberBitOffset(index)))
                let name = t.members[index].name
                if !name.isEmpty { spec.accessors.append(COREAccessor(typeID: current, index: index, name: name)) }
                id = t.members[index].type
            } else if t.kind == .array {
                guard let (element, _) = btf.skippingModifiers(t.arrayElement) else {
                    throw COREFailure("array element type [\(t.arrayElement)] is missing or cyclic")
                }
                let flexible = isFlexible(t, after: spec.accessors.last, in: btf)
                guard flexible || index < Int(t.arrayCount) else {
                    throw COREFailure("index \(index) is past the \(t.arrayCount) elements of the array")
                }
                guard let size = btf.size(of: element) else { throw COREFailure("array element \(btf.describe(element)) has no size") }
                spec.accessors.append(COREAccessor(typeID: element, index: index, name: nil))
                try spec.advance(elements: index, of: size)
                id = element
            } else {
                throw COREFailure("access step \(index) reaches \(btf.describe(current)), which is neither struct, union nor array")
            }
        }
        return spec
    }

    /// A zero-length array as the last member of a struct may be indexed past its length.
    static func isFlexible(_ array: BTFType, after accessor: COREAccessor?, in btf: BTF) -> Bool {
        guard array.arrayCount == 0, let accessor, accessor.name != nil,
              let holder = btf.type(accessor.typeID) else { return false }
        return accessor.index == holder.members.count - 1
    }
}
