/// One position of a hook: a program, and the link that owns it (nil in prog mode).
/// Identity, not equality, decides matches: the same program object is the same program.
public struct Slot<Program: AnyObject, Link: AnyObject> {
    public let program: Program
    public let link: Link?
    public init(program: Program, link: Link?) {
        self.program = program
        self.link = link
    }

    /// True when `other` names the same link, or both are prog-mode.
    func hasLink(_ other: Link?) -> Bool {
        switch (link, other) {
        case (nil, nil): true
        case let (a?, b?): a === b
        default: false
        }
    }
}

/// A resolved relative object: a program alone (matches the slot holding it, whatever owns it),
/// or a link with its current program (matches only that link's slot).
public struct RelativeObject<Program: AnyObject, Link: AnyObject> {
    public let program: Program
    public let link: Link?
    public let label: String
    public init(program: Program, link: Link?, label: String) {
        self.program = program
        self.link = link
        self.label = label
    }
}
