@testable import BPFVM
import Testing

/// `RegisterKinds` rules a kept state out only when `AbstractValue.covers` refuses one of its
/// live registers: the quick check must never drop a cover the full comparison would find.
@Suite struct RegisterKindsTests {
    static let values: [AbstractValue] = [
        .notInit, .unknown, .constant(3), .scalar(.unknown), .pointer(.context), .pointer(.stack(frame: 0)),
        .pointer(.stack(frame: 1)), .pointer(.packet), .pointer(.packetEnd), .pointer(.function(4)),
    ]

    static func registers(_ r1: AbstractValue) -> [AbstractValue] {
        var registers = [AbstractValue](repeating: .constant(0), count: 11)
        registers[1] = r1
        return registers
    }

    /// Over every pair of kinds in r1: ruled out exactly when r1 is live and does not cover.
    @Test func agreesWithCoversOnEveryPair() {
        for mine in Self.values {
            for theirs in Self.values {
                let a = RegisterKinds(Self.registers(mine)), b = RegisterKinds(Self.registers(theirs))
                let sameCase = a.tags == b.tags
                #expect(a.mayCover(b, live: 0b1) == true, "r1 dead: nothing to rule out")
                let ruledOut = !a.mayCover(b, live: 0b10)
                if ruledOut { #expect(!mine.covers(theirs), "ruled out \(mine.kind) over \(theirs.kind)") }
                // Same case, or a value covering anything: never ruled out.
                if sameCase || mine.kind == .notInit || mine.kind == .unknown { #expect(!ruledOut) }
            }
        }
    }

    @Test func scalarOverPointerIsRuledOut() {
        let a = RegisterKinds(Self.registers(.scalar(.unknown))), b = RegisterKinds(Self.registers(.pointer(.context)))
        #expect(!a.mayCover(b, live: 0b10))
        #expect(!b.mayCover(a, live: 0b10))
        #expect(a.mayCover(b, live: 0b100))
    }

    /// A state without the usual 11 registers is never ruled out.
    @Test func unusualRegisterCountRulesNothingOut() {
        let short = RegisterKinds([.pointer(.context)])
        let full = RegisterKinds(Self.registers(.scalar(.unknown)))
        #expect(short.mayCover(full, live: .max))
        #expect(full.mayCover(short, live: .max))
    }
}
