import TCX

extension TCXSystem {
    /// What a relative id names in this world when it is on no position of the hook: whether
    /// it exists decides between ENOENT and a later rule (EINVAL for a relative without
    /// before or after, a type mismatch), so the copy must know.
    ///
    /// The lookup opens the object by id, reads its info and closes that descriptor at once:
    /// no hook, revision or existing handle changes. nil when the id names nothing (or the
    /// lookup is not permitted, which the copy then treats alike).
    func lookUpRelative(id: UInt32, isLink: Bool) -> HandleReading? {
        guard id != 0 else { return nil }
        guard let handle = try? (isLink ? link(byID: id) : program(byID: id)) else { return nil }
        defer { try? close(handle) }
        let found = reading(of: handle)
        switch found {
        case .program, .link: return found
        default: return nil
        }
    }
}
