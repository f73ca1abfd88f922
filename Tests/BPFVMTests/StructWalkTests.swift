import BPFCore
@testable import BPFVM
import Testing

/// The kernel's struct walk (`StructWalk`) on a small BTF of our own: nested anonymous
/// members, unions, bitfields, arrays of numbers and of structs, pointers to structs and to
/// numbers, and the refusals with the kernel's words.
@Suite struct StructWalkTests {
    /// struct outer {                       // 64 bytes
    ///     u32 a;                           // 0
    ///     <hole 4..8>
    ///     struct inner *next;              // 8
    ///     union { u64 x; struct { u16 lo; u16 hi; }; };  // 16
    ///     u8 f1:3, f2:5;                   // 24
    ///     u16 words[4];                    // 26
    ///     struct inner pairs[2];           // 34 (packed here for the test)
    ///     <hole 50..56>
    ///     char *name;                      // 56
    /// };
    /// struct inner { u32 p; u32 q; };      // 8 bytes
    final class Catalog: KernelTypeCatalog {
        // ids: 1 u32, 2 u64, 3 u16, 4 u8, 5 struct inner, 6 ptr inner, 7 anon struct, 8 anon union,
        // 9 u16[4], 10 inner[2], 11 char, 12 ptr char, 13 struct outer
        func type(_ id: UInt32) -> KernelType? {
            switch id {
            case 1: .scalar(size: 4)
            case 2: .scalar(size: 8)
            case 3: .scalar(size: 2)
            case 4, 11: .scalar(size: 1)
            case 5: .structure(KernelStructure(name: "inner", size: 8, isUnion: false, members: [
                .init(name: "p", type: 1, bitOffset: 0, bitfieldSize: 0), .init(name: "q", type: 1, bitOffset: 32, bitfieldSize: 0)]))
            case 6: .pointer(to: 5)
            case 7: .structure(KernelStructure(name: "", size: 4, isUnion: false, members: [
                .init(name: "lo", type: 3, bitOffset: 0, bitfieldSize: 0), .init(name: "hi", type: 3, bitOffset: 16, bitfieldSize: 0)]))
            case 8: .structure(KernelStructure(name: "", size: 8, isUnion: true, members: [
                .init(name: "x", type: 2, bitOffset: 0, bitfieldSize: 0), .init(name: "", type: 7, bitOffset: 0, bitfieldSize: 0)]))
            case 9: .array(element: 3, count: 4)
            case 10: .array(element: 5, count: 2)
            case 12: .pointer(to: 11)
            case 13: .structure(KernelStructure(name: "outer", size: 64, isUnion: false, members: [
                .init(name: "a", type: 1, bitOffset: 0, bitfieldSize: 0),
                .init(name: "next", type: 6, bitOffset: 64, bitfieldSize: 0),
                .init(name: "", type: 8, bitOffset: 128, bitfieldSize: 0),
                .init(name: "f1", type: 4, bitOffset: 192, bitfieldSize: 3),
                .init(name: "f2", type: 4, bitOffset: 195, bitfieldSize: 5),
                .init(name: "words", type: 9, bitOffset: 208, bitfieldSize: 0),
                .init(name: "pairs", type: 10, bitOffset: 272, bitfieldSize: 0),
                .init(name: "name", type: 12, bitOffset: 448, bitfieldSize: 0)]))
            default: nil
            }
        }
        func structureID(named name: String) -> UInt32? { name == "outer" ? 13 : name == "inner" ? 5 : nil }
        func size(of id: UInt32) -> Int? {
            switch type(id) {
            case .scalar(let size)?: size
            case .pointer?: 8
            case .structure(let s)?: s.size
            case .array(let element, let count)?: size(of: element).map { $0 * count }
            default: nil
            }
        }
    }

    let walk = StructWalk(types: Catalog())

    func found(_ offset: Int, _ size: Int) -> StructWalk.Found? { try? walk.walk(13, offset: offset, size: size, at: 0) }

    func refusal(_ offset: Int, _ size: Int) -> VMError? {
        do { _ = try walk.walk(13, offset: offset, size: size, at: 0) } catch { return error }
        return nil
    }

    @Test func membersNumbersAndPointers() {
        #expect(found(0, 4) == .scalar)
        #expect(found(0, 2) == .scalar)                 // inside a member
        #expect(found(8, 8) == .pointer(5, "inner", field: "next"))  // a pointer to a struct, and its member
        #expect(found(56, 8) == .scalar)                // a pointer to a number is a number
        #expect(found(16, 8) == .scalar)                // the union's first member
        #expect(found(18, 2) == .scalar)                // through it into the anonymous struct's hi
        #expect(found(24, 1) == .scalar)                // the bitfields' byte
        #expect(found(24, 2) == .scalar)                // a read covering whole bitfields is a number
        #expect(found(26, 8) == .scalar)                // across elements of a number array
        #expect(found(42, 4) == .scalar)                // pairs[1].p
        #expect(found(46, 4) == .scalar)                // pairs[1].q
    }

    @Test func refusalsInTheKernelsWords() {
        #expect(refusal(4, 4)?.reason == "struct outer doesn't have field at offset 4")
        #expect(refusal(4, 4)?.errno == .EINVAL)
        #expect(refusal(60, 8)?.reason == "access beyond struct outer at off 60 size 8")
        #expect(refusal(8, 4)?.reason == "cannot access ptr member next with moff 8 in struct outer with off 8 size 4")
        #expect(refusal(12, 4)?.reason == "cannot access ptr member next with moff 8 in struct outer with off 12 size 4")
        #expect(refusal(0, 8)?.reason == "access beyond the end of member a (mend:4) in struct outer with off 0 size 8")
        #expect(refusal(0, 8)?.errno == .EACCES)
        #expect(refusal(25, 1)?.reason == "struct outer doesn't have field at offset 25")  // after the bitfields
        #expect(refusal(52, 4)?.reason == "struct outer doesn't have field at offset 52")
        // An array of structs is walked into the element the access starts in.
        #expect(refusal(40, 4)?.reason == "access beyond struct inner at off 6 size 4")
    }
}
