/// Turns instructions into text in llvm-objdump's BPF syntax (its default, cpu v4 view).
///
/// llvm-objdump also appends a symbolic branch target (`<.text+0x168>`); raw bytes carry no
/// symbols, so that suffix is left out.
public enum Disassembler {
    /// One line per instruction slot that starts an instruction: index and text.
    public static func disassemble(_ program: [Instruction]) -> [(index: Int, text: String)] {
        var lines: [(Int, String)] = []
        var i = 0
        while i < program.count {
            let next = i + 1 < program.count ? program[i + 1] : nil
            switch program[i].operation(next: next) {
            case .success(let op):
                lines.append((i, text(of: op)))
                if case .loadImm64 = op { i += 1 }
            case .failure:
                lines.append((i, "<unknown>"))
            }
            i += 1
        }
        return lines
    }

    /// A listing like `llvm-objdump -d`: index, raw bytes, text.
    public static func listing(_ program: [Instruction]) -> String {
        var out = ""
        for (index, text) in disassemble(program) {
            var raw = program[index].bytes
            if text.hasSuffix(" ll"), index + 1 < program.count { raw += program[index + 1].bytes }
            let hex = raw.map { String($0, radix: 16).leftPadded(2) }.joined(separator: " ")
            let number = String(index)
            out += String(repeating: " ", count: max(0, 8 - number.count)) + number + ":\t" + hex + "\t" + text + "\n"
        }
        return out
    }

    public static func text(of operation: Operation) -> String {
        switch operation {
        case let .alu(kind, is64, dst, operand):
            return alu(kind, is64: is64, dst: dst, operand)
        case let .byteOrder(kind, bits, dst):
            let name = switch kind {
            case .toLittleEndian: "le"
            case .toBigEndian: "be"
            case .swap: "bswap"
            }
            return "r\(dst) = \(name)\(bits) r\(dst)"
        case let .loadImm64(dst, _, imm):
            return "r\(dst) = \(hex(Int64(bitPattern: imm))) ll"
        case let .load(size, signed, dst, src, offset):
            let reg = signed || size == .double ? "r" : "w"
            return "\(reg)\(dst) = *(\(signed ? "s" : "u")\(size.bits) *)\(address(src, offset))"
        case let .store(size, dst, value, offset):
            let target = "*(u\(size.bits) *)\(address(dst, offset))"
            switch value {
            case .register(let r): return "\(target) = \(size == .double ? "r" : "w")\(r)"
            case .immediate(let v): return "\(target) = \(hex(Int64(v)))"
            }
        case let .atomic(op, size, dst, src, offset):
            return atomic(op, size, dst: dst, src: src, offset: offset)
        case let .packetLoad(size, index, imm):
            let at = index.map { "r\($0)" } ?? hex(Int64(imm))
            return "r0 = *(u\(size.bits) *)skb[\(at)]"
        case let .jump(condition, is64, dst, operand, offset):
            let r = is64 ? "r" : "w"
            let rhs = switch operand {
            case .register(let s): "\(r)\(s)"
            case .immediate(let v): hex(Int64(v))
            }
            return "if \(r)\(dst) \(symbol(condition)) \(rhs) goto \(signedHex(Int64(offset)))"
        case let .goto(offset, long):
            return "\(long ? "gotol" : "goto") \(signedHex(Int64(offset)))"
        case .mayGoto(let offset):
            return "may_goto \(signedHex(Int64(offset)))"
        case .call(let target):
            switch target {
            case .helper(let id), .local(let id), .kfunc(let id): return "call \(hex(Int64(id)))"
            case .register(let r): return "callx r\(r)"
            }
        case .exit:
            return "exit"
        }
    }

    private static func alu(_ kind: ALUKind, is64: Bool, dst: UInt8, _ operand: Operand) -> String {
        let r = is64 ? "r" : "w"
        let rhs = switch operand {
        case .register(let s): "\(r)\(s)"
        case .immediate(let v): hex(Int64(v))
        }
        let sign: String
        switch kind {
        case .neg: return "\(r)\(dst) = -\(r)\(dst)"
        case .movsx(let bits): return "\(r)\(dst) = (s\(bits))\(rhs)"
        case .mov: sign = "="
        case .add: sign = "+="
        case .sub: sign = "-="
        case .mul: sign = "*="
        case .div: sign = "/="
        case .sdiv: sign = "s/="
        case .mod: sign = "%="
        case .smod: sign = "s%="
        case .or: sign = "|="
        case .and: sign = "&="
        case .xor: sign = "^="
        case .lsh: sign = "<<="
        case .rsh: sign = ">>="
        case .arsh: sign = "s>>="
        }
        return "\(r)\(dst) \(sign) \(rhs)"
    }

    private static func atomic(_ op: AtomicOpcode, _ size: AccessSize, dst: UInt8, src: UInt8, offset: Int16) -> String {
        let r = size == .double ? "r" : "w"
        let typed = "(u\(size.bits) *)\(address(dst, offset))"
        let plain = address(dst, offset).dropFirst().dropLast()
        switch op {
        case .add: return "lock *\(typed) += \(r)\(src)"
        case .or: return "lock *\(typed) |= \(r)\(src)"
        case .and: return "lock *\(typed) &= \(r)\(src)"
        case .xor: return "lock *\(typed) ^= \(r)\(src)"
        case .fetchAdd: return "\(r)\(src) = atomic_fetch_add(\(typed), \(r)\(src))"
        case .fetchOr: return "\(r)\(src) = atomic_fetch_or(\(typed), \(r)\(src))"
        case .fetchAnd: return "\(r)\(src) = atomic_fetch_and(\(typed), \(r)\(src))"
        case .fetchXor: return "\(r)\(src) = atomic_fetch_xor(\(typed), \(r)\(src))"
        case .xchg:
            let name = size == .double ? "xchg_64" : "xchg32_32"
            return "\(r)\(src) = \(name)(\(plain), \(r)\(src))"
        case .cmpxchg:
            let name = size == .double ? "cmpxchg_64" : "cmpxchg32_32"
            return "\(r)0 = \(name)(\(plain), \(r)0, \(r)\(src))"
        case .loadAcquire:
            // The one atomic whose address is in src and whose result lands in dst.
            return "\(r)\(dst) = load_acquire((u\(size.bits) *)\(address(src, offset)))"
        case .storeRelease: return "store_release(\(typed), \(r)\(src))"
        }
    }

    private static func symbol(_ c: JumpCondition) -> String {
        switch c {
        case .eq: "=="
        case .ne: "!="
        case .gt: ">"
        case .ge: ">="
        case .lt: "<"
        case .le: "<="
        case .set: "&"
        case .sgt: "s>"
        case .sge: "s>="
        case .slt: "s<"
        case .sle: "s<="
        }
    }

    private static func address(_ base: UInt8, _ offset: Int16) -> String {
        offset < 0 ? "(r\(base) - \(hex(-Int64(offset))))" : "(r\(base) + \(hex(Int64(offset))))"
    }

    /// llvm prints immediates in hex with a leading minus for negatives.
    static func hex(_ v: Int64) -> String {
        v < 0 ? "-0x" + String(v.magnitude, radix: 16) : "0x" + String(v, radix: 16)
    }

    static func signedHex(_ v: Int64) -> String { v < 0 ? hex(v) : "+" + hex(v) }
}
