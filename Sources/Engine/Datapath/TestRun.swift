import BPFCore
import TCRuntime
import TCX

/// BPF_PROG_TEST_RUN for tc programs, as the kernel builds its skb.
enum TestRun {
    static func run(_ program: ProgramObject, packet: [UInt8], repeat count: UInt32,
                    ifindex: UInt32? = nil) throws(TCXError) -> TestRunResult {
        // The embedded backend has no XDP hook and no xdp_md context: running an XDP program
        // with the tc context would give results the kernel never gives.
        guard program.type == .schedCLS || program.type == .schedACT || program.type == .socketFilter else {
            throw TCXError(.EOPNOTSUPP, "test-run: \(program.name) is a \(program.type) program; "
                           + "the embedded backend runs sched_cls, sched_act and socket_filter programs (use the kernel backend)")
        }
        // A test-run runs on CPU 0 (the script contract; the kernel backend pins its thread there).
        var runner = program.executable.runner
        runner.services.processorID = { 0 }
        var device: NetDevice?
        if let ifindex {
            guard let found = runner.services.network.snapshot.device(ifindex) else {
                throw TCXError(.ENODEV, "test-run: no device has ifindex \(ifindex)")
            }
            device = found
        }
        do {
            let result = try TCTestRun.run(program.executable.program, packet: packet, repeat: max(count, 1),
                                           device: device, runner: runner)
            return TestRunResult(returnValue: result.returnValue, packetOut: result.packet,
                                 durationNanoseconds: result.nanosecondsPerRun)
        } catch {
            switch error {
            case .refused(let errno, let reason): throw TCXError(errno, reason)
            case .fault(let fault): throw TCXError(.EFAULT, "\(fault)")
            }
        }
    }
}
