import Engine

/// What a replay saw, phase by phase.
public struct ReplayReport: Sendable {
    public let device: String
    public let direction: EmbeddedSystem.Direction
    public let frames: Int
    public let skipped: Int
    public let phases: [PhaseReport]
}

/// One phase: every count is what this phase's replay added.
public struct PhaseReport: Sendable {
    public struct DeviceCounts: Sendable, Equatable {
        public let name: String
        public let ifindex: UInt32
        /// Frames handed to the device's local stack, put on its wire, dropped at it.
        public var delivered = 0, sent = 0, dropped = 0
        /// The device's own counters over the phase.
        public var rx: UInt64 = 0, tx: UInt64 = 0, rxDropped: UInt64 = 0, txDropped: UInt64 = 0
    }

    /// A program's run statistics over the phase (see `ProgramStatistics`).
    public struct ProgramCounts: Sendable, Equatable {
        public let id: UInt32
        public let name: String
        public var runs: UInt64 = 0, nanoseconds: UInt64 = 0
        public var next: UInt64 = 0, pass: UInt64 = 0, drop: UInt64 = 0, redirect: UInt64 = 0, other: UInt64 = 0
    }

    /// A map of an object the plan loaded, with the entries whose value changed in this phase.
    public struct MapChange: Sendable {
        public let name: String
        /// Key and value as little-endian numbers when they are 1, 2, 4 or 8 bytes, else hex; a
        /// number that grew from a non-zero value carries its growth, "12(+6)".
        public let entries: [(key: String, value: String)]
    }

    public let label: String
    public let devices: [DeviceCounts]
    /// Programs on a hook or held by the plan at the end of the phase, or that ran during it: a
    /// program whose handles all closed and that left its hook (its owner crashed) is not listed.
    public let programs: [ProgramCounts]
    public let maps: [MapChange]
    public let dropReasons: [(reason: String, count: Int)]
    public let files: [String]

    public func device(_ name: String) -> DeviceCounts? { devices.first { $0.name == name } }
    public func program(_ name: String) -> ProgramCounts? { programs.first { $0.name == name } }
}
