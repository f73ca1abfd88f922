extension PathState {
    /// Releases one reference acquired at the instruction `reference - 1`. References are named
    /// by their allocating instruction, so a path that ran it twice (a loop, a callback run
    /// again) holds that name twice, as the kernel holds two ids: a release ends one of them,
    /// and the other is still a leak at the program's exit.
    mutating func dropReference(_ reference: Int) {
        guard let held = references.lastIndex(where: { $0 + 1 == reference }) else { return }
        references.remove(at: held)
    }
}
