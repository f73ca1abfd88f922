import BPFCore

/// Builds each program's final code: the program, then every `.text` subprogram it
/// reaches, appended in the order first met (depth first, as libbpf lays them out), with
/// call and function-address immediates made relative to the new layout.
enum Linker {
    static func link(_ program: RelocatedFunction, subprograms: [RelocatedFunction], fail: Failure) throws(ObjectError) -> [Instruction] {
        var code = program.function.instructions
        var placed: [Int: Int] = [:]          // subprogram index -> first instruction in `code`
        // Frames of functions whose references are being resolved: (subprogram or nil for the program, base, next reference).
        var stack: [(sub: Int?, base: Int, next: Int)] = [(nil, 0, 0)]
        while let top = stack.last {
            let function = top.sub.map { subprograms[$0] } ?? program
            guard top.next < function.references.count else { stack.removeLast(); continue }
            stack[stack.count - 1].next += 1
            let reference = function.references[top.next]
            guard let callee = subprograms.firstIndex(where: { $0.function.contains(sectionIndex: reference.target) }) else {
                throw fail("\(function.function.label), instruction \(reference.at)",
                           "refers to .text instruction \(reference.target), which is not inside any function")
            }
            var newlyPlaced = false
            if placed[callee] == nil {
                placed[callee] = code.count
                code += subprograms[callee].function.instructions
                newlyPlaced = true
            }
            let site = top.base + reference.at
            let destination = placed[callee]! + (reference.target - subprograms[callee].function.start)
            guard let relative = Int32(exactly: destination - site - 1) else {
                throw fail(function.function.label, "call distance does not fit 32 bits")
            }
            code[site].imm = relative
            if code[site].opcode == Relocate.ldImm64 {
                code[site].src = PseudoSource.function.rawValue
                code[site + 1].imm = 0
            }
            // Resolve the new subprogram's own references before the caller's next one.
            if newlyPlaced { stack.append((callee, placed[callee]!, 0)) }
        }
        return code
    }
}
