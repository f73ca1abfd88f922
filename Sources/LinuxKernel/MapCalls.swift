import BPFCore
import Glibc
import TCX

/// A map as the element calls need to know it: the kernel reads exactly `keySize` and
/// `userValueSize` bytes behind the pointers it is given, so the buffers are sized from this.
struct MapShape {
    let type: MapType
    let keySize: Int
    let valueSize: Int
    let name: String

    init(_ info: MapInfo) {
        type = info.type
        keySize = Int(info.keySize)
        valueSize = Int(info.valueSize)
        name = info.name
    }

    var isPerCPU: Bool { type.isPerCPU }

    /// One value as user space passes it: per-CPU maps hold a copy per possible CPU, each
    /// padded to 8 bytes.
    var userValueSize: Int { isPerCPU ? (valueSize + 7) / 8 * 8 * PossibleCPUs.count : valueSize }
}

/// BPF_MAP_CREATE, the element commands, BPF_MAP_FREEZE and the map info.
enum MapCalls {
    /// BPF_MAP_CREATE; a global-data map gets its initial contents at key 0 before it is returned.
    static func create(_ spec: MapSpec) throws(TCXError) -> Int32 {
        var attr = BPFAttr.zeroed()
        attr.set(BPFAttr.MapCreate.mapType, spec.type.rawValue)
        attr.set(BPFAttr.MapCreate.keySize, spec.keySize)
        attr.set(BPFAttr.MapCreate.valueSize, spec.valueSize)
        attr.set(BPFAttr.MapCreate.maxEntries, spec.maxEntries)
        attr.set(BPFAttr.MapCreate.mapFlags, spec.flags)
        attr.set(BPFAttr.MapCreate.mapName, ProgramLoader.kernelName(spec.name))
        attr.set(BPFAttr.MapCreate.mapExtra, spec.mapExtra)
        // A map of maps takes its template as a map, as libbpf gives it: one made for the
        // call and closed after it.
        var template: Int32?
        if let inner = spec.innerMap {
            let fd = try create(inner)
            template = fd
            attr.set(BPFAttr.MapCreate.innerMapFD, UInt32(bitPattern: fd))
        }
        defer { if let template { _ = Glibc.close(template) } }
        var fd: Int32
        if let typed = createWithBTF(spec, &attr) {
            fd = typed
        } else {
            fd = try BPFSyscall.call(.mapCreate, &attr, "'\(spec.name)' (\(spec.type))")
        }
        guard let initial = spec.initialValue else { return fd }
        do throws(TCXError) {
            try initialize(fd, spec, initial)
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
        return fd
    }

    /// BPF_MAP_CREATE with the object's BTF and the key and value type ids, as libbpf creates
    /// maps; nil when there is no BTF, or the kernel refuses it or the map with it (the caller
    /// then creates the map without, as libbpf retries).
    private static func createWithBTF(_ spec: MapSpec, _ attr: inout KernelStruct) -> Int32? {
        guard let btf = spec.btf, spec.btfValueTypeID != 0,
              case .success(let btfFD) = SharedBTF.fd(for: btf) else { return nil }
        defer { _ = Glibc.close(btfFD) }
        var typed = attr
        typed.set(BPFAttr.MapCreate.btfFD, UInt32(bitPattern: btfFD))
        typed.set(BPFAttr.MapCreate.btfKeyTypeID, spec.btfKeyTypeID)
        typed.set(BPFAttr.MapCreate.btfValueTypeID, spec.btfValueTypeID)
        guard case .success(let fd) = BPFSyscall.attempt(.mapCreate, &typed) else { return nil }
        return fd
    }

    /// BPF_OBJ_GET_INFO_BY_FD on a map.
    static func info(_ handle: Handle) throws(TCXError) -> MapInfo {
        let info = try ObjectInfo.read(handle, size: MapInfoLayout.size, expecting: .map)
        return MapInfo(id: info.get32(MapInfoLayout.id), type: MapType(rawValue: info.get32(MapInfoLayout.type)),
                       keySize: info.get32(MapInfoLayout.keySize), valueSize: info.get32(MapInfoLayout.valueSize),
                       maxEntries: info.get32(MapInfoLayout.maxEntries), flags: info.get32(MapInfoLayout.mapFlags),
                       name: info.string(MapInfoLayout.name))
    }

    /// The shape of the map behind `handle`. The info call answers a closed fd with EBADFD;
    /// the element commands would say EBADF, so that is what comes back.
    static func shape(_ handle: Handle, for command: BPFCommand) throws(TCXError) -> MapShape {
        do throws(TCXError) {
            return MapShape(try info(handle))
        } catch let error where error.errno == .EBADFD {
            throw BPFSyscall.failure(command, .EBADF, "on \(handle)")
        }
    }

    static func lookup(_ handle: Handle, _ shape: MapShape, key: [UInt8]) throws(TCXError) -> [UInt8] {
        try checkKey(key, shape, .mapLookupElem)
        var value = [UInt8](repeating: 0, count: shape.userValueSize)
        let outcome = value.withUnsafeMutableBytes { out in
            element(.mapLookupElem, handle, key: key, value: UnsafeRawPointer(out.baseAddress), flags: 0)
        }
        try check(outcome, .mapLookupElem, shape, handle)
        return value
    }

    static func update(_ handle: Handle, _ shape: MapShape, key: [UInt8], value: [UInt8],
                       flags: UInt64) throws(TCXError) {
        try checkKey(key, shape, .mapUpdateElem)
        guard value.count == shape.userValueSize else {
            throw TCXError(.EINVAL, "BPF_MAP_UPDATE_ELEM on map '\(shape.name)': the value is \(value.count) bytes, "
                           + "the map takes \(shape.userValueSize)")
        }
        let outcome = value.withUnsafeBytes { input in
            element(.mapUpdateElem, handle, key: key, value: input.baseAddress, flags: flags)
        }
        try check(outcome, .mapUpdateElem, shape, handle)
    }

    static func delete(_ handle: Handle, _ shape: MapShape, key: [UInt8]) throws(TCXError) {
        try checkKey(key, shape, .mapDeleteElem)
        try check(element(.mapDeleteElem, handle, key: key, value: nil, flags: 0), .mapDeleteElem, shape, handle)
    }

    /// The key after `key` (the first with nil); nil when the kernel says ENOENT.
    static func nextKey(_ handle: Handle, _ shape: MapShape, after key: [UInt8]?) throws(TCXError) -> [UInt8]? {
        if let key { try checkKey(key, shape, .mapGetNextKey) }
        var next = [UInt8](repeating: 0, count: shape.keySize)
        let outcome = next.withUnsafeMutableBytes { out in
            element(.mapGetNextKey, handle, key: key, value: UnsafeRawPointer(out.baseAddress), flags: 0)
        }
        if case .failure(.ENOENT) = outcome { return nil }
        try check(outcome, .mapGetNextKey, shape, handle)
        return next
    }

    static func freeze(_ handle: Handle, _ shape: MapShape) throws(TCXError) {
        var attr = BPFAttr.zeroed()
        attr.set(BPFAttr.MapFreeze.mapFD, handle.rawValue)
        try BPFSyscall.call(.mapFreeze, &attr, "on map '\(shape.name)' (\(handle))")
    }

    // MARK: Helpers

    private static func initialize(_ fd: Int32, _ spec: MapSpec, _ initial: [UInt8]) throws(TCXError) {
        guard initial.count <= Int(spec.valueSize) else {
            throw TCXError(.EINVAL, "BPF_MAP_CREATE '\(spec.name)': the initial value is \(initial.count) bytes, "
                           + "the value only \(spec.valueSize)")
        }
        // .bss-like tails the object file does not store are zero.
        let value = initial + [UInt8](repeating: 0, count: Int(spec.valueSize) - initial.count)
        let handle = Handle(rawValue: UInt32(bitPattern: fd))
        let shape = MapShape(MapInfo(id: 0, type: spec.type, keySize: spec.keySize, valueSize: spec.valueSize,
                                     maxEntries: spec.maxEntries, flags: spec.flags, name: spec.name))
        try update(handle, shape, key: [0, 0, 0, 0], value: value, flags: MapUpdateFlags.any)
    }

    /// One element command; an empty key goes as NULL, which is what a map without keys expects.
    private static func element(_ command: BPFCommand, _ handle: Handle, key: [UInt8]?, value: UnsafeRawPointer?,
                                flags: UInt64) -> BPFOutcome {
        func send(_ keyAddress: UnsafeRawPointer?) -> BPFOutcome {
            var attr = BPFAttr.zeroed()
            attr.set(BPFAttr.MapElem.mapFD, handle.rawValue)
            attr.set(BPFAttr.MapElem.key, pointer: keyAddress)
            attr.set(BPFAttr.MapElem.value, pointer: value)
            attr.set(BPFAttr.MapElem.flags, flags)
            return BPFSyscall.attempt(command, &attr)
        }
        guard let key, !key.isEmpty else { return send(nil) }
        return key.withUnsafeBytes { send($0.baseAddress) }
    }

    /// The kernel reads `key_size` bytes whatever the caller holds; another length is refused first.
    private static func checkKey(_ key: [UInt8], _ shape: MapShape, _ command: BPFCommand) throws(TCXError) {
        guard key.count == shape.keySize else {
            throw TCXError(.EINVAL, "\(command.name) on map '\(shape.name)': the key is \(key.count) bytes, "
                           + "the map takes \(shape.keySize)")
        }
    }

    private static func check(_ outcome: BPFOutcome, _ command: BPFCommand, _ shape: MapShape,
                              _ handle: Handle) throws(TCXError) {
        if case .failure(let code) = outcome {
            throw BPFSyscall.failure(command, code, "on map '\(shape.name)' (\(handle))")
        }
    }
}
