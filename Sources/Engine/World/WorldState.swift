import BPFCore
import BPFMaps
import MultiProg
import TCX

/// Everything one embedded world holds. Not thread-safe: `EmbeddedSystem` serialises access,
/// as the kernel serialises control operations under its locks.
final class WorldState {
    var descriptors = DescriptorTable()
    var programs: [UInt32: ProgramObject] = [:]
    var links: [UInt32: LinkObject] = [:]
    var maps: [UInt32: MapObject] = [:]
    var mapIDs = IDAllocator()
    var programIDs = IDAllocator()
    var linkIDs = IDAllocator()
    var pins: [String: BPFObject] = [:]
    var devices = DeviceTable()
    var nextIfindex: UInt32 = 2
    /// The programs `redirectProgram` took a reference to during the current slot update.
    var slotProgramsTaken: [UInt32] = []

    init() {
        devices.insert(Device(name: "lo", ifindex: 1, kind: .loopback, peerIfindex: nil))
    }

    // MARK: Handles

    /// Resolves a descriptor the way `bpf_prog_get_type`/`bpf_link_get_from_fd` do: a closed
    /// or unknown fd is EBADF, an fd of something else is EINVAL.
    func object(at fd: UInt32, role: String) throws(TCXError) -> BPFObject {
        switch descriptors.lookup(fd) {
        case .file(let file): return file.object
        case .notBPF: throw TCXError(.EINVAL, "\(role) fd \(fd) is not a BPF object")
        case .closed: throw TCXError(.EBADF, "\(role) fd \(fd) is not open")
        }
    }

    func program(at fd: UInt32, role: String, type: ProgramType? = nil) throws(TCXError) -> ProgramObject {
        guard case .program(let program) = try object(at: fd, role: role) else {
            throw TCXError(.EINVAL, "\(role) fd \(fd) is not a program")
        }
        if let type, program.type != type {
            throw TCXError(.EINVAL, "\(role) \(program.label) is of type \(program.type), \(type) is needed")
        }
        return program
    }

    func link(at fd: UInt32, role: String) throws(TCXError) -> LinkObject {
        guard case .link(let link) = try object(at: fd, role: role) else {
            throw TCXError(.EINVAL, "\(role) fd \(fd) is not a link")
        }
        return link
    }

    /// A new descriptor for `object`, taking a reference.
    func open(_ object: BPFObject) -> Handle {
        retain(object)
        return descriptors.install(OpenFile(object: object))
    }

    func close(_ fd: UInt32) throws(TCXError) {
        guard case .file = descriptors.lookup(fd) else {
            throw TCXError(.EBADF, "fd \(fd) is not open")
        }
        if let last = descriptors.remove(fd) { release(last.object) }
    }

    // MARK: References

    func retain(_ object: BPFObject) {
        switch object {
        case .program(let p): p.references += 1
        case .link(let l): l.references += 1
        case .map(let m):
            m.references += 1
            m.userReferences += 1
            if m.userReferences == 1 { m.map.existingValueFields?.userReferenceReturned() }
        }
    }

    func release(_ object: BPFObject) {
        switch object {
        case .program(let p): release(p)
        case .link(let l): release(l)
        case .map(let m):
            m.userReferences -= 1
            if m.userReferences == 0 { m.map.existingValueFields?.releaseAll() }
            release(m)
        }
    }

    /// A program freed lets go of the maps it uses.
    func release(_ program: ProgramObject) {
        program.references -= 1
        guard program.references == 0 else { return }
        programs[program.id] = nil
        for map in program.maps { release(map) }
    }

    /// A map freed lets go of the maps its slots hold (a map of maps).
    func release(_ map: MapObject) {
        map.references -= 1
        guard map.references == 0 else { return }
        maps[map.id] = nil
        if let outer = map.map as? MapOfMapsMap {
            for inner in outer.removeAll() { release(innerMap: inner) }
        }
        // A devmap or cpumap freed lets go of its slots' programs.
        if let slots = map.map as? SlotProgramMap {
            for id in slots.slotPrograms { releaseSlotProgram(id) }
        }
    }

    func map(at fd: UInt32, role: String) throws(TCXError) -> MapObject {
        guard case .map(let map) = try object(at: fd, role: role) else {
            throw TCXError(.EINVAL, "\(role) fd \(fd) is not a map")
        }
        return map
    }

    /// The last holder of a link is gone: it detaches itself, then lets go of its program.
    func release(_ link: LinkObject) {
        link.references -= 1
        guard link.references == 0 else { return }
        links[link.id] = nil
        detachFromHook(link)
        release(link.program)
    }

    // MARK: Relative objects

    /// Resolves `relative` under `flags` (§2.2): a link with BPF_F_LINK, a program otherwise,
    /// by id with BPF_F_ID, by fd without; 0 without LINK or ID means "none".
    func resolveRelative(_ value: UInt32, flags: AttachFlags,
                         type: ProgramType?) throws(TCXError) -> RelativeObject<ProgramObject, LinkObject>? {
        if flags.contains(.link) {
            let link: LinkObject
            if flags.contains(.id) {
                guard let found = links[value] else {
                    throw TCXError(.ENOENT, "no link has id \(value)")
                }
                link = found
            } else {
                if value == 0 { throw TCXError(.EINVAL, "the link flag needs a relative link fd, and 0 names none") }
                link = try self.link(at: value, role: "relative")
            }
            if let type, link.program.type != type {
                throw TCXError(.EINVAL, "relative \(link.label) runs a \(link.program.type) program, not \(type)")
            }
            return RelativeObject(program: link.program, link: link, label: link.label)
        }
        if !flags.contains(.id) && value == 0 { return nil }
        let program: ProgramObject
        if flags.contains(.id) {
            guard let found = programs[value] else {
                throw TCXError(.ENOENT, "no program has id \(value)")
            }
            program = found
        } else {
            program = try self.program(at: value, role: "relative")
        }
        if let type, program.type != type {
            throw TCXError(.EINVAL, "relative \(program.label) is a \(program.type) program, not \(type)")
        }
        return RelativeObject(program: program, link: nil, label: program.label)
    }
}

extension TCXError {
    init(_ refusal: MultiProgRefusal) {
        self.init(refusal.errno, refusal.reason)
    }
}

/// Runs an mprog operation whose relative resolver throws `TCXError`, mapping its refusals.
@discardableResult
func mprog<T>(_ body: () throws -> T) throws(TCXError) -> T {
    do {
        return try body()
    } catch let error as TCXError {
        throw error
    } catch let refusal as MultiProgRefusal {
        throw TCXError(refusal)
    } catch {
        throw TCXError(.EINVAL, "\(error)")
    }
}
