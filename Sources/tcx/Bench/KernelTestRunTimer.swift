import SwiftTCX

/// Times programs through the kernel's BPF_PROG_TEST_RUN in one private world.
final class KernelTestRunTimer {
    private let world: any TCXSystem
    /// An Ethernet frame with a local experimental EtherType: test-run needs at least a header.
    static let frame: [UInt8] = [0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x88, 0xb5]
        + [UInt8](repeating: 0, count: 50)

    /// Nil, with the reason, when the kernel cannot be used here (not root, no bpf).
    static func open() -> Result<KernelTestRunTimer, TCXError> {
        Result { () throws(TCXError) in KernelTestRunTimer(world: try Backend.kernel.openWorld()) }
    }

    private init(world: any TCXSystem) { self.world = world }

    deinit { world.shutdown() }

    /// The kernel's average ns per run over `runs` repetitions (it times them itself).
    func nanosecondsPerRun(_ program: [Instruction], name: String, runs: UInt32) throws(TCXError) -> Double {
        let handle = try world.loadProgram(ProgramSpec(name: name, instructions: Instruction.encode(program)))
        defer { try? world.close(handle) }
        _ = try world.testRun(handle, packet: Self.frame, repeat: min(runs, 1000))  // warm-up
        return Double(try world.testRun(handle, packet: Self.frame, repeat: runs).durationNanoseconds)
    }
}
