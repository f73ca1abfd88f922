import BPFCore
import Glibc
import Testing
@testable import TCRuntime

/// The user-memory nofault copies the probe-read helpers and kfuncs share (`NofaultCopies`):
/// this process's memory read without faulting, a page the process may not read (PROT_NONE)
/// faulting as the kernel's copy_from_user_nofault and strncpy_from_user_nofault fault there,
/// and the string rules (the count with the NUL, a cut string ending in a NUL).
@Suite struct NofaultUserCopyTests {
    static let page = 4096
    static let efault = -Int(LinuxErrno.EFAULT.rawValue)

    /// Two pages: the first readable and filled with `text` ending at its last byte, the
    /// second PROT_NONE; `body` gets the first byte of the text.
    static func withGuardedText(_ text: [UInt8], _ body: (UInt64) -> Void) throws {
        let mapped = try #require(mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        #expect(mapped != MAP_FAILED)
        defer { munmap(mapped, 2 * page) }
        #expect(mprotect(mapped + page, page, PROT_NONE) == 0)
        let start = mapped + page - text.count
        for (i, byte) in text.enumerated() { start.storeBytes(of: byte, toByteOffset: i, as: UInt8.self) }
        body(UInt64(UInt(bitPattern: start)))
    }

    static func read(_ count: Int, _ copy: (UnsafeMutableRawBufferPointer) -> Int) -> (Int, [UInt8]) {
        var bytes = [UInt8](repeating: 0xee, count: count)
        let answer = bytes.withUnsafeMutableBytes { copy($0) }
        return (answer, bytes)
    }

    @Test func stringEndingBeforeAnUnreadablePageReadsWhole() throws {
        try Self.withGuardedText(Array("abc".utf8) + [0]) { address in
            let (answer, bytes) = Self.read(16) { NofaultCopies.userString(into: $0, from: address) }
            #expect(answer == 4)
            #expect(Array(bytes.prefix(5)) == Array("abc".utf8) + [0, 0xee])
        }
    }

    @Test func stringRunningIntoAnUnreadablePageFaults() throws {
        try Self.withGuardedText(Array("abcd".utf8)) { address in
            let (answer, bytes) = Self.read(16) { NofaultCopies.userString(into: $0, from: address) }
            #expect(answer == Self.efault)
            #expect(Array(bytes.prefix(4)) == Array("abcd".utf8))
            // Cut before the page ends: the bytes and a NUL, the count with it.
            let (cut, cutBytes) = Self.read(3) { NofaultCopies.userString(into: $0, from: address) }
            #expect(cut == 3 && cutBytes == Array("ab".utf8) + [0])
        }
    }

    @Test func bytesMustAllBeReadable() throws {
        try Self.withGuardedText(Array("abcd".utf8)) { address in
            #expect(Self.read(4) { NofaultCopies.userBytes(into: $0, from: address) } == (0, Array("abcd".utf8)))
            #expect(Self.read(5) { NofaultCopies.userBytes(into: $0, from: address) }.0 == Self.efault)
            // Nothing to read: only the address range is checked.
            #expect(Self.read(0) { NofaultCopies.userBytes(into: $0, from: address + 4) }.0 == 0)
        }
    }

    @Test func addressesPastTheUserHalfFault() {
        let kernel: UInt64 = 0xffff_8880_0000_0000
        #expect(Self.read(0) { NofaultCopies.userBytes(into: $0, from: kernel) }.0 == Self.efault)
        #expect(Self.read(8) { NofaultCopies.userString(into: $0, from: kernel) }.0 == Self.efault)
        #expect(Self.read(8) { NofaultCopies.userBytes(into: $0, from: UInt64.max - 3) }.0 == Self.efault)
        #expect(Self.read(0) { NofaultCopies.userString(into: $0, from: 0) }.0 == 0)
        #expect(Self.read(4) { NofaultCopies.userString(into: $0, from: 0) }.0 == Self.efault)
    }
}
