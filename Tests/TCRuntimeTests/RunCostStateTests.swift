import BPFCore
import BPFVM
@testable import TCRuntime
import Testing

/// What the fourteenth step of issue 11 keeps from one run to the next or works out once
/// (docs/vm.md): the rendered `__sk_buff.sk` block across the repeats of a test-run, and the
/// kernel skb image's member stores planned from the layout.
@Suite struct RunCostStateTests {
    /// `skb->sk ? sk->family | 0x100 : 0xdead`.
    static let socketFamily = [Asm.load(8, 2, 1, Int16(SKBField.sk)), Asm.jeq(2, 0, 3),
                               Asm.load(4, 0, 2, 4), Asm.add(0, 0x100), Asm.exit,
                               Asm.mov(0, 0xdead), Asm.exit]

    static func frame(etherType: [UInt8], payload: Int) -> [UInt8] {
        [UInt8](repeating: 0, count: 12) + etherType + (0 ..< payload).map { UInt8(truncatingIfNeeded: $0 &+ 0x40) }
    }

    /// Every repeat reads the socket (rendered once, kept), and a later skb on the same
    /// thread's pooled run sees its own socket or none, never the block an earlier skb left.
    @Test(arguments: ExecutorKind.allCases)
    func theSocketBlockStaysForItsSkbOnly(kind: ExecutorKind) throws {
        let program = try TCProgram(instructions: Self.socketFamily, executor: kind)
        let runner = TCProgramRunner(executor: kind)
        func skb(_ socket: SKBSocket?) -> SKBuff {
            var metadata = SKBMetadata()
            metadata.socket = socket
            return SKBuff(packet: Self.frame(etherType: [0x08, 0x00], payload: 60), metadata: metadata)
        }
        let v6 = SKBSocket(family: 10, source: [UInt8](repeating: 1, count: 16), destination: [UInt8](repeating: 2, count: 16))
        let v4 = SKBSocket(family: 2, source: [10, 0, 0, 1], destination: [10, 0, 0, 2])
        for _ in 0 ..< 3 {
            #expect(try runner.run(program, on: skb(v6), repeat: 5).returnValue == 0x100 | 10)
            #expect(try runner.run(program, on: skb(nil), repeat: 5).returnValue == 0xdead)
            #expect(try runner.run(program, on: skb(v4), repeat: 5).returnValue == 0x100 | 2)
            #expect(try runner.run(program, on: skb(v4)).returnValue == 0x100 | 2)
        }
    }

    /// A repeat after a run that received a grant (a map value), which empties the run's
    /// grants, still reads the kept socket block.
    @Test(arguments: ExecutorKind.allCases)
    func theSocketOutlivesTheGrantsOfEachRepeat(kind: ExecutorKind) throws {
        let result = try TCTestRun.run(TCProgram(instructions: Self.socketFamily, executor: kind),
                                       packet: Self.frame(etherType: [0x86, 0xdd], payload: 60), repeat: 7)
        #expect(result.returnValue == 0x100 | 10)
    }

    /// Each member of the sk_buff image, stored over random bytes, holds exactly its value's
    /// bits where the layout puts it and leaves every other bit as it was.
    @Test func everyImageMemberStoresOnlyItsBits() throws {
        let layout = try #require(KernelStructLayout.skb)
        let image = KernelStructImage(layout: layout)
        var random = SystemRandomNumberGenerator()
        for member in SKBMember.allCases {
            guard let location = layout.location(member.rawValue) else { continue }
            for _ in 0 ..< 20 {
                for i in 0 ..< image.bytes.count { image.bytes[i] = UInt8.random(in: 0 ... 255, using: &random) }
                let before = Array(image.bytes)
                let value = UInt64.random(in: 0 ... UInt64.max, using: &random)
                image.set(member.rawValue, value)
                let (low, width) = location.bitfieldSize > 0 ? (location.bitOffset, location.bitfieldSize)
                                                              : (location.bitOffset, 8 * location.size)
                var wrong: [Int] = []
                for bit in 0 ..< 8 * image.bytes.count {
                    let now = image.bytes[bit / 8] >> UInt8(bit % 8) & 1
                    let index = bit - low
                    let expected = bit >= low && index < width
                        ? (index < 64 ? UInt8(truncatingIfNeeded: value >> UInt64(index)) & 1 : 0)
                        : before[bit / 8] >> UInt8(bit % 8) & 1
                    if now != expected { wrong.append(bit) }
                }
                #expect(wrong.isEmpty, "\(member) = \(value): bits \(wrong) wrong")
            }
        }
    }
}
