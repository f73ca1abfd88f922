import BPFCore
import BPFMaps
import TCRuntime
import TCX

#if canImport(Glibc)
import Glibc
#endif

/// Maps and programs that use them (`BPFObjectSystem`), on BPFMaps.
extension EmbeddedSystem: BPFObjectSystem {
    /// The machine's possible CPUs, as the kernel counts them for per-CPU values, so values
    /// have the same layout on both backends.
    public static let possibleCPUs: Int = PossibleCPUList.count

    public var possibleCPUCount: Int { Self.possibleCPUs }

    public func createMap(_ spec: MapSpec) throws(TCXError) -> Handle {
        let map: BPFMap
        do throws(MapError) {
            map = try BPFMap.create(spec, possibleCPUs: Self.possibleCPUs)
            if let initial = spec.initialValue {
                guard initial.count <= map.valueSize else {
                    throw MapError(.EINVAL, "initial value of \(initial.count) bytes is larger than the value (\(map.valueSize))")
                }
                try map.update(key: [0, 0, 0, 0], value: initial + [UInt8](repeating: 0, count: map.valueSize - initial.count))
            }
        } catch {
            throw TCXError(error.errno, "map \(spec.name): \(error.reason)")
        }
        return try withWorld { world in
            let id = world.mapIDs.allocate(skipping: { world.maps[$0] != nil })
            let object = MapObject(id: id, map: map)
            world.maps[id] = object
            return world.open(.map(object))
        }
    }

    public func loadProgram(_ spec: ProgramSpec, maps handles: [Handle]) throws(TCXError) -> Handle {
        let maps = try withWorld { world throws(TCXError) in
            try handles.map { handle throws(TCXError) in try world.map(at: handle.rawValue, role: "map") }
        }
        let executable = try Executable(spec: spec, maps: maps.map(\.map), runner: runner)
        return try withWorld { world throws(TCXError) in
            // The maps may have closed meanwhile: resolve them again under the same lock.
            let held = try handles.map { handle throws(TCXError) in try world.map(at: handle.rawValue, role: "map") }
            guard zip(held, maps).allSatisfy({ $0 === $1 }) else {
                throw TCXError(.EBADF, "a map handle changed while \(spec.name) was loading")
            }
            try MapObject.claimOwnership(of: held, for: spec)
            let id = world.programIDs.allocate(skipping: { world.programs[$0] != nil })
            let program = ProgramObject(id: id, spec: spec, executable: executable, maps: held)
            for map in held { map.references += 1 }
            world.programs[id] = program
            return world.open(.program(program))
        }
    }

    public func lookup(map handle: Handle, key: [UInt8]) throws(TCXError) -> [UInt8] {
        try withWorld { world throws(TCXError) in
            let object = try world.map(at: handle.rawValue, role: "map")
            do throws(MapError) {
                // A key that is a descriptor (SK_STORAGE) names something of this world.
                return SpinLockWord.hidden(try object.map.lookup(key: key, world: world), in: object.map.spec)
            } catch {
                throw TCXError(error.errno, "\(object.label): \(error.reason)")
            }
        }
    }

    public func update(map handle: Handle, key: [UInt8], value: [UInt8], flags: UInt64) throws(TCXError) {
        try withWorld { world throws(TCXError) in
            let object = try world.map(at: handle.rawValue, role: "map")
            do throws(MapError) {
                if let programs = object.map as? ProgramArrayMap {
                    // A prog array's value is a program fd: resolve it in this world.
                    try world.updateProgramArray(programs, key: key, value: value, flags: flags)
                } else if let outer = object.map as? MapOfMapsMap {
                    try world.updateMapOfMaps(outer, key: key, value: value, flags: flags)
                } else if let slots = object.map as? SlotProgramMap {
                    try world.changeSlot(of: slots, key: key) { () throws(MapError) in
                        try object.map.update(key: key, value: value, flags: flags, world: world)
                    }
                } else {
                    try object.map.update(key: key, value: SpinLockWord.hidden(value, in: object.map.spec), flags: flags,
                                          world: world)
                }
            } catch {
                throw TCXError(error.errno, "\(object.label): \(error.reason)")
            }
        }
    }

    public func delete(map handle: Handle, key: [UInt8]) throws(TCXError) {
        try withWorld { world throws(TCXError) in
            let object = try world.map(at: handle.rawValue, role: "map")
            do throws(MapError) {
                if let outer = object.map as? MapOfMapsMap {
                    // The slot's reference to its map goes with it.
                    if let removed = try outer.remove(key: key) { world.release(innerMap: removed) }
                } else if let slots = object.map as? SlotProgramMap {
                    try world.changeSlot(of: slots, key: key) { () throws(MapError) in try object.map.delete(key: key) }
                } else {
                    try object.map.delete(key: key, world: world)
                }
            } catch {
                throw TCXError(error.errno, "\(object.label): \(error.reason)")
            }
        }
    }

    public func nextKey(map: Handle, after key: [UInt8]?) throws(TCXError) -> [UInt8]? {
        do {
            return try onMap(map) { map throws(MapError) in try map.nextKey(after: key) }
        } catch where error.errno == .ENOENT {
            return nil
        }
    }

    public func freeze(map: Handle) throws(TCXError) {
        try onMap(map) { map throws(MapError) in try map.freeze() }
    }

    public func mapInfo(_ handle: Handle) throws(TCXError) -> MapInfo {
        try withWorld { world throws(TCXError) in
            guard case .map(let object) = try world.infoObject(handle.rawValue) else {
                throw TCXError(.EINVAL, "fd \(handle.rawValue) is not a map")
            }
            let spec = object.map.spec
            return MapInfo(id: object.id, type: spec.type, keySize: spec.keySize, valueSize: spec.valueSize,
                           maxEntries: spec.maxEntries, flags: spec.flags, name: spec.name)
        }
    }

    /// Runs a userspace map operation on the map behind `handle`.
    private func onMap<T>(_ handle: Handle, _ body: (BPFMap) throws(MapError) -> T) throws(TCXError) -> T {
        let object = try withWorld { world throws(TCXError) in try world.map(at: handle.rawValue, role: "map") }
        do {
            return try body(object.map)
        } catch {
            throw TCXError(error.errno, "\(object.label): \(error.reason)")
        }
    }
}

extension WorldState {
    /// BPF_MAP_UPDATE_ELEM on a prog array: the value names a program by fd.
    func updateProgramArray(_ map: ProgramArrayMap, key: [UInt8], value: [UInt8], flags: UInt64) throws(MapError) {
        guard key.count == 4, value.count == 4 else { throw MapError(.EINVAL, "prog array keys and values are 4 bytes") }
        let index = key.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        try map.checkUpdate(at: index, flags: flags)
        let fd = value.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        guard case .program(let program) = try valueDescriptor(fd, "program") else {
            throw MapError(.EINVAL, "fd \(fd) is not a program")
        }
        try map.setProgram(ProgramReference(id: program.id, program: program.executable.program), at: index, flags: flags)
    }
}
