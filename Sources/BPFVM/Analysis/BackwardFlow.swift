import BPFCore

/// A backward data-flow problem over a program's registers (a bit per register): each
/// instruction's value from the union of its successors' values, iterated to the fixed point.
enum BackwardFlow {
    static func solve(_ program: VerifiedProgram,
                      _ before: (_ index: Int, _ op: Operation, _ after: UInt16) -> UInt16) -> [UInt16] {
        var values = [UInt16](repeating: 0, count: program.count)
        var changed = true
        while changed {
            changed = false
            for index in stride(from: program.count - 1, through: 0, by: -1) {
                guard let op = program.operations[index] else { continue }
                var after: UInt16 = 0
                for next in program.successors(of: index) where next < program.count { after |= values[next] }
                let value = before(index, op, after)
                if value != values[index] {
                    values[index] = value
                    changed = true
                }
            }
        }
        return values
    }
}
