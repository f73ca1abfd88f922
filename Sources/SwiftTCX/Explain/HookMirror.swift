import Engine
import TCX

/// A fresh engine world holding a copy of one hook of the explained world, under that world's
/// program ids, link ids and ifindex, so the engine's reasons name the world's own objects.
///
/// Only handle numbers and the revision differ: the engine opens its own descriptors and
/// counts its own revisions. The mirror keeps both translations, both ways.
final class HookMirror {
    let engine = EmbeddedSystem()
    let target: HookTarget?
    /// The copied hook's revision on the engine, and the world's, when there is a hook.
    private(set) var engineRevision: UInt64?
    let worldRevision: UInt64?
    private var programs: [UInt32: Handle] = [:]
    private var links: [UInt32: Handle] = [:]
    private var otherObject: Handle?
    /// Engine descriptor -> the world's handle it stands for.
    private(set) var worldHandles: [UInt32: UInt32] = [:]
    /// Descriptors chosen to be closed on the engine, far above any it opens.
    private var nextClosedHandle: UInt32 = 1_000_000

    /// Copies `hook` (entries in order: prog mode attached, links created) onto `device`.
    /// `known` gives types and names of programs the request's handles revealed.
    init(target: HookTarget?, device: DeviceInfo?, hook: HookState?,
         known: [UInt32: ProgramInfo]) throws(TCXError) {
        self.target = target
        worldRevision = hook?.revision
        for info in known.values.sorted(by: { $0.id < $1.id }) {
            programs[info.id] = try engine.mirrorProgram(id: info.id, type: info.type, name: info.name)
        }
        guard let target else { return }
        if let device { try engine.mirrorDevice(device) }
        guard let hook else { return }
        for entry in hook.entries {
            let program = try programHandle(id: entry.programID)
            if let linkID = entry.linkID {
                links[linkID] = try engine.mirrorLink(id: linkID, program: program, target: target, attached: true)
            } else {
                try engine.attach(RawAttach(program: program.rawValue, target: target))
            }
        }
        engineRevision = try engine.state(of: target).revision
    }

    func shutdown() { engine.shutdown() }

    /// The engine copy of a program; one on a tcx or netkit hook is always sched_cls.
    private func programHandle(id: UInt32) throws(TCXError) -> Handle {
        if let handle = programs[id] { return handle }
        let handle = try engine.mirrorProgram(id: id, type: .schedCLS, name: "")
        programs[id] = handle
        return handle
    }

    /// The engine handle standing for one handle field: a new descriptor to the copy of the
    /// same object, or a descriptor that fails the same way (closed, not BPF, wrong kind).
    func engineHandle(for field: HandleField) throws(TCXError) -> UInt32 {
        // Both worlds read descriptor 0 as stdin: keep it, whatever it means to the field.
        if field.value == 0 { return 0 }
        let handle: UInt32
        switch field.reading {
        case .program(let info):
            handle = try engine.duplicate(try programHandle(id: info.id)).rawValue
        case .link(let info):
            handle = try engine.duplicate(try linkCopy(info)).rawValue
        case .otherObject:
            handle = try engine.duplicate(try foreignObject()).rawValue
        case .notBPF:
            // The engine's descriptors 1 and 2 are taken by files that are not BPF objects.
            handle = 1
        case .notOpen:
            handle = nextClosedHandle
            nextClosedHandle += 1
        }
        if worldHandles[handle] == nil { worldHandles[handle] = field.value }
        return handle
    }

    /// A link on the hook maps to its copy; any other (detached, or on another hook) to a
    /// detached copy, which resolves as the world's does but is on no hook.
    @discardableResult
    func linkCopy(_ info: LinkInfo) throws(TCXError) -> Handle {
        if let handle = links[info.id] { return handle }
        let program = try programHandle(id: info.programID)
        let elsewhere = HookTarget(ifindex: 0, attachType: info.attachType)
        let handle = try engine.mirrorLink(id: info.id, program: program, target: elsewhere, attached: false)
        links[info.id] = handle
        return handle
    }

    /// Stands for any object that is neither a program nor a tcx/netkit link.
    private func foreignObject() throws(TCXError) -> Handle {
        if let otherObject { return otherObject }
        let map = try engine.createMap(MapSpec(name: "stand_in", type: .array, keySize: 4, valueSize: 4, maxEntries: 1))
        otherObject = map
        return map
    }

    /// 0 stays "don't check"; the world's current revision becomes the engine's; any other
    /// value one the engine hook is not at.
    func translatedRevision(_ expected: UInt64) -> UInt64 {
        guard expected != 0, let engineRevision, let worldRevision else { return expected }
        if expected == worldRevision { return engineRevision }
        return engineRevision == UInt64.max ? 1 : engineRevision + 1
    }
}
