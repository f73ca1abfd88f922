import TCX

/// The world's pin namespace, flat like a fresh bpffs mount: no directories exist, so a path
/// with a directory part answers ENOENT, as bpffs does for a missing directory.
extension WorldState {
    func pin(_ fd: UInt32, at path: PinPath) throws(TCXError) {
        // BPF_OBJ_PIN probes the fd as a map, a program, then a link; when none fits it
        // answers EINVAL, closed fds included.
        guard case .file(let file) = descriptors.lookup(fd) else {
            throw TCXError(.EINVAL, "fd \(fd) is not an open BPF object")
        }
        let object = file.object
        let key = try pinKey(path)
        if pins[key] != nil { throw TCXError(.EEXIST, "\(path) is pinned already") }
        retain(object)
        pins[key] = object
    }

    func getPinned(_ path: PinPath) throws(TCXError) -> Handle {
        guard let object = pins[try pinKey(path)] else {
            throw TCXError(.ENOENT, "nothing is pinned at \(path)")
        }
        return open(object)
    }

    func unpin(_ path: PinPath) throws(TCXError) {
        let key = try pinKey(path)
        guard let object = pins.removeValue(forKey: key) else {
            throw TCXError(.ENOENT, "nothing is pinned at \(path)")
        }
        release(object)
    }

    private func pinKey(_ path: PinPath) throws(TCXError) -> String {
        try PinNameLimits.checkLength(path)
        if let first = path.components.first { try PinNameLimits.checkComponent(first) }
        if path.components.count > 1 {
            throw TCXError(.ENOENT, "directory \(path.components.dropLast().joined(separator: "/")) does not exist in the pin namespace")
        }
        return path.description
    }
}
