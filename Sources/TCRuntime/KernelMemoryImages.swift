import BPFCore
import BPFObject
import BPFVM
import Glibc
import Synchronization

/// Kernel-shaped images of this process's memory map, laid out by the target BTF: the
/// `struct mm_struct` a task image's `mm` points to, and the `struct vm_area_struct` that
/// `bpf_find_vma` hands its callback. In the embedded world the process is the system: its
/// threads are the tasks (`KernelTaskImages`) and share one mm, whose areas are the lines of
/// /proc/self/maps (`ProcessMemoryMap`).
///
/// The mm holds what /proc/self/stat tells of it (code, data, heap start, stack start,
/// arguments and environment), read once: they do not move while the process lives. A vma
/// holds vm_start, vm_end, vm_mm, vm_flags (smaps' `ProcessMemoryFlags`, else the maps line's
/// `MemoryArea.flags`), vm_pgoff, and vm_file
/// pointing at a zeroed `struct file` when a file backs the area. Every other field reads 0.
enum KernelMemoryImages {
    struct Layout: Sendable {
        let mmSize: Int, vmaSize: Int, fileSize: Int
        /// task_struct's mm and active_mm.
        let taskMM: Int?, taskActiveMM: Int?
        /// mm_struct members by name (the /proc/self/stat ones this lays out).
        let mmFields: [String: Int]
        let vmStart: Int?, vmEnd: Int?, vmMM: Int?, vmFlags: Int?, vmPgoff: Int?, vmFile: Int?

        /// The mm_struct members /proc/self/stat gives, with their stat field numbers (proc(5)).
        static let statFields: [(name: String, field: Int)] = [
            ("start_code", 26), ("end_code", 27), ("start_stack", 28), ("start_data", 45), ("end_data", 46),
            ("start_brk", 47), ("arg_start", 48), ("arg_end", 49), ("env_start", 50), ("env_end", 51),
        ]

        init?(_ types: any KernelTypeCatalog) {
            func size(_ name: String) -> Int? {
                guard let id = types.structureID(named: name), let size = types.size(of: id), size > 0,
                      size <= 1 << 16 else { return nil }
                return size
            }
            /// An 8-byte whole-byte member inside the struct.
            func offset(_ member: String, of name: String, in size: Int) -> Int? {
                guard let id = types.structureID(named: name), let found = types.member(member, of: id),
                      found.bitfieldSize == 0, found.bitOffset % 8 == 0, found.size == 8,
                      found.bitOffset / 8 + 8 <= size else { return nil }
                return found.bitOffset / 8
            }
            guard let task = size("task_struct"), let mm = size("mm_struct"), let vma = size("vm_area_struct"),
                  let file = size("file") else { return nil }
            mmSize = mm
            vmaSize = vma
            fileSize = file
            taskMM = offset("mm", of: "task_struct", in: task)
            taskActiveMM = offset("active_mm", of: "task_struct", in: task)
            var fields: [String: Int] = [:]
            for field in Self.statFields { fields[field.name] = offset(field.name, of: "mm_struct", in: mm) }
            mmFields = fields
            vmStart = offset("vm_start", of: "vm_area_struct", in: vma)
            vmEnd = offset("vm_end", of: "vm_area_struct", in: vma)
            vmMM = offset("vm_mm", of: "vm_area_struct", in: vma)
            vmFlags = offset("vm_flags", of: "vm_area_struct", in: vma)
            vmPgoff = offset("vm_pgoff", of: "vm_area_struct", in: vma)
            vmFile = offset("vm_file", of: "vm_area_struct", in: vma)
        }
    }

    static let layout: Layout? = KernelTypeTarget.load().flatMap { Layout($0) }

    /// The process's mm and the zeroed file image file-backed areas point to, made once.
    static let process: (mm: KernelTaskImages.Block, file: KernelTaskImages.Block)? = layout.map { layout in
        let mm = KernelTaskImages.Block(layout.mmSize), file = KernelTaskImages.Block(layout.fileSize)
        let stat = statNumbers()
        for field in Layout.statFields {
            // Fields before the comm's `)` are 1 and 2: the numbers after it start at 3.
            let index = field.field - 3
            guard index >= 0, index < stat.count else { continue }
            mm.store(stat[index], at: layout.mmFields[field.name])
        }
        return (mm, file)
    }

    /// The numbers of /proc/self/stat after the command name (field 3 on), bounded; a field
    /// that is no number reads 0.
    static func statNumbers(path: String = "/proc/self/stat") -> [UInt64] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        let capacity = 4096
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            let read = Glibc.read(fd, buffer.baseAddress, capacity)
            count = max(read, 0)
        }
        // The command may hold blanks and parentheses: the numbers follow its last `)`.
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return [] }
        return bytes[(close + 1)...].split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") })
            .map { UInt64(String(decoding: $0, as: UTF8.self)) ?? 0 }
    }

    /// Writes the mm pointers into a new task image.
    static func fill(task image: KernelTaskImages.Block) {
        guard let layout, let process else { return }
        image.store(process.mm.address, at: layout.taskMM)
        image.store(process.mm.address, at: layout.taskActiveMM)
    }

    /// The regions a task image's mm reaches (read only).
    static var mmRegions: [MemoryRegion] {
        guard let process else { return [] }
        return [MemoryRegion(process.mm.memory, writable: false), MemoryRegion(process.file.memory, writable: false)]
    }

    /// Thread id → the vma image its find_vma calls fill (one per thread: a callback sees one
    /// area at a time; the pointer stays readable after, showing the last area given).
    private static let areas = Mutex<[UInt64: KernelTaskImages.Block]>([:])

    /// The vma image of `area` for thread `thread` and the regions a run reads through it; nil
    /// without a layout.
    static func vma(_ area: MemoryArea, thread: UInt64) -> (address: UInt64, regions: [MemoryRegion])? {
        guard let layout, let process else { return nil }
        let image = areas.withLock { areas -> KernelTaskImages.Block in
            if let image = areas[thread] { return image }
            let image = KernelTaskImages.Block(layout.vmaSize)
            areas[thread] = image
            return image
        }
        image.store(area.start, at: layout.vmStart)
        image.store(area.end, at: layout.vmEnd)
        image.store(process.mm.address, at: layout.vmMM)
        image.store(ProcessMemoryFlags.flags(of: area) ?? area.flags, at: layout.vmFlags)
        image.store(area.pageOffset, at: layout.vmPgoff)
        image.store(area.isFile ? process.file.address : 0, at: layout.vmFile)
        return (image.address, [MemoryRegion(image.memory, writable: false)] + mmRegions)
    }

    /// Frees the vma image of a thread that exited.
    static func threadExited(_ thread: UInt64) {
        let image = areas.withLock { $0.removeValue(forKey: thread) }
        image?.memory.deallocate()
    }
}
