import BPFCore

/// A handle to a program or link: an fd on the kernel, an fd-like number in the engine.
/// Raw values are passed through unchanged so that invalid ones can be tried on purpose.
public struct Handle: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Never a valid fd: what a closed handle stands for.
    public static let invalid = Handle(rawValue: UInt32.max)
    public var description: String { "fd \(rawValue)" }
}

/// The target of an mprog operation: a device by ifindex and one of its hooks.
public struct HookTarget: Hashable, Sendable, CustomStringConvertible {
    public var ifindex: UInt32
    public var attachType: AttachType
    public init(ifindex: UInt32, attachType: AttachType) {
        self.ifindex = ifindex
        self.attachType = attachType
    }
    public var description: String { "ifindex \(ifindex) \(attachType.hookName)" }
}
