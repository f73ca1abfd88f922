/// Values by address (the heap's stashes, list heads and tree roots), with each address also
/// filed under its 4096-byte page, so the ones inside an object are found by looking at the
/// object's pages only: freeing an object no longer looks at every stash of every map value.
struct PagedAddressMap<Value> {
    private var values: [UInt64: Value] = [:]
    /// Page number → the addresses on it that have a value (a few: one per field or root).
    private var pages: [UInt64: [UInt64]] = [:]
    private static var pageShift: UInt64 { 12 }

    subscript(address: UInt64) -> Value? {
        get { values[address] }
        set {
            guard let newValue else {
                removeValue(forKey: address)
                return
            }
            if values.updateValue(newValue, forKey: address) == nil { file(address) }
        }
    }

    /// Changes the value at `address` in place (starting from `initial` when there is none), so
    /// a list grows without being copied.
    mutating func update(_ address: UInt64, default initial: @autoclosure () -> Value, _ body: (inout Value) -> Void) {
        if values[address] == nil { file(address) }
        body(&values[address, default: initial()])
    }

    @discardableResult
    mutating func removeValue(forKey address: UInt64) -> Value? {
        guard let old = values.removeValue(forKey: address) else { return nil }
        let page = address >> Self.pageShift
        if var filed = pages[page], let at = filed.firstIndex(of: address) {
            filed.swapAt(at, filed.count - 1)
            filed.removeLast()
            pages[page] = filed.isEmpty ? nil : filed
        }
        return old
    }

    /// The addresses with a value in `[base, base + size)`.
    func addresses(inside base: UInt64, size: Int) -> [UInt64] {
        guard size > 0, !values.isEmpty else { return [] }
        let end = base.addingReportingOverflow(UInt64(size)).partialValue
        let last = (end > base ? end - 1 : UInt64.max) >> Self.pageShift
        var found: [UInt64] = []
        var page = base >> Self.pageShift
        while true {
            for address in pages[page] ?? [] where address &- base < UInt64(size) { found.append(address) }
            if page >= last { break }
            page += 1
        }
        return found
    }

    var isEmpty: Bool { values.isEmpty }

    private mutating func file(_ address: UInt64) {
        pages[address >> Self.pageShift, default: []].append(address)
    }
}
