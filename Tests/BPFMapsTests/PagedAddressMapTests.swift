@testable import BPFMaps
import Testing

/// The heap's stash index: the addresses inside an object are found by its pages, whether the
/// object spans one page or several, and a removed address is found no more.
struct PagedAddressMapTests {
    @Test func findsTheAddressesInsideARangeAcrossPages() {
        var map = PagedAddressMap<Int>()
        let base: UInt64 = 0x10_0ff0
        for (n, address) in [base - 8, base, base + 8, base + 0x10, base + 0x1000, base + 0x2000].enumerated() { map[address] = n }
        #expect(Set(map.addresses(inside: base, size: 0x18)) == [base, base + 8, base + 0x10])
        #expect(Set(map.addresses(inside: base, size: 0x1001)) == [base, base + 8, base + 0x10, base + 0x1000])
        #expect(map.addresses(inside: base, size: 0).isEmpty)
        #expect(map.removeValue(forKey: base + 8) == 2)
        #expect(Set(map.addresses(inside: base, size: 0x18)) == [base, base + 0x10])
        map[base] = nil
        map[base + 0x10] = 7
        #expect(map.addresses(inside: base, size: 0x18) == [base + 0x10])
        #expect(map[base + 0x10] == 7)
    }

    @Test func updatesInPlaceAndFilesANewAddressOnce() {
        var map = PagedAddressMap<[Int]>()
        map.update(64, default: []) { $0.append(1) }
        map.update(64, default: []) { $0.append(2) }
        #expect(map[64] == [1, 2])
        #expect(map.addresses(inside: 0, size: 4096) == [64])
    }

    @Test func aRangeEndingAtTheTopOfMemoryStops() {
        var map = PagedAddressMap<Int>()
        map[UInt64.max - 7] = 1
        #expect(map.addresses(inside: UInt64.max - 15, size: 16) == [UInt64.max - 7])
    }
}
