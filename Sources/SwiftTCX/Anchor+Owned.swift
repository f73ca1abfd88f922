import TCX

/// Anchors named by the owning values: `.before(link)`, `.after(program)`.
extension Anchor {
    public static func before(_ link: borrowing Link) -> Anchor { .before(.link(link.handle)) }
    public static func after(_ link: borrowing Link) -> Anchor { .after(.link(link.handle)) }
    public static func before(_ program: borrowing Program) -> Anchor { .before(.program(program.handle)) }
    public static func after(_ program: borrowing Program) -> Anchor { .after(.program(program.handle)) }
}
