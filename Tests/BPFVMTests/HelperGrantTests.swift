import BPFCore
import BPFVM
import Testing

/// Memory a helper grants (`HelperCall.granted`, the map value a lookup returns) is checked
/// inline by the JIT until the next helper call; both engines must still refuse what the run's
/// memory provider refuses: past the region, writes to a read-only one, and anything after a
/// later helper revoked it.
@Suite struct HelperGrantTests {
    /// Allows reads of `storage` while `open`: helper 1 opens it, helper 2 closes it, as a
    /// helper that takes back what it handed out (a ring buffer record submitted) would.
    /// One test's runs use it, one after another (unchecked: the helpers capture it).
    final class Grants: MemoryRegionProvider, @unchecked Sendable {
        let storage: UnsafeMutableRawBufferPointer
        var open = false

        init() {
            storage = .allocate(byteCount: 16, alignment: 8)
            storage.initializeMemory(as: UInt8.self, repeating: 7)
        }

        deinit { storage.deallocate() }

        func allows(_ address: UInt64, size: UInt64, write: Bool) -> Bool {
            open && MemoryRegion(storage, writable: false).contains(address, size: size, write: write)
        }
    }

    /// Helper 1 returns the storage, granted read-only; helper 2 revokes it.
    func run(_ program: [Instruction], _ grants: Grants) throws -> Result<UInt64, VMFault> {
        var options = VerifierOptions()
        options.helpers.register(1) { [unowned grants] call in
            grants.open = true
            call.granted = MemoryRegion(grants.storage, writable: false)
            return UInt64(UInt(bitPattern: grants.storage.baseAddress))
        }
        options.helpers.register(2) { [unowned grants] _ in
            grants.open = false
            return 0
        }
        return try MemorySafetyTests().run(program, options: options, environment: RunEnvironment(memory: grants))
    }

    func fault(_ result: Result<UInt64, VMFault>) -> VMFault? {
        if case .failure(let f) = result { return f }
        return nil
    }

    @Test func insideTheGrantReads() throws {
        let grants = Grants()
        #expect(try run([Asm.call(1), Asm.ldxb(0, 0, 15), Asm.exit], grants).get() == 7)
        #expect(try run([Asm.call(1), Asm.ldxdw(0, 0, 8), Asm.exit], grants).get() == 0x0707_0707_0707_0707)
    }

    @Test func pastTheGrantFaults() throws {
        let grants = Grants()
        #expect(fault(try run([Asm.call(1), Asm.ldxb(0, 0, 16), Asm.exit], grants))?.instruction == 1)
        #expect(fault(try run([Asm.call(1), Asm.ldxdw(0, 0, 9), Asm.exit], grants))?.instruction == 1)
        #expect(fault(try run([Asm.call(1), Asm.ldxb(0, 0, -1), Asm.exit], grants))?.instruction == 1)
    }

    @Test func aReadOnlyGrantRefusesWrites() throws {
        let grants = Grants()
        let write = fault(try run([Asm.call(1), Asm.stdw(0, 0, 1), Asm.mov(0, 0), Asm.exit], grants))
        #expect(write?.instruction == 1)
        #expect(grants.storage.allSatisfy { $0 == 7 })
    }

    @Test func aLaterHelperRevokesTheGrant() throws {
        let grants = Grants()
        // r6 keeps the pointer across helper 2, which revokes it: the load must fault.
        let program = [Asm.call(1), Asm.movReg(6, 0), Asm.call(2), Asm.ldxb(0, 6, 0), Asm.exit]
        #expect(fault(try run(program, grants))?.instruction == 3)
    }
}
