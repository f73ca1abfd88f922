import BPFCore

/// Rules both backends apply to classic filter requests before the kernel sees them.
public enum ClassicFilterRules {
    /// Priority 0 and handle 0 are not addresses to the kernel: on add they ask it to choose
    /// one, on delete they delete every filter of the side (or of the priority), other tools'
    /// included. The API names one filter, so both are refused (EINVAL).
    public static func requireAddress(priority: UInt16, handle: UInt32, on target: HookTarget,
                                      _ operation: String) throws(TCXError) {
        if priority == 0 {
            throw TCXError(.EINVAL, "\(operation) on \(target): priority 0 is not a filter's priority "
                           + "(the kernel reads it as 'choose one' or 'every priority'); name one from 1 to 65535")
        }
        if handle == 0 {
            throw TCXError(.EINVAL, "\(operation) on \(target) prio \(priority): handle 0 is not a filter's handle "
                           + "(the kernel reads it as 'choose one' or 'every handle'); name one")
        }
    }
}
