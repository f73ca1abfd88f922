import BPFCore
import TCX

/// A handle operand: a script name (resolved at run time to its fd or id) or a raw number.
public enum HandleRef: Hashable, Sendable {
    case name(String)
    case number(UInt32)
}

/// One parsed command. Every operand is checked at parse time (names exist, words are known);
/// what they stand for is decided when the line runs.
public enum ScriptCommand: Hashable, Sendable {
    case progReturning(name: String, value: Int32)
    case progLoad(name: String, file: String, section: String)
    case devVeth(name: String, peer: String)
    case devNetkit(NetkitSpec)
    case devDelete(name: String)
    case attach(program: HandleRef, device: String, hook: AttachType, flags: UInt32,
                relative: HandleRef?, replace: HandleRef?, revision: UInt64)
    case detach(program: HandleRef?, device: String, hook: AttachType, flags: UInt32,
                relative: HandleRef?, revision: UInt64)
    case link(name: String, program: HandleRef, device: String, hook: AttachType, flags: UInt32,
              relative: HandleRef?, revision: UInt64)
    case update(link: HandleRef, program: HandleRef, old: HandleRef?)
    case linkDetach(link: HandleRef)
    case close(name: String)
    case pin(handle: HandleRef, path: String)
    case get(name: String, path: String)
    case unpin(path: String)
    case query(device: String, hook: AttachType, count: UInt32?)
    case info(link: HandleRef)
    case testRun(program: HandleRef, packet: [UInt8], repeat: UInt32)
    case run(device: String, hook: AttachType, packet: [UInt8])
    // Network state (ScriptParser+Network.swift).
    case testRunOnDevice(program: HandleRef, packet: [UInt8], repeat: UInt32, device: String)
    case mac(device: String, MACAddress)
    case mtu(device: String, UInt32)
    case addr(device: String, IPPrefix)
    case route(destination: IPPrefix, device: String, gateway: IPAddress?)
    case neigh(device: String, address: IPAddress, MACAddress)
    case listen(SocketProtocol, address: IPAddress, port: UInt16)
    // Maps of a loaded object (ScriptRunner+Maps.swift).
    case mapUpdate(file: String, map: String, key: [UInt8], value: [UInt8], flags: UInt64)
    /// `map-update FILE MAP KEY prog=PROG`: the value is PROG's fd, as a loader fills a prog array.
    case mapUpdateProgram(file: String, map: String, key: [UInt8], program: HandleRef, flags: UInt64)
    case mapLookup(file: String, map: String, key: [UInt8])
    case mapDelete(file: String, map: String, key: [UInt8])
}

/// A line of a script: what it says, what it expects, and where it stands.
public struct ScriptLine: Sendable {
    public let number: Int
    /// The command as written: comment and expectation removed, blanks collapsed.
    public let text: String
    public let command: ScriptCommand
    public let expected: String?
}

/// A line that could not be parsed: names the file, the line and what is wrong.
public struct ScriptParseError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int
    public let message: String
    public var description: String { "\(file):\(line): \(message)" }
}
