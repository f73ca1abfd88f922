/// Why a replay could not run or finish; the message names the file and what went wrong.
public struct ReplayError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
