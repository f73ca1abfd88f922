import HeapModule
import TCX

/// The world's file descriptors. 0, 1 and 2 are taken by files that are not BPF objects (as
/// stdin/stdout/stderr are in a process), so a BPF command given fd 0 sees "not a program".
struct DescriptorTable {
    static let firstFree: UInt32 = 3
    private(set) var files: [UInt32: OpenFile] = [:]
    /// Every descriptor from here on is free; below it, the free ones are in `freed`. The
    /// lowest free descriptor is found in O(log n), however many are open.
    private var highWater = Self.firstFree
    private var freed = Heap<UInt32>()

    enum Lookup {
        case file(OpenFile)
        case notBPF
        case closed
    }

    /// Sockets of the world (their identities) by descriptor. They are no BPF objects, so a BPF
    /// command given one sees what it sees for fd 0: not a BPF object.
    private(set) var sockets: [UInt32: UInt64] = [:]

    func lookup(_ fd: UInt32) -> Lookup {
        if fd < Self.firstFree || sockets[fd] != nil { return .notBPF }
        if let file = files[fd] { return .file(file) }
        return .closed
    }

    /// The lowest free descriptor, as the kernel picks it.
    private mutating func allocate() -> UInt32 {
        if let lowest = freed.popMin() { return lowest }
        defer { highWater += 1 }
        return highWater
    }

    /// Installs `file` at the lowest free descriptor, as the kernel does.
    mutating func install(_ file: OpenFile) -> Handle {
        let fd = allocate()
        files[fd] = file
        file.descriptors += 1
        return Handle(rawValue: fd)
    }

    /// A descriptor for the world's socket `identity`.
    mutating func installSocket(identity: UInt64) -> Handle {
        let fd = allocate()
        sockets[fd] = identity
        return Handle(rawValue: fd)
    }

    /// Closes a socket's descriptor; the socket's identity, nil if `fd` names no socket.
    mutating func removeSocket(_ fd: UInt32) -> UInt64? {
        guard let identity = sockets.removeValue(forKey: fd) else { return nil }
        freed.insert(fd)
        return identity
    }

    /// Removes a descriptor; returns the file if this was its last one.
    mutating func remove(_ fd: UInt32) -> OpenFile? {
        guard let file = files.removeValue(forKey: fd) else { return nil }
        freed.insert(fd)
        file.descriptors -= 1
        return file.descriptors == 0 ? file : nil
    }

    var all: [UInt32] { Array(files.keys) }
}
