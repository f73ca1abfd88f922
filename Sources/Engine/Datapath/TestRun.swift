import BPFCore
import TCRuntime
import TCX

/// BPF_PROG_TEST_RUN for tc programs, as the kernel builds its skb.
enum TestRun {
    static func run(_ program: ProgramObject, packet: [UInt8], repeat count: UInt32) throws(TCXError) -> TestRunResult {
        // A test-run runs on CPU 0 (the script contract; the kernel backend pins its thread there).
        var runner = program.executable.runner
        runner.services.processorID = { 0 }
        do {
            let result = try TCTestRun.run(program.executable.program, packet: packet, repeat: max(count, 1),
                                           runner: runner)
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
