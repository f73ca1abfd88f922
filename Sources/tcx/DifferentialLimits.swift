import ArgumentParser

/// What `tcx differential` accepts: a script length and a program count that a world can run,
/// refused in words before anything is generated.
extension DifferentialCommand {
    static let lengths = 0...1_000_000
    static let programCounts = 1...10_000

    func validate() throws {
        guard Self.lengths.contains(length) else {
            throw ValidationError("--length takes a number of lines from \(Self.lengths.lowerBound) to \(Self.lengths.upperBound), not \(length)")
        }
        guard Self.programCounts.contains(programs) else {
            throw ValidationError("--programs takes a count from \(Self.programCounts.lowerBound) to \(Self.programCounts.upperBound), not \(programs)")
        }
    }
}
