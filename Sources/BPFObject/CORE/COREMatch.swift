/// Matches a local access path against one candidate type of the target BTF, producing the
/// target's path (nil when the candidate does not have the fields or enumerator).
struct COREMatch {
    let local: BTF
    let target: BTF
    var budget = COREBudget()

    init(local: BTF, target: BTF) {
        self.local = local
        self.target = target
    }

    mutating func match(_ spec: CORESpec, kind: COREKind, candidate: UInt32) throws(COREFailure) -> CORESpec? {
        var result = CORESpec(rootTypeID: candidate)
        var compat = CORECompat(local: local, target: target, budget: budget)
        defer { budget = compat.budget }
        if kind.isTypeBased {
            let ok = kind == .typeMatches
                ? try compat.typesMatch(spec.rootTypeID, candidate)
                : try compat.typesCompatible(spec.rootTypeID, candidate)
            return ok ? result : nil
        }
        if kind.isEnumValueBased {
            guard let first = spec.accessors.first, let name = first.name,
                  let (id, t) = target.skippingModifiers(candidate), t.isAnyEnum else { return nil }
            let wanted = CORENames.essential(name)
            guard let index = t.enumValues.firstIndex(where: { CORENames.essential($0.name) == wanted }) else { return nil }
            result.accessors = [COREAccessor(typeID: id, index: index, name: t.enumValues[index].name)]
            result.raw = [index]
            return result
        }
        var targetID = candidate
        for (i, accessor) in spec.accessors.enumerated() {
            guard let (id, t) = target.skippingModifiers(targetID) else {
                throw COREFailure("target type [\(targetID)] is missing or cyclic")
            }
            targetID = id
            if accessor.name != nil {
                guard try matchMember(accessor, in: targetID, into: &result, next: &targetID, compat: &compat) else { return nil }
                continue
            }
            if i > 0 {
                guard t.kind == .array else { return nil }
                let flexible = CORELocalSpec.isFlexible(t, after: result.accessors.last, in: target)
                guard flexible || accessor.index < Int(t.arrayCount) else { return nil }
                guard let (element, _) = target.skippingModifiers(t.arrayElement) else {
                    throw COREFailure("target array element [\(t.arrayElement)] is missing or cyclic")
                }
                targetID = element
            }
            guard result.raw.count < COREBudget.maxSpecLength else {
                throw COREFailure("access path deeper than \(COREBudget.maxSpecLength) steps", errno: .E2BIG)
            }
            result.accessors.append(COREAccessor(typeID: targetID, index: accessor.index, name: nil))
            result.raw.append(accessor.index)
            guard let size = target.size(of: targetID) else {
                throw COREFailure("target \(target.describe(targetID)) has no size")
            }
            try result.advance(elements: accessor.index, of: size)
        }
        return result
    }

    /// Finds the member named like `accessor` in struct/union `holder`, looking through
    /// anonymous members; on success appends its step and sets `next` to the member's type.
    private func matchMember(_ accessor: COREAccessor, in holder: UInt32, into spec: inout CORESpec,
                             next: inout UInt32, compat: inout CORECompat) throws(COREFailure) -> Bool {
        guard let localHolder = local.type(accessor.typeID), accessor.index < localHolder.members.count else {
            throw COREFailure("local member \(accessor.index) of type [\(accessor.typeID)] is missing")
        }
        let localMember = localHolder.members[accessor.index]
        guard let (holderID, t) = target.skippingModifiers(holder), t.isComposite else { return false }
        for (i, member) in t.members.enumerated() {
            try compat.budget.spend()
            guard spec.raw.count < COREBudget.maxSpecLength else {
                throw COREFailure("access path deeper than \(COREBudget.maxSpecLength) steps", errno: .E2BIG)
            }
            let saved = spec
            try spec.advance(bits: UInt64(t.memberBitOffset(i)))
            spec.raw.append(i)
            if member.name.isEmpty {
                if try matchMember(accessor, in: member.type, into: &spec, next: &next, compat: &compat) { return true }
            } else if member.name == localMember.name {
                guard try compat.fieldsCompatible(localMember.type, member.type) else { spec = saved; return false }
                spec.accessors.append(COREAccessor(typeID: holderID, index: i, name: member.name))
                next = member.type
                return true
            }
            spec = saved
        }
        return false
    }
}
