import BPFCore
import Synchronization

/// The CO-RE target BTF as the embedded verifier types BTF pointers by it (`KernelTypeCatalog`):
/// the same BTF an object's `bpf_core_type_id_kernel` relocations were resolved against.
public final class KernelTypeTarget: KernelTypeCatalog {
    private let btf: BTF
    private let structureIDs = Mutex<[String: UInt32]>([:])

    init(_ btf: BTF) { self.btf = btf }

    /// The target `source` names (`TCX_CORE_BTF` by default), loaded once per process; nil when
    /// it cannot be read.
    public static func load(_ source: COREBTFSource = .fromEnvironment()) -> KernelTypeTarget? {
        if let known = cache.withLock({ $0[source] }) { return known }
        guard let loaded = try? CORETargets.load(source, fail: Failure(file: "CO-RE target")) else { return nil }
        let target = KernelTypeTarget(loaded.btf)
        cache.withLock { $0[source] = target }
        return target
    }

    private static let cache = Mutex<[COREBTFSource: KernelTypeTarget]>([:])

    public func type(_ id: UInt32) -> KernelType? {
        guard let t = btf.skippingQualifiers(id) else { return nil }
        switch t.kind {
        case .void: return .void
        case .int, .enumeration, .enum64, .float: return .scalar(size: Int(t.sizeOrType))
        case .pointer: return .pointer(to: skippedID(t.sizeOrType))
        case .array: return .array(element: t.arrayElement, count: Int(t.arrayCount))
        case .structure, .union:
            let members = t.members.indices.map { i in
                KernelStructure.Member(name: t.members[i].name, type: t.members[i].type,
                                       bitOffset: Int(t.memberBitOffset(i)), bitfieldSize: Int(t.memberBitfieldSize(i)))
            }
            return .structure(KernelStructure(name: t.name, size: Int(t.sizeOrType), isUnion: t.kind == .union, members: members))
        default: return .other(name: t.name)
        }
    }

    public func structureID(named name: String) -> UInt32? {
        if let known = structureIDs.withLock({ $0[name] }) { return known }
        guard let index = btf.types.firstIndex(where: { $0.kind == .structure && $0.name == name }),
              let id = UInt32(exactly: index) else { return nil }
        structureIDs.withLock { $0[name] = id }
        return id
    }

    public func size(of id: UInt32) -> Int? { btf.size(of: id).map(Int.init) }

    /// The id after typedefs and qualifiers.
    private func skippedID(_ id: UInt32) -> UInt32 {
        var current = id
        for _ in 0 ..< BTF.maxDepth {
            guard let t = btf.type(current) else { return current }
            switch t.kind {
            case .typedef, .volatile, .const, .restrict, .typeTag: current = t.sizeOrType
            default: return current
            }
        }
        return current
    }
}
