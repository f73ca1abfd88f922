import BPFCore

/// The map/helper compatibility rule (MapFunctionCompatibility) for programs the path analysis
/// does not follow (types whose rules are not known here): a helper call whose map argument was loaded by an `lddw` earlier in
/// the same straight run of instructions, no jump landing in between, is checked against that
/// map. Anything less certain is left alone, so nothing is refused the kernel would take.
enum MapCallCheck {
    static func run(_ verified: VerifiedProgram) throws(VMError) {
        var landings: Set<Int> = []
        for (index, op) in verified.operations.enumerated() {
            // An lddw's way on skips its second half: no jump lands there.
            if case .loadImm64? = op { continue }
            for target in verified.successors(of: index) where target != index + 1 { landings.insert(target) }
        }
        for (index, op) in verified.operations.enumerated() {
            guard case .call(.helper(let id))? = op, let argument = MapFunctionCompatibility.mapArgument[id],
                  let shape = loadedMap(into: UInt8(argument.register), before: index, verified, landings: landings)
            else { continue }
            try MapFunctionCompatibility.check(id, map: shape, at: index)
        }
    }

    /// The map an `lddw` put in `register` on the only way to `index`, nil when not certain.
    private static func loadedMap(into register: UInt8, before index: Int, _ verified: VerifiedProgram,
                                  landings: Set<Int>) -> MapShape? {
        let start = verified.functionStarts[verified.function(containing: index)]
        var slot = index
        while slot > start, !landings.contains(slot) {
            slot -= 1
            guard let op = verified.operations[slot] else { continue }  // the second half of an lddw
            if case .call = op { return nil }
            guard Verifier.writtenRegister(op) == register else { continue }
            if case .loadImm64 = op { return verified.mapShapes[slot] }
            return nil
        }
        return nil
    }
}
