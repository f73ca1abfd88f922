import TCX

/// Why a world refused an mprog request, as the engine's rules explain it.
///
/// The engine replays the request on a copy of the hook as it was; when it refuses with the
/// same errno, its reason — the rule and the positions, under the world's ids — is the
/// explanation. When it accepts, or refuses otherwise, the refusal is not a rule of the hook
/// order, and `text` says so.
public struct RefusalExplanation: Hashable, Sendable, CustomStringConvertible {
    public let request: RefusedRequest
    /// What the explained world answered (on the kernel: the bare errno and the call).
    public let worldError: TCXError
    /// `"kernel"` or `"embedded"`: the backend that refused.
    public let backendName: String
    /// The request's handles and what each referred to.
    public let handles: [HandleField]
    /// The hook the request acts on (for a link update: its link's hook), if it has one.
    public let target: HookTarget?
    /// The hook as it was: revision, and (program id, link id) per position. nil when it
    /// could not be read (no such device, not a tcx or netkit hook, a detached link).
    public let hook: HookState?
    public let engine: EngineOutcome
    /// What a person can do about it.
    public let advice: String
    /// The whole explanation, several lines.
    public let text: String

    public var errno: LinuxErrno { worldError.errno }

    /// The engine's errno; nil when it accepted or could not replay.
    public var engineErrno: LinuxErrno? {
        if case .refused(let error) = engine { return error.errno }
        return nil
    }

    /// The engine's reason, naming the world's ids; nil when it did not refuse.
    public var rule: String? {
        if case .refused(let error) = engine { return error.reason }
        return nil
    }

    /// True when the engine refuses with the world's errno: a rule of the hook order explains it.
    public var agrees: Bool { engineErrno == worldError.errno }

    public var description: String { text }
}
