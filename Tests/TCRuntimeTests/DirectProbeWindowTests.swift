import BPFCore
@testable import BPFVM
@testable import TCRuntime
import Testing

/// The fifteenth step of issue 11 (docs/vm.md): the JIT's probe-load thunk asks the run's
/// probe window through a C function of the unretained hooks (`DirectProbeWindow`), not the
/// existential. It must give exactly the window the provider gives, in every state of the run.
@Suite struct DirectProbeWindowTests {
    /// The window as (start, count), asked both ways.
    static func windows(_ provider: any MemoryRegionProvider, _ direct: DirectProbeWindow) -> (direct: [UInt64], provider: [UInt64]) {
        var count: UInt64 = 0
        let start = direct.function(direct.context, &count)
        let window = provider.probeWindow
        return ([start, count], [UInt64(UInt(bitPattern: window.baseAddress)), UInt64(window.count)])
    }

    @Test func theDirectWindowIsTheProvidersInEveryState() throws {
        let layout = try #require(KernelStructLayout.skb)
        let skb = SKBuff(packet: [UInt8](repeating: 0x45, count: 64), metadata: SKBMetadata())
        let services = SharedServices(TCServices())
        let run = TCRun(skb: skb, services: services)
        let provider = try #require(run.environment.memory)
        let direct = try #require(provider.directProbeWindow)
        let closed: [UInt64] = [0, 0]

        // No image yet, then an image not granted: closed.
        #expect(Self.windows(provider, direct) == (closed, closed))
        run.kernelSKBImage = KernelSKBImage(skb: layout, device: nil, socket: nil)
        let image = try #require(run.kernelSKBImage)
        #expect(Self.windows(provider, direct) == (closed, closed))

        // Granted but never filled (stale): closed; filled: the image's bytes.
        image.grant(to: run)
        #expect(Self.windows(provider, direct) == (closed, closed))
        image.fill(from: skb)
        let open = [image.address, UInt64(layout.size)]
        #expect(Self.windows(provider, direct) == (open, open))

        // Stale, as a helper leaves it: closed; the next fill opens it; the run's end closes it.
        image.stale = true
        #expect(Self.windows(provider, direct) == (closed, closed))
        image.fill(from: skb)
        #expect(Self.windows(provider, direct) == (open, open))
        run.finish()
        #expect(Self.windows(provider, direct) == (closed, closed))
        withExtendedLifetime((skb, services)) {}
    }

    /// The `JITRun` lives in the state block's last words: keeping the direct window made it
    /// ten words, and writing it past the block's end overran the scratch allocation.
    @Test func theJITRunFitsItsWords() {
        #expect(MemoryLayout<JITRun>.size <= (JITState.slots - JITState.runWord) * 8)
        #expect(Scratch.bytes == Scratch.jitStateOffset + JITState.slots * 8)
    }
}
