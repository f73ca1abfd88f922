import BPFVM
import Foundation
import Testing
@testable import TCRuntime

/// The memory map bpf_find_vma reads (/proc/self/maps, `ProcessMemoryMap`): each line checked
/// field by field, hostile lines and files give no area, reads are bounded; and the mm and vma
/// images made of it (`KernelMemoryImages`) are read-only and hold what the map says.
@Suite struct ProcessMemoryMapTests {
    static func parse(_ line: String) -> MemoryArea? { MemoryArea(line: Array(line.utf8)) }

    @Test func fileLine() throws {
        let area = try #require(Self.parse("55d0c0a00000-55d0c0a21000 r-xp 00002000 fd:01 1234567                    /usr/bin/tcx"))
        #expect(area.start == 0x55d0_c0a0_0000 && area.end == 0x55d0_c0a2_1000)
        #expect(area.flags == MemoryArea.read | MemoryArea.exec)
        #expect(area.isFile && area.pageOffset == 2 && area.name == "/usr/bin/tcx")
        #expect(area.contains(0x55d0_c0a0_0000) && !area.contains(0x55d0_c0a2_1000))
    }

    @Test func anonymousStackAndSharedLines() throws {
        let anonymous = try #require(Self.parse("7f0000000000-7f0000004000 rw-p 00000000 00:00 0 "))
        #expect(!anonymous.isFile && anonymous.pageOffset == 0x7f00_0000_0000 >> 12 && anonymous.name.isEmpty)
        let stack = try #require(Self.parse("7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]"))
        #expect(stack.flags == MemoryArea.read | MemoryArea.write | MemoryArea.growsDown)
        let shared = try #require(Self.parse("7f0000000000-7f0000001000 rw-s 00000000 00:01 42 /dev/zero (deleted)"))
        #expect(shared.flags & MemoryArea.sharedFlag != 0 && shared.name == "/dev/zero (deleted)")
        // A line may end at the inode.
        #expect(Self.parse("1000-2000 ---p 00000000 00:00 0") != nil)
    }

    @Test(arguments: [
        "", "-", " ", "1000-2000", "1000-2000 r-xp", "zz00-2000 r-xp 00000000 00:00 0",
        "10000000000000000-10000000000000001 r--p 00000000 00:00 0",  // 17 hex digits
        "2000-1000 r--p 00000000 00:00 0", "2000-2000 r--p 00000000 00:00 0",  // ends before it starts
        "1000-2000 rwxq 00000000 00:00 0", "1000-2000 r-x 00000000 00:00 0", "1000-2000 R-xp 00000000 00:00 0",
        "1000-2000 r-xp 0000000g 00:00 0", "1000-2000 r-xp 00000000 0000 0", "1000-2000 r-xp 00000000 00:00",
        "1000-2000 r-xp 00000000 00:00 99999999999999999999", "1000-2000 r-xp 00000000 00:00 12a /x",
        "1000\0-2000 r-xp 00000000 00:00 0", "1000--2000 r-xp 00000000 00:00 0",
    ])
    func hostileLineGivesNoArea(line: String) {
        #expect(Self.parse(line) == nil)
    }

    @Test func longNameIsRefused() {
        let name = String(repeating: "a", count: ProcessMemoryMap.maxLine + 1)
        #expect(Self.parse("1000-2000 r--p 00000000 00:00 1 /" + name) == nil)
    }

    static func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "maps-\(UUID().uuidString)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The vma iterator's step after an area: the first area starting at or after its end, so
    /// a map that changed between steps (an area grew back over that end, as another thread's
    /// mmap or a growing stack makes it) still comes in order without overlap. Stepping to the
    /// first area *ending* after it gave the grown area again (a walk of 60 areas came out of
    /// order once in CI, while other tests mapped memory).
    @Test func aStepAfterAChangedMapKeepsOrder() throws {
        let before = try Self.file("1000-2000 r--p 00000000 00:00 0\n3000-4000 r--p 00000000 00:00 0\n")
        let after = try Self.file("1000-2800 r--p 00000000 00:00 0\n3000-4000 r--p 00000000 00:00 0\n")
        defer { for path in [before, after] { unlink(path) } }
        let first = try #require(ProcessMemoryMap.firstArea(endingAfter: 0x1000, path: before))
        #expect(first.start == 0x1000 && first.end == 0x2000)
        let second = try #require(ProcessMemoryMap.firstArea(startingFrom: first.end, path: after))
        #expect(second.start >= first.end && second.start == 0x3000)
        #expect(ProcessMemoryMap.firstArea(endingAfter: first.end, path: after)?.start == 0x1000)
        #expect(ProcessMemoryMap.firstArea(startingFrom: 0x4000, path: after) == nil)
    }

