import BPFCore

/// Stack liveness counting only the instructions the exploration has reached, as Linux 6.18
/// counts only the reads its verifier saw (kernel/bpf/liveness.c): a slot read on no path
/// explored so far is dead where the static liveness (`StackLiveness`) calls it live because
/// of a read on a path no state can take. Pruning against a state whose every path was
/// explored is sound with it: the reads of those paths were all reached. Each instruction's
/// effect is the static one: f(after) = reads | (after & kept), reads only once reached;
/// liveness only grows, so reaching an instruction propagates backwards from it alone.
struct ReachedStackLiveness {
    private let reads: [UInt64]
    private let kept: [UInt64]
    private let predecessors: [[Int32]]
    private let successors: [[Int32]]
    private var reached: [Bool]
    private(set) var live: [UInt64]

    init(_ program: VerifiedProgram, stackPointers: [UInt16], memoryReaders: [Int: UInt64], frames: [FrameValues.State]) {
        var reads = [UInt64](repeating: 0, count: program.count)
        var kept = [UInt64](repeating: .max, count: program.count)
        var predecessors = [[Int32]](repeating: [], count: program.count)
        var successors = [[Int32]](repeating: [], count: program.count)
        for index in 0 ..< program.count {
            guard let op = program.operations[index] else { continue }
            reads[index] = StackLiveness.transfer(op, at: index, after: 0, stackPointers: stackPointers,
                                                  memoryReaders: memoryReaders, frames: frames).0
            kept[index] = StackLiveness.transfer(op, at: index, after: .max, stackPointers: stackPointers,
                                                 memoryReaders: memoryReaders, frames: frames).0
            for next in program.successors(of: index) where next >= 0 && next < program.count {
                successors[index].append(Int32(next))
                predecessors[next].append(Int32(index))
            }
        }
        self.reads = reads
        self.kept = kept
        self.predecessors = predecessors
        self.successors = successors
        self.reached = [Bool](repeating: false, count: program.count)
        self.live = [UInt64](repeating: 0, count: program.count)
    }

    func slots(at index: Int) -> UInt64 {
        index >= 0 && index < live.count ? live[index] : .max
    }

    /// The exploration reached `index`: its reads count from now on.
    mutating func reach(_ index: Int) {
        guard index >= 0, index < reached.count, !reached[index] else { return }
        reached[index] = true
        var pending = [index]
        while let i = pending.popLast() {
            var after: UInt64 = 0
            for next in successors[i] { after |= live[Int(next)] }
            let value = (reached[i] ? reads[i] : 0) | (after & kept[i])
            guard value != live[i] else { continue }
            live[i] = value
            for previous in predecessors[i] { pending.append(Int(previous)) }
        }
    }
}
