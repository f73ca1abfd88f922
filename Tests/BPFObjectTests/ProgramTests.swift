import BPFCore
@testable import BPFObject
import Testing

@Suite struct ProgramTests {
    @Test func everySectionName() throws {
        let spec = try Fixture.parse("sections.o")
        let expected: [(String, String, ProgramType, AttachType?)] = [
            ("p_tc", "tc", .schedCLS, nil),
            ("p_classifier", "classifier", .schedCLS, nil),
            ("p_tcx_in", "tcx/ingress", .schedCLS, .tcxIngress),
            ("p_tcx_eg", "tcx/egress", .schedCLS, .tcxEgress),
            ("p_tc_in", "tc/ingress", .schedCLS, .tcxIngress),
            ("p_tc_in2", "tc/ingress", .schedCLS, .tcxIngress),
            ("p_tc_in3", "tc/ingress", .schedCLS, .tcxIngress),
            ("p_tc_eg", "tc/egress", .schedCLS, .tcxEgress),
            ("p_nk_primary", "netkit/primary", .schedCLS, .netkitPrimary),
            ("p_nk_peer", "netkit/peer", .schedCLS, .netkitPeer),
            ("p_xdp", "xdp", .xdp, .xdp),
            ("p_optional", "?tc", .schedCLS, nil),
            ("p_optional_egress", "?tcx/egress", .schedCLS, .tcxEgress),
        ]
        #expect(spec.programs.count == expected.count)
        for (name, section, type, attach) in expected {
            let program = try #require(spec.program(named: name))
            #expect(program.section == section)
            #expect(program.type == type)
            #expect(program.expectedAttachType == attach)
            #expect(program.decodedInstructions.last?.opcode == 0x95)   // ends with exit
        }
        #expect(spec.maps.isEmpty)
        #expect(spec.license == "GPL")
    }

    @Test func severalProgramsInOneSection() throws {
        let spec = try Fixture.parse("sections.o")
        let inSection = spec.programs.filter { $0.section == "tc/ingress" }
        #expect(inSection.map(\.name) == ["p_tc_in", "p_tc_in2", "p_tc_in3"])
        #expect(spec.program(named: "tc/ingress")?.name == "p_tc_in")
        #expect(spec.program(named: "p_tc_in3")?.decodedInstructions.count == 2)
        #expect(spec.program(named: "nothing") == nil)
    }

    @Test func subprogramsAreAppendedDepthFirst() throws {
        let spec = try Fixture.parse("subprogs.o")
        // uses_middle (8) + middle (8, reached first) + leaf (4, reached from middle).
        let main = try #require(spec.program(named: "uses_middle"))
        #expect(main.decodedInstructions.count == 20)
        #expect(main.localCalls.map(\.index) == [2, 5, 9, 13])
        // Each call lands on: middle at 8, leaf at 16, leaf at 16, leaf at 16.
        #expect(main.localCalls.map { $0.index + Int($0.imm) + 1 } == [8, 16, 16, 16])
        #expect(main.section == "tcx/egress" && main.expectedAttachType == .tcxEgress)

        let other = try #require(spec.program(named: "uses_other"))
        #expect(other.decodedInstructions.count == 6)
        #expect(other.localCalls.map { $0.index + Int($0.imm) + 1 } == [3])

        let none = try #require(spec.program(named: "no_calls"))
        #expect(none.localCalls.isEmpty && none.decodedInstructions.count == 5)
        // Subprograms are not programs of their own.
        #expect(spec.program(named: "leaf") == nil && spec.program(named: "middle") == nil)
    }

    @Test func callbackAddressBecomesPseudoFunction() throws {
        let spec = try Fixture.parse("subprogs.o")
        let program = try #require(spec.program(named: "uses_loop"))
        #expect(program.decodedInstructions.count == 17)   // 12 + step (5)
        let loads = program.loads(.function)
        #expect(loads.count == 1)
        let load = try #require(loads.first)
        #expect(load.index + Int(load.first.imm) + 1 == 12)
        #expect(load.second.imm == 0)
    }

    @Test func linkedProgramsDecode() throws {
        for name in Fixture.all {
            for program in try Fixture.parse(name).programs {
                let code = program.decodedInstructions
                var i = 0
                while i < code.count {
                    let next = i + 1 < code.count ? code[i + 1] : nil
                    #expect(throws: Never.self, "\(name) \(program.name) #\(i)") { try code[i].decodeOperation(next: next) }
                    i += code[i].opcode == 0x18 ? 2 : 1
                }
            }
        }
    }
}
