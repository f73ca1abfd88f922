import TCX

/// The lengths the kernel's path walk allows a pin path, measured on bpffs: a path of
/// PATH_MAX bytes or more (its NUL included) is refused before the walk, and a component
/// longer than NAME_MAX when the walk reaches it — both ENAMETOOLONG. The kernel backend sees
/// the path below its bpffs root, a few bytes longer; the embedded world has no root to add.
enum PinNameLimits {
    static let pathMax = 4096
    static let nameMax = 255

    static func checkLength(_ path: PinPath) throws(TCXError) {
        guard path.description.utf8.count < pathMax else {
            throw TCXError(.ENAMETOOLONG, "pin path of \(path.description.utf8.count) bytes: the kernel takes fewer than \(pathMax)")
        }
    }

    /// A component the walk reaches (every one up to the first that does not exist).
    static func checkComponent(_ name: String) throws(TCXError) {
        guard name.utf8.count <= nameMax else {
            throw TCXError(.ENAMETOOLONG, "pin name of \(name.utf8.count) bytes: bpffs takes at most \(nameMax)")
        }
    }
}
