import BPFCore
@testable import BPFMaps
import Testing

/// `RunGrace`: what a writer retires lives while a run that may have read it is inside.
/// Serialized: the grace period is process-wide, and each test counts on its own readers.
@Suite(.serialized) struct RunGraceTests {
    final class Tracked: Sendable {}

    @Test func retiredLivesUntilTheReaderInsideLeaves() {
        let reader = GraceReader()
        weak var watched: Tracked?
        do {
            let object = Tracked()
            watched = object
            reader.enter()
            RunGrace.retire(object)
        }
        #expect(watched != nil, "released while a reader that may hold it is inside")
        reader.leave()
        #expect(watched == nil, "kept after the last reader left")
    }

    @Test func readersEnteringLaterDoNotHoldItBack() {
        let late = GraceReader()
        weak var watched: Tracked?
        do {
            let object = Tracked()
            watched = object
            RunGrace.retire(object)
        }
        #expect(watched == nil, "no reader was inside: released at once")
        late.enter()
        weak var second: Tracked?
        do {
            let object = Tracked()
            second = object
            RunGrace.retire(object)
        }
        #expect(second != nil)
        // A reader that enters after the retirement cannot reach the object.
        let after = GraceReader()
        after.enter()
        late.leave()
        #expect(second == nil, "a reader that entered later held it back")
        after.leave()
    }

    @Test func droppedReaderInsideHoldsNothingBack() {
        weak var watched: Tracked?
        do {
            let reader = GraceReader()
            withExtendedLifetime(reader) {
                reader.enter()
                let object = Tracked()
                watched = object
                RunGrace.retire(object)
                #expect(watched != nil)
            }
        }
        #expect(watched == nil, "a freed reader still held the object")
    }

    /// A program array slot replaced while a reader is inside: the old program lives until it
    /// leaves; the new one is what the next read finds.
    @Test func programArraySlotReplacedUnderAReader() throws {
        let map = try #require(try make(.progArray, key: 4, value: 4, max: 2) as? ProgramArrayMap)
        weak var old: FakeProgram?
        do {
            let program = FakeProgram("old")
            old = program
            try map.setProgram(ProgramReference(id: 1, program: program), at: 0)
        }
        #expect(map.isFilled(0) && !map.isFilled(1))
        let reader = GraceReader()
        reader.enter()
        let borrowed = try #require(map.borrowedEntry(at: 0))
        try map.setProgram(ProgramReference(id: 2, program: FakeProgram("new")), at: 0)
        // Still readable through the borrowed entry: the reader is inside.
        #expect(borrowed._withUnsafeGuaranteedRef { ($0.reference.program as? FakeProgram)?.name } == "old")
        #expect(old != nil)
        #expect(map.borrowedEntry(at: 0)?._withUnsafeGuaranteedRef { $0.reference.id } == 2)
        reader.leave()
        #expect(old == nil, "the replaced program outlived its readers")
        try map.delete(key: u32(0))
        #expect(map.borrowedEntry(at: 0) == nil)
        #expect(map.borrowedEntry(at: 7) == nil)
    }
}
