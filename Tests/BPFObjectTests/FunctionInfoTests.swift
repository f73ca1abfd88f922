import BPFCore
@testable import BPFObject
import Testing

/// `.BTF.ext` function records moved to where each function sits in the linked program.
struct FunctionInfoTests {
    /// Where the linked code's pseudo calls and function addresses land.
    static func functionStarts(_ program: ObjectProgram) -> Set<UInt32> {
        let code = program.decodedInstructions
        var starts: Set<UInt32> = [0]
        for (i, insn) in code.enumerated() {
            let isCall = insn.opcode == 0x85 && insn.src == 1
            let isAddress = insn.opcode == 0x18 && insn.src == PseudoSource.function.rawValue
            if isCall || isAddress { starts.insert(UInt32(i + 1 + Int(insn.imm))) }
        }
        return starts
    }

    @Test func subprogramsGetRecordsAtTheirAppendedPlace() throws {
        let spec = try Fixture.parse("subprogs.o")
        #expect(spec.btf != nil)
        let expectedCounts = ["uses_middle": 3, "uses_other": 2, "uses_loop": 2, "no_calls": 1]
        for (name, count) in expectedCounts {
            let program = try #require(spec.program(named: name))
            let info = program.functionInfo
            #expect(info.count == count, "\(name)")
            #expect(info.first?.instruction == 0, "\(name)")
            #expect(zip(info, info.dropFirst()).allSatisfy { $0.instruction < $1.instruction }, "\(name)")
            #expect(Set(info.map(\.instruction)) == Self.functionStarts(program), "\(name)")
            #expect(info.allSatisfy { $0.typeID > 0 }, "\(name)")
            #expect(info.allSatisfy { $0.instruction < UInt32(program.instructions.count / 8) }, "\(name)")
        }
    }

    @Test func dataSectionsAreSizedForTheKernel() throws {
        for name in ["globals.o", "btf_maps.o", "subprogs.o"] {
            let spec = try Fixture.parse(name)
            let btf = try #require(spec.btf, "\(name)")
            #expect(Self.dataSectionSizes(btf).allSatisfy { $0 > 0 }, "\(name)")
            #expect(!Self.dataSectionSizes(btf).isEmpty, "\(name)")
        }
    }

    /// The size of every DATASEC in raw BTF bytes (a walk over the type area).
    static func dataSectionSizes(_ bytes: [UInt8]) -> [UInt32] {
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        let headerLength = Int(u32(4))
        var position = headerLength + Int(u32(8))
        let end = position + Int(u32(12))
        var sizes: [UInt32] = []
        while position < end {
            let info = u32(position + 4)
            let kind = info >> 24 & 0x1f, vlen = Int(info & 0xffff)
            if kind == 15 { sizes.append(u32(position + 8)) }
            position += 12
            switch kind {
            case 1, 14, 17: position += 4
            case 3: position += 12
            case 4, 5, 15, 19: position += vlen * 12
            case 6, 13: position += vlen * 8
            default: break
            }
        }
        return sizes
    }
}
