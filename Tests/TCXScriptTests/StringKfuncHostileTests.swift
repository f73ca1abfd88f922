import SwiftTCX
import TCXScript
import Testing

/// The string kfuncs given strings the kernel would read on past, into memory the program does
/// not own (`strings_hostile` in corpus/kfunc/strings.c). The kernel's answers there depend on
/// whatever lies beyond; the embedded backend answers a clean error without reading it: EFAULT
/// where the string leaves program memory, ERANGE for an address that is no program memory at
/// all (a host address is in the user half, which the kernel refuses).
@Suite struct StringKfuncHostileTests {
    static let folder = Fixtures.root + "/Tests/Fixtures/corpus/kfunc"
    static let request = "02000000000202000000000188b5" + String(repeating: "00", count: 118)
    static let (efault, erange, enoent): (Int32, Int32, Int32) = (-14, -34, -2)

    /// The twelve results `strings_hostile` stores at @84.
    func results(program: String) throws -> [Int32] {
        let world = try Backend.embedded.openWorld()
        defer { world.shutdown() }
        let lines = try ScriptFile.run(source: """
            prog h load strings.o \(program)
            test-run h packet=\(Self.request)
            """, path: Self.folder + "/hostile.tcx", world: world)
        let result = try #require(lines.last?.result)
        #expect(result.hasPrefix("ret=0 "), "\(result)")
        let hex = Array(try #require(result.split(separator: "=").last).utf8)
        var bytes: [UInt8] = []
        var i = 0
        while i + 1 < hex.count, let byte = UInt8(String(decoding: hex[i...i + 1], as: UTF8.self), radix: 16) {
            bytes.append(byte)
            i += 2
        }
        try #require(bytes.count >= 84 + 48)
        return (0..<12).map { k in
            let at = 84 + 4 * k
            return Int32(bitPattern: UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24)
        }
    }

    @Test func unterminatedAtTheEndOfAMapValueFaults() throws {
        let r = try results(program: "strings_hostile")
        #expect(r[0] == Self.efault)   // strlen of 8 bytes without a NUL
        #expect(r[1] == 8)             // strnlen stopping at the end reads nothing past it
        #expect(r[2] == Self.efault)   // strnlen(9) reads the byte past it
        #expect(r[3] == Self.efault)   // strcmp of the value with itself
        #expect(r[4] == 7)             // strchr finds 'h' before the end
        #expect(r[10] == Self.enoent)  // strstr of the value in a shorter string ends at that one's NUL
        #expect(r[11] == 7)            // strspn: the first 7 bytes are in "abcdefg", 'h' is not
    }

    @Test func theContextAndPointersPastProgramMemoryAreNeverRead() throws {
        let r = try results(program: "strings_hostile")
        #expect(r[5] == Self.efault)   // the context: the kernel's struct sk_buff, which is not here
        #expect(r[6] < 0)              // just past the map value
        #expect(r[7] == Self.erange)   // a megabyte past it
        #expect(r[8] == Self.erange)   // past the stack frame
        #expect(r[9] == Self.erange)   // 5000 bytes into a 60-byte packet
    }
}
