import BPFCore

/// Applies an object's CO-RE relocations to its functions against one target BTF, the way
/// libbpf does before BPF_PROG_LOAD.
struct COREApplier {
    let local: BTF
    let target: BTF
    let index: CORECandidates.Index
    private var candidates: [UInt32: [UInt32]] = [:]

    init(local: BTF, target: BTF, index: CORECandidates.Index? = nil) {
        self.local = local
        self.target = target
        self.index = index ?? CORECandidates.index(target)
    }

    mutating func apply(_ records: [String: [CORERelocation]], to functions: inout [Function], fail: Failure) throws(ObjectError) {
        for section in records.keys.sorted() {
            for relocation in records[section] ?? [] {
                let slot = Int(relocation.instructionOffset / 8)
                guard relocation.instructionOffset % 8 == 0,
                      let f = functions.firstIndex(where: { $0.section.name == section && $0.contains(sectionIndex: slot) }) else {
                    throw fail("section '\(section)'", "CO-RE relocation #\(relocation.number) at byte \(relocation.instructionOffset) is not on an instruction of a function")
                }
                let at = slot - functions[f].start
                do {
                    let result = try resolve(relocation)
                    try COREPatch.apply(result, to: &functions[f].instructions, at: at)
                    if result.poison || result.failsSizeAdjust {
                        let why = result.poison ? "not found in the target BTF"
                            : "the field changed size and is not an unsigned integer or a pointer"
                        functions[f].poisoned[at] = "\(describe(relocation)): \(why)"
                    }
                } catch {
                    var refusal = fail("\(functions[f].label), instruction \(at)", "\(describe(relocation)): \(error.reason)")
                    refusal.errno = error.errno
                    throw refusal
                }
            }
        }
    }

    /// `CO-RE relocation #2 (byte_off) of struct iphdr, access '0:9'` for messages.
    func describe(_ relocation: CORERelocation) -> String {
        "CO-RE relocation #\(relocation.number) (\(relocation.kind.name)) of \(local.describe(relocation.typeID)), access '\(relocation.access)'"
    }

    /// The value for one relocation: every candidate that matches must agree.
    mutating func resolve(_ relocation: CORERelocation) throws(COREFailure) -> COREResult {
        let localSpec = try CORELocalSpec.parse(relocation, in: local)
        if relocation.kind == .typeIDLocal {
            var result = COREResult(original: UInt64(relocation.typeID), new: UInt64(relocation.typeID))
            result.validate = false
            return result
        }
        let found: [UInt32]
        if let cached = candidates[relocation.typeID] {
            found = cached
        } else {
            found = try CORECandidates.find(local: relocation.typeID, in: local, target: target, index: index)
            candidates[relocation.typeID] = found
        }
        var matcher = COREMatch(local: local, target: target)
        var chosen: (spec: CORESpec, result: COREResult)?
        for candidate in found {
            guard let spec = try matcher.match(localSpec, kind: relocation.kind, candidate: candidate) else { continue }
            let result = try COREValue.result(relocation.kind, local: localSpec, localBTF: local, target: spec, targetBTF: target)
            guard let first = chosen else {
                chosen = (spec, result)
                continue
            }
            if spec.bitOffset != first.spec.bitOffset {
                throw COREFailure("field offset ambiguity: \(first.spec.path(in: target)) at bit \(first.spec.bitOffset) != \(spec.path(in: target)) at bit \(spec.bitOffset)")
            }
            if result.poison != first.result.poison || (!result.poison && result.new != first.result.new) {
                throw COREFailure("relocation decision ambiguity: \(target.describe(first.spec.rootTypeID)) gives \(first.result.new), \(target.describe(spec.rootTypeID)) [\(spec.rootTypeID)] gives \(result.new)")
            }
        }
        return try COREValue.result(relocation.kind, local: localSpec, localBTF: local, target: chosen?.spec, targetBTF: target)
    }
}