    static func areas(_ path: String, maxBytes: Int = ProcessMemoryMap.maxBytes) -> [MemoryArea] {
        var areas: [MemoryArea] = []
        ProcessMemoryMap.forEachArea(path: path, maxBytes: maxBytes) { areas.append($0); return true }
        return areas
    }

    @Test func badLinesArePassedOverAndTooLongOnesSkippedWhole() throws {
        let long = "3000-4000 r--p 00000000 00:00 1 /" + String(repeating: "b", count: 3 * ProcessMemoryMap.maxLine)
        let path = try Self.file("1000-2000 r--p 00000000 00:00 0\nnonsense\n\(long)\n5000-6000 rw-p 00000000 00:00 0")
        defer { unlink(path) }
        // The long line's tail is not read as a line of its own; the last line has no newline.
        #expect(Self.areas(path).map(\.start) == [0x1000, 0x5000])
    }

    @Test func readsAreBounded() throws {
        let lines = (1 ... 1000).map { String(format: "%08x-%08x rw-p 00000000 00:00 0\n", $0 << 12, ($0 + 1) << 12) }
        let path = try Self.file(lines.joined())
        defer { unlink(path) }
        #expect(Self.areas(path).count == 1000)
        // 4096 bytes hold 102 whole lines of 40 bytes and a cut one, which is no area.
        let bounded = Self.areas(path, maxBytes: 4096)
        #expect(bounded.count == 4096 / 40)
        #expect(ProcessMemoryMap.area(containing: 900 << 12 + 5, path: path, maxBytes: 4096) == nil)
        #expect(ProcessMemoryMap.area(containing: 900 << 12 + 5, path: path)?.start == 900 << 12)
        #expect(!ProcessMemoryMap.forEachArea(path: path + ".missing") { _ in true })
    }

    @Test func firstAreaEndingAfterAnAddress() throws {
        let path = try Self.file("1000-2000 r--p 00000000 00:00 0\n5000-6000 rw-p 00000000 00:00 0\n")
        defer { unlink(path) }
        #expect(ProcessMemoryMap.firstArea(endingAfter: 0, path: path)?.start == 0x1000)
        #expect(ProcessMemoryMap.firstArea(endingAfter: 0x1fff, path: path)?.start == 0x1000)
        // Between areas and at an area's end: the next one.
        #expect(ProcessMemoryMap.firstArea(endingAfter: 0x2000, path: path)?.start == 0x5000)
        #expect(ProcessMemoryMap.firstArea(endingAfter: 0x6000, path: path) == nil)
        #expect(ProcessMemoryMap.firstArea(endingAfter: .max, path: path) == nil)
    }

    @Test func ownMapHoldsOwnMemory() throws {
        let block = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
        defer { block.deallocate() }
        let address = UInt64(UInt(bitPattern: block))
        let area = try #require(ProcessMemoryMap.area(containing: address))
        #expect(area.contains(address) && area.readable && area.writable && !area.shared)
        #expect(ProcessMemoryMap.area(containing: 0) == nil)
        #expect(ProcessMemoryMap.area(containing: 0xffff_8880_0000_0000) == nil)
    }

    /// Reads 8 bytes of a region at `offset`, nil when it is not inside.
    static func load(_ regions: [MemoryRegion], _ address: UInt64, _ offset: Int?) -> UInt64? {
        guard let offset else { return nil }
        let at = address + UInt64(offset)
        guard regions.contains(where: { $0.contains(at, size: 8, write: false) }),
              let pointer = UnsafeRawPointer(bitPattern: UInt(at)) else { return nil }
        return pointer.load(as: UInt64.self)
    }

