import TCX

/// What every owning value does with its raw handle.
enum OwnedHandle {
    /// The close a deinit makes: nothing to report to, so a failure (the world already shut
    /// down, which closed everything) is dropped.
    static func release(_ handle: Handle, in world: any TCXSystem) {
        guard handle != .invalid else { return }
        try? world.close(handle)
    }

    /// BPF_OBJ_GET, kept only if the pin holds the kind of object asked for.
    static func openPinned(_ path: PinPath, as wanted: ObjectKind, in world: any TCXSystem) throws(TCXError) -> Handle {
        let handle = try world.getPinned(path)
        let found: ObjectKind
        do {
            found = try world.kind(of: handle)
        } catch {
            try? world.close(handle)
            throw error
        }
        guard found == wanted else {
            try? world.close(handle)
            throw TCXError(.EINVAL, "the pin '\(path)' holds a \(found), not a \(wanted)")
        }
        return handle
    }
}
