import Testing

/// The bpf_skc_to_* casts are typed by the CO-RE target BTF: the BTF tcx ships has no protocol
/// socket structs, so with it the embedded verifier refuses the cast and says which struct it lacks.
@Suite struct SocketCastTargetTests {
    @Test func aTargetWithoutTheSocketStructRefusesTheCast() throws {
        let path = CLI.fixture("verifier/btf_returns.tcx")
        let result = try CLI.run(["script", "--explain", "--backend", "embedded", path], environment: ["TCX_CORE_BTF": "shipped"])
        #expect(result.stdout.contains("refused p1: insn 3: bpf_skc_to_tcp_sock needs struct tcp_sock in the CO-RE target BTF"),
                "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("refused p5: insn 3: bpf_skc_to_udp6_sock needs struct udp6_sock in the CO-RE target BTF"))
    }
}
