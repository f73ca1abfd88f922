import BPFCore

/// A pointer into a kernel object typed by BTF: the kernel's PTR_TO_BTF_ID (`typeID` names a
/// struct of the target BTF) or, for `bpf_rdonly_cast` to void, its untyped read-only memory
/// (PTR_TO_MEM | MEM_RDONLY | PTR_UNTRUSTED, `typeID` 0). Loads through it are probe loads
/// (a fault reads 0); stores are refused.
struct BTFPointer: Hashable {
    var typeID: UInt32
    /// The struct's name, as the kernel's log names the pointer (`ptr_sk_buff`).
    var name: String
    /// `bpf_cast_to_kern_ctx`'s result (PTR_TRUSTED): never NULL.
    var trusted = false
    /// `bpf_rdonly_cast`'s result and what is read through it (PTR_UNTRUSTED). A pointer read
    /// through a trusted one is neither.
    var untrusted = false
    /// A conntrack kfunc's result (KF_ACQUIRE): holds a reference, NULL until compared.
    var acquired = false
    var nullable = false
    /// Read through a trusted, held or RCU pointer from a field the kernel keeps RCU-protected
    /// (MEM_RCU, `RCUFields`): a kfunc taking RCU pointers (KF_RCU) takes it.
    var rcu = false

    static let untyped = BTFPointer(typeID: 0, name: "", untrusted: true)

    /// The kernel's name for the register type (`reg_type_str`: the struct is not named).
    var typeName: String {
        if nullable { return "ptr_or_null_" }
        return typeID == 0 ? "rdonly_untrusted_mem" : (trusted ? "trusted_" : untrusted ? "untrusted_" : rcu ? "rcu_" : "") + "ptr_"
    }
}

/// Loads through BTF pointers, checked as the kernel's `check_ptr_to_btf_access` and
/// `btf_struct_walk` check them against the target BTF, and what they give.
enum BTFPointerAccess {
    /// Why the access is refused (message, errno), or what the load gives.
    static func load(_ pointer: BTFPointer, base: AbstractValue, register: UInt8, offset insnOffset: Int, size: Int,
                     signed: Bool, write: Bool, types: (any KernelTypeCatalog)?, at index: Int) throws(VMError) -> AbstractValue {
        let r = "R\(register)"
        func refuse(_ reason: String, _ errno: LinuxErrno = .EACCES) -> VMError {
            VMError(instruction: index, reason, errno: errno)
        }
        let number = AbstractValue.scalar(signed ? .loadedSigned(bytes: size) : .loaded(bytes: size))
        if pointer.nullable { throw refuse("\(r) invalid mem access '\(pointer.typeName)'") }
        guard pointer.typeID != 0 else {
            // Untyped read-only memory: any offset, through probe loads.
            if write { throw refuse("\(r) cannot write into \(pointer.typeName)") }
            return number
        }
        let offset = base.offset + insnOffset
        if offset < 0 { throw refuse("\(r) is ptr_\(pointer.name) invalid negative access: off=\(offset)") }
        guard base.range.constant == 0 else {
            throw refuse("\(r) is ptr_\(pointer.name) invalid variable offset: off=\(offset), var_off=\(base.range.knownBits)")
        }
        if write {
            // tc's and XDP's btf_struct_access: only the mark of an entry the program holds
            // may be written (not of one read through it).
            guard ConntrackPrototypes.entryStructures.contains(pointer.name), pointer.acquired, let types else {
                throw refuse("only read is supported")
            }
            try ConntrackPrototypes.checkWrite(offset: offset, size: size, types: types, at: index)
            return number
        }
        guard let types else { return number }
        let walk = StructWalk(types: types)
        switch try walk.walk(pointer.typeID, offset: offset, size: size, at: index) {
        case .scalar: return number
        case .pointer(let id, let name, let field):
            let rcu = !pointer.untrusted && RCUFields.protects(field, of: pointer, pointee: name)
            return AbstractValue(kind: .btf(BTFPointer(typeID: id, name: name, untrusted: pointer.untrusted, rcu: rcu)))
        }
    }
}

/// The kernel's `btf_struct_walk`: finds what an access of `size` bytes at `offset` of a struct
/// reads, through nested structs, unions and arrays, refusing what the kernel refuses.
struct StructWalk {
    enum Found: Equatable {
        case scalar
        /// A pointer member to a struct: its id and name, and the member's name.
        case pointer(UInt32, String, field: String)
    }

    let types: any KernelTypeCatalog
    /// Nesting followed before giving up (the kernel's walk has none; BTF cycles do).
    static let maxDepth = 32

