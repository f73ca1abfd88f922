import BPFCore
import BPFVM
import TCRuntime
import Testing

/// A socket a lookup hands out must go back with bpf_sk_release: the kernel verifier refuses a
/// program that can exit holding one, so the engine stops such a run. (Every lookup result is
/// recorded on the kernel in scripts/kernel/net_sockets.tcx.)
@Suite struct SocketReferenceTests {
    static let packet: [UInt8] = [2, 0, 0, 0, 1, 1, 2, 0, 0, 0, 9, 9, 0x88, 0xb5] + Array(repeating: 0, count: 32)

    /// A runner whose world has a TCP socket on 0.0.0.0 port 0, which an all-zero tuple finds.
    static func runner() -> TCProgramRunner {
        var net = NetworkSnapshot()
        net.sockets = [NetSocket(protocolNumber: 6, address: [0, 0, 0, 0], port: 0, identity: 1)]
        var services = TCServices(processorID: { 0 })
        services.network = NetworkState(net)
        return TCProgramRunner(services: services)
    }

    /// sk_lookup_tcp with a zeroed IPv4 tuple on the stack; r0 is the socket pointer.
    static let lookup: [Instruction] = [
        Asm.storeImm(8, 10, -16, 0), Asm.storeImm(4, 10, -8, 0),
        Asm.movReg(2, 10), Asm.add(2, -16), Asm.mov(3, 12), Asm.mov(4, -1), Asm.mov(5, 0), Asm.call(84),
    ]

    @Test func aReleasedSocketRunsToTheEnd() throws {
        let program = try TCProgram(instructions: Self.lookup + [
            Asm.movReg(6, 0), Asm.jeq(0, 0, 2), Asm.movReg(1, 6), Asm.call(86), Asm.mov(0, 1), Asm.exit,
        ])
        let result = try TCTestRun.run(program, packet: Self.packet, runner: Self.runner())
        #expect(result.returnValue == 1)
    }

    /// The kernel's verifier refuses it at load (EINVAL, naming the lookup).
    @Test func aSocketStillHeldAtExitIsRefused() throws {
        #expect(throws: VMError(instruction: 9, "Unreleased reference id=8 alloc_insn=7; BPF_EXIT instruction in main prog would lead to reference leak", errno: .EINVAL)) {
            _ = try TCProgram(instructions: Self.lookup + [Asm.mov(0, 0), Asm.exit])
        }
    }

    /// A released socket is a number to the verifier: releasing it again is refused at load,
    /// as the kernel refuses it.
    @Test func releasingTwiceIsRefused() throws {
        #expect(throws: VMError(instruction: 13, "R1 type=scalar expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_", errno: .EACCES)) {
            _ = try TCProgram(instructions: Self.lookup + [
                Asm.movReg(6, 0), Asm.jeq(0, 0, 4), Asm.movReg(1, 6), Asm.call(86), Asm.movReg(1, 6), Asm.call(86),
                Asm.mov(0, 0), Asm.exit,
            ])
        }
    }
}