    @Test func imagesAreReadOnlyAndHoldTheMap() throws {
        let layout = try #require(KernelMemoryImages.layout, "needs /sys/kernel/btf/vmlinux")
        let thread = UInt64(UInt32(bitPattern: ProcessIdentity.threadID()))
        let task = try #require(KernelTaskImages.task(ofThread: thread))
        #expect(task.regions.allSatisfy { !$0.contains($0.base, size: 1, write: true) })
        let mm = try #require(Self.load(task.regions, task.address, layout.taskMM))
        let stat = KernelMemoryImages.statNumbers()
        #expect(Self.load(task.regions, mm, layout.mmFields["start_stack"]) == stat[28 - 3])
        #expect(Self.load(task.regions, mm, layout.mmFields["start_code"]) == stat[26 - 3])

        let code = try #require(ProcessMemoryMap.area(containing: stat[26 - 3]))
        #expect(code.executable)
        let vma = try #require(KernelMemoryImages.vma(code, thread: thread))
        #expect(vma.regions.allSatisfy { !$0.contains($0.base, size: 1, write: true) })
        #expect(Self.load(vma.regions, vma.address, layout.vmStart) == code.start)
        #expect(Self.load(vma.regions, vma.address, layout.vmEnd) == code.end)
        #expect(Self.load(vma.regions, vma.address, layout.vmMM) == mm)
        // The whole flags from smaps: the line's read, write, exec and shared bits among them.
        let flags = try #require(Self.load(vma.regions, vma.address, layout.vmFlags))
        #expect(flags == ProcessMemoryFlags.flags(of: code) && flags & 0xf == code.flags & 0xf)
        #expect(flags & 0x10 != 0)  // VM_MAYREAD: set for every mapping the process made
        #expect(Self.load(vma.regions, vma.address, layout.vmFile) != 0)
        // The image is exactly the kernel's struct: its last byte is inside, the next one not.
        #expect(vma.regions[0].contains(vma.address + UInt64(layout.vmaSize) - 1, size: 1, write: false))
        #expect(!vma.regions[0].contains(vma.address + UInt64(layout.vmaSize), size: 1, write: false))
    }

    @Test func taskImageNamesItsThreadAndProcess() throws {
        let layout = try #require(KernelTaskImages.layout, "needs /sys/kernel/btf/vmlinux")
        let thread = UInt64(UInt32(bitPattern: ProcessIdentity.threadID()))
        let task = try #require(KernelTaskImages.task(ofThread: thread))
        let pid = try #require(layout.pidOffset), tgid = try #require(layout.tgidOffset)
        let image = try #require(UnsafeRawPointer(bitPattern: UInt(task.address)))
        #expect(UInt64(image.load(fromByteOffset: pid, as: UInt32.self)) == thread)
        #expect(image.load(fromByteOffset: tgid, as: Int32.self) == getpid())
        // The walk of this process's threads (the task iterator's) holds this thread.
        #expect(TaskIteratorKfuncs.threadIDs().contains(thread))
        #expect(TaskIteratorKfuncs.threadIDs().first == UInt64(getpid()))
    }

    @Test func smapsFlagsByLetters() {
        #expect(ProcessMemoryFlags.parse(Array("rd wr mr mw me gd ac ".utf8)[...]) == 0x10_0173)
        #expect(ProcessMemoryFlags.parse(Array("rd ex mr mw me".utf8)[...]) == 0x75)
        // Pairs it does not know, longer words and stray blanks add nothing.
        #expect(ProcessMemoryFlags.parse(Array("  zz rdx rd  ??".utf8)[...]) == 0x1)
        #expect(ProcessMemoryFlags.parse([]) == 0)
    }

    @Test func smapsFlagsFollowTheirArea() throws {
        let path = try Self.file("""
            1000-2000 r-xp 00000000 fd:01 7 /bin/x
            Size:                  4 kB
            VmFlags: rd ex mr mw me
            3000-4000 rw-p 00000000 00:00 0
            Size:                  4 kB
            5000-6000 rw-p 00000000 00:00 0 [stack]
            VmFlags: rd wr mr mw me gd ac
            VmFlags: rd
            """)
        defer { unlink(path) }
        let read = ProcessMemoryFlags.read(path: path, maxBytes: ProcessMemoryMap.maxBytes)
        let code = try #require(Self.parse("1000-2000 r-xp 00000000 fd:01 7 /bin/x"))
        let stack = try #require(Self.parse("5000-6000 rw-p 00000000 00:00 0 [stack]"))
        #expect(read[.init(code)] == 0x75 && read[.init(stack)] == 0x10_0173)
        // An area without a VmFlags line, or the same bounds with other permissions: no answer.
        #expect(read.count == 2)
        #expect(read[.init(try #require(Self.parse("1000-2000 rwxp 00000000 fd:01 7 /bin/x")))] == nil)
        // Bounded: a read that stops before the stack's lines knows only the code.
        #expect(ProcessMemoryFlags.read(path: path, maxBytes: 120).count == 1)
    }
}