    func walk(_ id: UInt32, offset start: Int, size: Int, at index: Int) throws(VMError) -> Found {
        func refuse(_ reason: String, _ errno: LinuxErrno = .EACCES) -> VMError {
            VMError(instruction: index, reason, errno: errno)
        }
        var structID = id, offset = start
        for _ in 0 ..< Self.maxDepth {
            guard case .structure(let structure)? = types.type(structID) else {
                throw refuse("Type '\(Self.name(types.type(structID)))' is not a struct", .EINVAL)
            }
            let name = structure.name.isEmpty ? "(anon)" : structure.name
            if offset + size > structure.size {
                throw refuse("access beyond struct \(name) at off \(offset) size \(size)")
            }
            var next: (UInt32, Int)?
            members: for member in structure.members {
                let memberOffset = member.bitOffset / 8
                if offset + size <= memberOffset { break }
                if member.bitfieldSize > 0 {
                    let endByte = (member.bitOffset + member.bitfieldSize + 7) / 8
                    if offset <= memberOffset, endByte <= offset + size { return .scalar }
                    continue
                }
                if offset < memberOffset { break }
                let memberName = member.name.isEmpty ? "(anon)" : member.name
                guard let memberSize = types.size(of: member.type) else {
                    throw refuse("field \(memberName) doesn't have size", .EFAULT)
                }
                let memberEnd = memberOffset + memberSize
                if offset >= memberEnd { continue }
                var type = types.type(member.type)
                var elementOffset = memberOffset, elementSize = memberSize
                if case .array(let element, _)? = type {
                    // Into the element the access starts in (nested arrays flattened).
                    var innermost = element
                    for _ in 0 ..< Self.maxDepth {
                        guard case .array(let inner, _)? = types.type(innermost) else { break }
                        innermost = inner
                    }
                    guard let size = types.size(of: innermost), size > 0 else { continue }
                    elementSize = size
                    elementOffset = memberOffset + (offset - memberOffset) / size * size
                    type = types.type(innermost)
                    if case .structure? = type {
                        next = (innermost, offset - elementOffset)
                        break members
                    }
                }
                switch type {
                case .structure?:
                    next = (member.type, offset - memberOffset)
                    break members
                case .pointer(let pointee)?:
                    guard elementSize == size, offset == elementOffset else {
                        throw refuse("cannot access ptr member \(memberName) with moff \(elementOffset) in struct \(name) "
                                     + "with off \(offset) size \(size)")
                    }
                    if case .structure(let target)? = types.type(pointee) {
                        return .pointer(pointee, target.name, field: memberName)
                    }
                    return .scalar
                default:
                    if offset + size > memberEnd {
                        throw refuse("access beyond the end of member \(memberName) (mend:\(memberEnd)) in struct \(name) "
                                     + "with off \(offset) size \(size)")
                    }
                    return .scalar
                }
            }
            guard let (inner, innerOffset) = next else {
                throw refuse("struct \(name) doesn't have field at offset \(offset)", .EINVAL)
            }
            structID = inner
            offset = innerOffset
        }
        throw refuse("struct nesting too deep", .EINVAL)
    }

    private static func name(_ type: KernelType?) -> String {
        switch type {
        case .structure(let s)?: s.name
        case .other(let name)?: name
        default: ""
        }
    }
}

/// A helper's memory argument that is a BTF pointer, as the kernel's check_reg_type and
/// check_helper_mem_access take it: only the trusted kernel context, only for reading, and the
/// bytes read are walked as a load of that size would be.
enum BTFHelperArguments {
    static let expected = HelperArgumentRules.memoryTypes

    static func check(_ argument: HelperPrototypes.SizedMemory, helper: @autoclosure () -> String, _ state: PathState,
                      at index: Int, types: @Sendable () -> (any KernelTypeCatalog)?) throws(VMError) {
        let pointer = state.registers[argument.pointer], size = state.registers[argument.size]
        guard case .btf(let btf) = pointer.kind else { return }
        guard btf.trusted else {
            throw VMError(instruction: index, "R\(argument.pointer) type=\(btf.typeName) expected=\(expected)", errno: .EACCES)
        }
        if argument.write {
            throw VMError(instruction: index, "\(helper())() may write into memory pointed by R\(argument.pointer) type=\(btf.typeName)",
                          errno: .EACCES)
        }
        // A size the other checks refuse (negative, zero, unbounded) is refused by them.
        guard size.isScalar, size.range.smin >= 0, size.range.umin > 0 || argument.zeroAllowed,
              size.range.umax > 0, size.range.umax < 1 << 29 else { return }
        _ = try BTFPointerAccess.load(btf, base: pointer, register: UInt8(argument.pointer), offset: 0, size: Int(size.range.umax),
                                      signed: false, write: false, types: types(), at: index)
    }
}

/// The instructions that loaded through a BTF pointer on some path, collected while the paths
/// are explored (a reference, so every copy of `PathSetup` adds to the same set). A load that
/// reads through a BTF pointer on one path and through another pointer on another is refused,
/// as the kernel refuses it: it runs as a probe load or as an ordinary one, not both.
final class ProbeLoads {
    /// Whether the program can make BTF pointers at all (otherwise nothing is noted).
    let active: Bool
    private(set) var indices: Set<Int> = []
    private var others: Set<Int> = []

    init(active: Bool = false) { self.active = active }

    func note(_ base: AbstractValue, at index: Int) throws(VMError) {
        let throughBTF: Bool
        switch base.kind {
        case .btf: throughBTF = true
        case .notInit, .unknown, .scalar: return
        default: throughBTF = false
        }
        if throughBTF { indices.insert(index) } else { others.insert(index) }
        if indices.contains(index), others.contains(index) {
            throw VMError(instruction: index, "same insn cannot be used with different pointers", errno: .EINVAL)
        }
    }

    /// Whether `program` calls a kfunc or helper that gives BTF pointers.
    static func needed(_ program: VerifiedProgram) -> Bool {
        let casts = Set([EmbeddedKfunc.castToKernelContext, .rdonlyCast, .skbConntrackLookup, .skbConntrackAlloc,
                         .xdpConntrackLookup, .xdpConntrackAlloc, .conntrackInsertEntry].map(KfuncTable.helperID))
        return program.operations.contains { op in
            if case .call(.helper(let id))? = op { return casts.contains(id) || BTFReturnPrototypes.returnsBTF(id) }
            return false
        }
    }
}
