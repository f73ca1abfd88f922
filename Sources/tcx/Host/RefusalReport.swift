import LinuxKernel
import SwiftTCX

/// How a host command reports a change the kernel refused: the errno and the kernel's reason,
/// and with --explain the explainer's replay of the request on a copy of the hook.
enum RefusalReport {
    /// errnos that a hook's ordering rules give, where the replay says which rule applied.
    static let ruleErrnos: Set<LinuxErrno> = [.EEXIST, .ENOENT, .ERANGE, .ESTALE, .EBUSY, .EINVAL, .EBADF, .EPERM]

    static func failure(_ what: String, _ error: TCXError, explain: Bool,
                        _ explanation: () -> RefusalExplanation) -> CommandFailure {
        guard explain else {
            let hint = ruleErrnos.contains(error.errno) ? "\n(--explain replays the request on a copy of the hook and names the rule)" : ""
            return CommandFailure("\(what): \(error)\(hint)")
        }
        return CommandFailure("\(what): \(error)\n\(explanation().text)")
    }
}
