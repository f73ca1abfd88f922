import BPFCore
import TCX

/// Maps and the programs that use them, through bpf(2) on the world's thread. Closing,
/// duplicating and pinning map handles go through the same calls as programs and links.
extension KernelSystem: BPFObjectSystem {
    public func createMap(_ spec: MapSpec) throws(TCXError) -> Handle {
        try world.run { state throws(TCXError) in state.adopt(try MapCalls.create(spec)) }
    }

    public func loadProgram(_ spec: ProgramSpec, maps: [Handle]) throws(TCXError) -> Handle {
        var resolved = spec
        resolved.instructions = try MapReferences.resolve(spec.instructions, maps: maps, program: spec.name)
        return try loadProgram(resolved)
    }

    public func lookup(map: Handle, key: [UInt8]) throws(TCXError) -> [UInt8] {
        try world.run { _ throws(TCXError) in
            try MapCalls.lookup(map, try MapCalls.shape(map, for: .mapLookupElem), key: key)
        }
    }

    public func update(map: Handle, key: [UInt8], value: [UInt8], flags: UInt64) throws(TCXError) {
        try world.run { _ throws(TCXError) in
            try MapCalls.update(map, try MapCalls.shape(map, for: .mapUpdateElem), key: key, value: value, flags: flags)
        }
    }

    public func delete(map: Handle, key: [UInt8]) throws(TCXError) {
        try world.run { _ throws(TCXError) in
            try MapCalls.delete(map, try MapCalls.shape(map, for: .mapDeleteElem), key: key)
        }
    }

    public func nextKey(map: Handle, after key: [UInt8]?) throws(TCXError) -> [UInt8]? {
        try world.run { _ throws(TCXError) in
            try MapCalls.nextKey(map, try MapCalls.shape(map, for: .mapGetNextKey), after: key)
        }
    }

    public func freeze(map: Handle) throws(TCXError) {
        try world.run { _ throws(TCXError) in
            try MapCalls.freeze(map, try MapCalls.shape(map, for: .mapFreeze))
        }
    }

    public var possibleCPUCount: Int { PossibleCPUs.count }

    public func mapInfo(_ map: Handle) throws(TCXError) -> MapInfo {
        try world.run { _ throws(TCXError) in try MapCalls.info(map) }
    }
}
