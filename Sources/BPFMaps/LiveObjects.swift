/// The heap's live objects, address → size, with each object also filed under every 4096-byte
/// page it covers: the object around an address (a probe load's, a list node's) is found by
/// looking at that page's few objects, not at every live one, so a load through an untrusted
/// kptr costs the same with a million objects alive as with one.
struct LiveObjects {
    private var sizes: [UInt64: Int] = [:]
    /// Page number → the objects that cover some of it, with their sizes so a look at a page
    /// hashes nothing more (a page holds up to ~128 small objects; an object covers a page or
    /// two, a per-CPU one a page per few CPUs).
    private var pages: [UInt64: [Filed]] = [:]
    private struct Filed {
        let base: UInt64
        let size: Int
    }
    private static var pageShift: UInt64 { 12 }

    subscript(base: UInt64) -> Int? { sizes[base] }

    var count: Int { sizes.count }

    /// Files the object of `size` bytes at `base` (an empty object still has its byte, so its
    /// page).
    mutating func insert(_ base: UInt64, size: Int) {
        if let old = sizes.updateValue(size, forKey: base) { unfile(base, size: old) }
        for page in Self.pages(of: base, size: size) { pages[page, default: []].append(Filed(base: base, size: size)) }
    }

    /// Takes the object at `base` out; its size, or nil when there was none.
    @discardableResult
    mutating func remove(_ base: UInt64) -> Int? {
        guard let size = sizes.removeValue(forKey: base) else { return nil }
        unfile(base, size: size)
        return size
    }

    /// The live object whose bytes include `address`: live objects never overlap, so there is
    /// at most one, and it is filed under `address`'s page.
    func object(around address: UInt64) -> (base: UInt64, size: Int)? {
        guard let filed = pages[address >> Self.pageShift] else { return nil }
        for object in filed where address &- object.base < UInt64(object.size) { return (object.base, object.size) }
        return nil
    }

    private mutating func unfile(_ base: UInt64, size: Int) {
        for page in Self.pages(of: base, size: size) {
            // Changed in place through the dictionary's values: no copy of the page's list.
            guard let slot = pages.index(forKey: page),
                  let at = pages.values[slot].firstIndex(where: { $0.base == base }) else { continue }
            if pages.values[slot].count == 1 {
                pages.remove(at: slot)
                continue
            }
            pages.values[slot].swapAt(at, pages.values[slot].count - 1)
            pages.values[slot].removeLast()
        }
    }

    /// The pages `[base, base + size)` covers, at least `base`'s; an end past the address
    /// space stops at its last page.
    private static func pages(of base: UInt64, size: Int) -> ClosedRange<UInt64> {
        let (end, overflow) = base.addingReportingOverflow(UInt64(max(size, 1)))
        let last = overflow || end == 0 ? UInt64.max : end - 1
        return (base >> pageShift) ... (last >> pageShift)
    }
}
