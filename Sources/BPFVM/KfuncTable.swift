import BPFCore

/// The embedded backend's kfuncs, by `EmbeddedKfunc`: kept apart from helpers by name and
/// number, but run through the helper dispatch. The verifier turns a kfunc call into a call of
/// helper `helperBase + number` (`KfuncCallCheck`), so the interpreter and the JIT call a
/// kfunc exactly as they call a helper: same arguments, same result, no path of their own.
public struct KfuncTable: Sendable {
    /// Far above every helper id (the kernel's are below 256) and below `HelperTable`'s limit.
    public static let helperBase: Int32 = 0xF000

    public static func helperID(_ kfunc: EmbeddedKfunc) -> Int32 { helperBase + kfunc.rawValue }

    /// The kfunc a rewritten call stands for.
    public static func kfunc(helper id: Int32) -> EmbeddedKfunc? {
        id > helperBase ? EmbeddedKfunc(rawValue: id - helperBase) : nil
    }

    private var functions: [(EmbeddedKfunc, HelperFunction)] = []

    public init() {}

    public mutating func register(_ kfunc: EmbeddedKfunc, _ function: @escaping HelperFunction) {
        functions.append((kfunc, function))
    }

    /// Puts every kfunc into `table` at its helper number.
    public func install(into table: inout HelperTable) {
        for (kfunc, function) in functions {
            table.register(Self.helperID(kfunc), name: kfunc.name, function)
        }
    }
}

/// Kfunc calls (`call` with src_reg 2, imm = an `EmbeddedKfunc` number) become helper calls;
/// one the program type does not get is refused as the kernel refuses it.
enum KfuncCallCheck {
    static func rewrite(_ op: Operation, at i: Int, options: VerifierOptions) throws(VMError) -> Operation {
        guard case .call(.kfunc(let id)) = op else { return op }
        guard let kfunc = EmbeddedKfunc(rawValue: id) else {
            throw VMError(instruction: i, "kernel btf_id \(UInt32(bitPattern: id)) is not a function")
        }
        let helper = KfuncTable.helperID(kfunc)
        guard options.helpers.contains(helper) else {
            throw VMError(instruction: i, "calling kernel function \(kfunc.name) is not allowed", errno: .EACCES)
        }
        return .call(.helper(helper))
    }
}
