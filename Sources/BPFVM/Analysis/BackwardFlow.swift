import BPFCore

/// A value of a backward data-flow problem: what holds after an instruction is the join of what
/// holds before each of its successors, starting from `empty`.
protocol BackwardFlowValue: Equatable {
    static var empty: Self { get }
    mutating func join(_ other: Self)
}

/// Bit sets: a bit per register (`UInt16`) or per stack slot (`UInt64`), joined by union.
extension UInt16: BackwardFlowValue {
    static var empty: UInt16 { 0 }
    mutating func join(_ other: UInt16) { self |= other }
}

extension UInt64: BackwardFlowValue {
    static var empty: UInt64 { 0 }
    mutating func join(_ other: UInt64) { self |= other }
}

/// A backward data-flow problem over a program: each instruction's value from the join of its
/// successors' values, iterated to the fixed point.
enum BackwardFlow {
    static func solve<Value: BackwardFlowValue>(
        _ program: VerifiedProgram, _ before: (_ index: Int, _ op: Operation, _ after: Value) -> Value
    ) -> [Value] {
        var values = [Value](repeating: .empty, count: program.count)
        var changed = true
        while changed {
            changed = false
            for index in stride(from: program.count - 1, through: 0, by: -1) {
                guard let op = program.operations[index] else { continue }
                var after = Value.empty
                for next in program.successors(of: index) where next < program.count { after.join(values[next]) }
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
