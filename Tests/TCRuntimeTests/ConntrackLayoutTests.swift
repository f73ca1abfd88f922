import BPFCore
@testable import TCRuntime
import Testing

/// Where the conntrack entry image puts what the kfuncs keep, read from a target BTF: the
/// kernel's offsets from a BTF laid out as Linux 6.18's `struct nf_conn`, and nothing from a
/// BTF whose members have other sizes or lie outside the struct (a hostile TCX_CORE_BTF must
/// not move the image's writes out of it).
@Suite struct ConntrackLayoutTests {
    /// `struct nf_conn` with the members the image writes, at 6.18's bit offsets, changed as
    /// a test asks.
    final class Catalog: KernelTypeCatalog {
        let entry: [KernelStructure.Member]
        let entrySize: Int

        init(size: Int = 248, _ change: (inout [KernelStructure.Member]) -> Void = { _ in }) {
            var members = Self.kernels
            change(&members)
            entry = members
            entrySize = size
        }

        static let kernels: [KernelStructure.Member] = [
            .init(name: "timeout", type: 3, bitOffset: 64, bitfieldSize: 0),
            .init(name: "zone", type: 11, bitOffset: 96, bitfieldSize: 0),
            .init(name: "tuplehash", type: 10, bitOffset: 128, bitfieldSize: 0),
            .init(name: "status", type: 4, bitOffset: 1024, bitfieldSize: 0),
            .init(name: "mark", type: 3, bitOffset: 1344, bitfieldSize: 0),
        ]

        func type(_ id: UInt32) -> KernelType? {
            func member(_ name: String, _ type: UInt32, _ bits: Int) -> KernelStructure.Member {
                .init(name: name, type: type, bitOffset: bits, bitfieldSize: 0)
            }
            func structure(_ name: String, _ size: Int, _ members: [KernelStructure.Member]) -> KernelType {
                .structure(KernelStructure(name: name, size: size, isUnion: false, members: members))
            }
            switch id {
            case 1: return .scalar(size: 1)
            case 2: return .scalar(size: 2)
            case 3: return .scalar(size: 4)
            case 4: return .scalar(size: 8)
            case 5: return .array(element: 1, count: 16)
            case 6: return structure("nf_conntrack_man", 20, [member("u3", 5, 0), member("u", 2, 128), member("l3num", 2, 144)])
            case 7: return structure("", 20, [member("u3", 5, 0), member("u", 2, 128), member("protonum", 1, 144),
                                              member("dir", 1, 152)])
            case 8: return structure("nf_conntrack_tuple", 40, [member("src", 6, 0), member("dst", 7, 160)])
            case 9: return structure("nf_conntrack_tuple_hash", 56, [member("tuple", 8, 128)])
            case 10: return .array(element: 9, count: 2)
            case 11: return structure("nf_conntrack_zone", 4, [member("id", 2, 0), member("flags", 1, 16), member("dir", 1, 24)])
            case 12: return structure("nf_conn", entrySize, entry)
            default: return nil
            }
        }

        func structureID(named name: String) -> UInt32? { name == "nf_conn" ? 12 : nil }

        func size(of id: UInt32) -> Int? {
            switch type(id) {
            case .scalar(let size)?: size
            case .structure(let s)?: s.size
            case .array(let element, let count)?: size(of: element).map { $0 * count }
            default: nil
            }
        }
    }

    /// Member `name` moved or retyped.
    static func changing(_ name: String, type: UInt32? = nil, bitOffset: Int? = nil) -> Catalog {
        Catalog { members in
            for index in members.indices where members[index].name == name {
                if let type { members[index].type = type }
                if let bitOffset { members[index].bitOffset = bitOffset }
            }
        }
    }

    @Test func theKernelsLayoutGivesItsOffsets() throws {
        let layout = try #require(ConntrackLayout(Catalog()))
        #expect(layout.size == 248)
        #expect([layout.timeout, layout.zoneID, layout.zoneDirections, layout.status, layout.mark] == [8, 12, 15, 128, 168])
        // tuplehash at 16, 56 bytes each, the tuple 16 bytes in.
        #expect(layout.tuples.map(\.source) == [32, 88])
        #expect(layout.tuples.map(\.destination) == [52, 108])
        #expect(layout.tuples.map(\.direction) == [71, 127])
    }

    @Test func aMemberPastTheStructGivesNoLayout() {
        #expect(ConntrackLayout(Self.changing("mark", bitOffset: 248 * 8)) == nil)
        // The reply tuple would end past byte 248.
        #expect(ConntrackLayout(Self.changing("tuplehash", bitOffset: 200 * 8)) == nil)
    }

    @Test func aMemberOfAnotherSizeGivesNoLayout() {
        #expect(ConntrackLayout(Self.changing("status", type: 3)) == nil)  // a 32-bit unsigned long
    }

    @Test func aStructTooLargeToImageGivesNoLayout() {
        #expect(ConntrackLayout(Catalog(size: KernelStructLayout.maxSize + 8)) == nil)
    }
}
