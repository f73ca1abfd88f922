import BPFCore
@testable import BPFVM
import Testing

/// Known bits and bounds (`Tnum`, `ScalarRange`, `ScalarArithmetic`, `ScalarComparison`):
/// every value an abstract number allows stays allowed through each operation (soundness,
/// checked on random members of random numbers), and the results the kernel's log gives for
/// the same instructions on Linux 6.18.
struct KnownBitsTests {
    static func contains(_ r: ScalarRange, _ v: UInt64) -> Bool {
        let low = UInt32(truncatingIfNeeded: v)
        return r.umin <= v && v <= r.umax && r.smin <= Int64(bitPattern: v) && Int64(bitPattern: v) <= r.smax
            && r.u32min <= low && low <= r.u32max && r.s32min <= Int32(bitPattern: low) && Int32(bitPattern: low) <= r.s32max
            && r.bits.contains(.constant(v))
    }

    /// A random number as a program builds one (masks, ors, adds, shifts, sign-extensions of
    /// an unknown input) and one value it allows.
    static func sample(_ random: inout SplitMix64) -> (ScalarRange, UInt64) {
        var range = ScalarRange.unknown
        var value = random.next()
        let steps: [(ALUKind, Bool, UInt64)] = [
            (.and, true, [0xff, 0xf0, 0x0f, 0xffff, 0x1f, 0xffff_0000_0000, 0x8000_0000_0000_00ff][Int(random.next() % 7)]),
            (.or, random.next() % 2 == 0, [1, 0x10, 0x8000_0000, 0xa000_0000_0000_0000][Int(random.next() % 4)]),
            (.add, random.next() % 2 == 0, [1, 0xffff_ffff_ffff_ffff, 0x7fff_ffff, 400, 0xffff_ff00][Int(random.next() % 5)]),
            (.sub, random.next() % 2 == 0, [1, 2, 0x8000_0000][Int(random.next() % 3)]),
        ]
        for _ in 0 ..< Int(random.next() % 4) {
            let (kind, is64, operand) = steps[Int(random.next() % UInt64(steps.count))]
            range = ScalarArithmetic.apply(kind, is64: is64, range, .constant(operand))
            value = reference(kind, is64: is64, value, operand)
        }
        if random.next() % 4 == 0 {
            range = ScalarArithmetic.apply(.movsx(bits: 8), is64: true, .unknown, range)
            value = UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: value)))
        }
        return (range, value)
    }

    /// What the machine computes.
    static func reference(_ kind: ALUKind, is64: Bool, _ a: UInt64, _ b: UInt64) -> UInt64 {
        let result: UInt64
        switch kind {
        case .add: result = a &+ b
        case .sub: result = a &- b
        case .mul: result = is64 ? a &* b : UInt64(UInt32(truncatingIfNeeded: a) &* UInt32(truncatingIfNeeded: b))
        case .and: result = a & b
        case .or: result = a | b
        case .xor: result = a ^ b
        case .lsh: result = is64 ? a << (b & 63) : UInt64(UInt32(truncatingIfNeeded: a) << (UInt32(truncatingIfNeeded: b) & 31))
        case .rsh: result = is64 ? a >> (b & 63) : UInt64(UInt32(truncatingIfNeeded: a) >> (UInt32(truncatingIfNeeded: b) & 31))
        case .arsh:
            result = is64 ? UInt64(bitPattern: Int64(bitPattern: a) >> Int64(b & 63))
                : UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: a) >> Int32(b & 31)))
        case .neg: result = 0 &- a
        default: result = b
        }
        return is64 ? result : result & 0xffff_ffff
    }

    @Test(arguments: [ALUKind.add, .sub, .mul, .and, .or, .xor, .lsh, .rsh, .arsh, .neg])
    func everyOperationKeepsTheValuesItAllows(_ kind: ALUKind) {
        var random = SplitMix64(seed: 12)  // seeded: a failure repeats
        for _ in 0 ..< 4000 {
            let (a, x) = Self.sample(&random)
            var (b, y) = Self.sample(&random)
            if [.lsh, .rsh, .arsh].contains(kind) {
                y = random.next() % 40
                b = .constant(y)
            }
            for is64 in [true, false] {
                if [.lsh, .rsh, .arsh].contains(kind), y >= (is64 ? 64 : 32) { continue }
                let result = ScalarArithmetic.apply(kind, is64: is64, a, b)
                let value = Self.reference(kind, is64: is64, x, y)
                #expect(Self.contains(result, value), "\(kind) is64=\(is64) \(a) \(b) lost \(value)")
            }
        }
    }

    @Test func comparisonsKeepTheWayEveryValueTakes() {
        var random = SplitMix64(seed: 99)
        let conditions: [JumpCondition] = [.eq, .ne, .gt, .ge, .lt, .le, .sgt, .sge, .slt, .sle, .set]
        for _ in 0 ..< 6000 {
            let (a, x) = Self.sample(&random)
            let (b, y) = random.next() % 2 == 0 ? Self.sample(&random) : { let c = random.next() % 300; return (ScalarRange.constant(c), c) }()
            let condition = conditions[Int(random.next() % UInt64(conditions.count))]
            for is64 in [true, false] {
                let taken = Self.holds(condition, is64: is64, x, y)
                if let decided = ScalarComparison.decide(condition, is64: is64, a, b) {
                    #expect(decided == taken, "\(condition) is64=\(is64) decided \(decided) for \(x), \(y)")
                    continue
                }
                let (na, nb) = ScalarComparison.refine(condition, is64: is64, a, b, taken: taken)
                #expect(Self.contains(na, x) && Self.contains(nb, y), "\(condition) is64=\(is64) taken=\(taken) lost \(x), \(y)")
            }
        }
    }

    static func holds(_ condition: JumpCondition, is64: Bool, _ a: UInt64, _ b: UInt64) -> Bool {
        let x = is64 ? a : a & 0xffff_ffff, y = is64 ? b : b & 0xffff_ffff
        let sx = is64 ? Int64(bitPattern: a) : Int64(Int32(truncatingIfNeeded: a))
        let sy = is64 ? Int64(bitPattern: b) : Int64(Int32(truncatingIfNeeded: b))
        switch condition {
        case .eq: return x == y
        case .ne: return x != y
        case .gt: return x > y
        case .ge: return x >= y
        case .lt: return x < y
        case .le: return x <= y
        case .sgt: return sx > sy
        case .sge: return sx >= sy
        case .slt: return sx < sy
        case .sle: return sx <= sy
        case .set: return x & y != 0
        }
    }

    /// `r0 &= 0x1a0; r6 &= 0xaf; r0 ^= r6` (and `|=`): the kernel logs umax=431, var_off=(0x0; 0x1af).
    @Test func xorAndOrOfMaskedNumbers() {
        let a = ScalarArithmetic.apply(.and, is64: true, .loaded(bytes: 4), .constant(0x1a0))
        let b = ScalarArithmetic.apply(.and, is64: true, .loaded(bytes: 4), .constant(0xaf))
        for kind in [ALUKind.xor, .or] {
            let r = ScalarArithmetic.apply(kind, is64: true, a, b)
            #expect(r.umax == 431 && r.umin == 0 && r.bits == Tnum(value: 0, mask: 0x1af))
        }
    }

    /// `r0 &= 0x0f; r6 &= 0xff; r0 *= r6`: umax=3825, var_off=(0x0; 0xfff).
    @Test func productOfMaskedNumbers() {
        let a = ScalarArithmetic.apply(.and, is64: true, .loaded(bytes: 4), .constant(0x0f))
        let b = ScalarArithmetic.apply(.and, is64: true, .loaded(bytes: 4), .constant(0xff))
        let r = ScalarArithmetic.apply(.mul, is64: true, a, b)
        #expect(r.umax == 3825 && r.bits == Tnum(value: 0, mask: 0xfff))
    }

    /// A 32-bit add whose every outcome wraps, `w3 = 0xa0000000 | x; w3 += w3`: the kernel logs
    /// umin32=0x40000000, umax32=0xfffffffe.
    @Test func narrowSumThatAlwaysWraps() {
        let x = ScalarArithmetic.apply(.or, is64: false, .loaded(bytes: 4), .constant(0xa000_0000))
        let r = ScalarArithmetic.apply(.add, is64: false, x, x)
        #expect(r.u32min == 0x4000_0000 && r.u32max == 0xffff_fffe && r.umax == 0xffff_fffe)
    }

    /// Pruning: an explored number covers a new one only if its bounds and its bits do.
    @Test func coverageNeedsTheBitsToo() {
        let even = ScalarRange.knownBits(Tnum(value: 0, mask: 0xfe))
        let small = ScalarRange.upTo(0xff)
        #expect(small.covers(even))
        #expect(!even.covers(small))
        #expect(!even.covers(.constant(3)))
        #expect(even.covers(.constant(4)))
    }
}
