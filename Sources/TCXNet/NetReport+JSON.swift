import Foundation

extension NetReport {
    /// Pretty-printed JSON with sorted keys, so equal reports print the same bytes.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public init(json: String) throws {
        self = try JSONDecoder().decode(NetReport.self, from: Data(json.utf8))
    }
}
