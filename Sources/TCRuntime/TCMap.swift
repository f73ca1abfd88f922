import BPFMaps
import BPFVM

/// What a program array slot must hold for `bpf_tail_call` to enter it: the engine's program
/// object (a `TCProgram`, or anything that carries one).
public protocol TailCallTarget: AnyObject, Sendable {
    var tailCallProgram: VMProgram { get }
}

extension TCProgram: TailCallTarget {
    public var tailCallProgram: VMProgram { program }
}
