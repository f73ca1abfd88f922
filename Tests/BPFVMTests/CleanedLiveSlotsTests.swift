@testable import BPFVM
import Testing

/// An explored state is compared with the slots live when it was first compared after its
/// paths were done, as the kernel cleans a state once (`PathExplorer.Trail.cleaned`): reads the
/// exploration reaches later do not bring its slots back; a state still waiting for marks is not
/// cleaned yet.
@Suite struct CleanedLiveSlotsTests {
    static func node() -> PathExplorer.Trail {
        PathExplorer.Trail(index: 7, state: PathState(entry: Array(repeating: .notInit, count: 11)), losses: 0,
                           parent: nil, steps: [])
    }

    @Test func theFirstComparisonFixesTheLiveSlots() {
        let kept = Self.node()
        #expect(kept.cleaned(0b0101) == 0b0101)
        // A read reached since makes slot 1 live at this instruction: the kept state stays as cleaned.
        #expect(kept.cleaned(0b0111) == 0b0101)
        #expect(kept.cleanedLiveSlots == 0b0101)
    }

    @Test func aStateWaitingForMarksIsComparedWithTheSlotsLiveNow() {
        let kept = Self.node()
        kept.marksPending = true
        #expect(kept.cleaned(0b0001) == 0b0001)
        #expect(kept.cleaned(0b0011) == 0b0011)
        #expect(kept.cleanedLiveSlots == nil)
    }
}
