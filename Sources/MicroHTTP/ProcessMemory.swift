// How much memory this process has and uses, from the kernel's files: resident memory for
// /metrics, and the default memory budget (api-contract.md, "Admission": ¾ of the cgroup's limit
// when there is one, else ½ of physical memory). Linux only; no Foundation.
import Glibc

public enum ProcessMemory {
    /// Resident set size in bytes (/proc/self/statm's second field × the page size), or nil.
    public static func residentBytes() -> Int? {
        guard let text = read("/proc/self/statm") else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Physical memory in bytes.
    public static func physicalBytes() -> Int {
        Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The memory limit of this process's cgroup in bytes, or nil when there is none: cgroup v2's
    /// `memory.max` ("max" means none), else cgroup v1's `memory.limit_in_bytes` (a huge value
    /// means none), looked up under the process's own cgroup path and, as inside a container
    /// whose cgroup is mounted at the root, at the root itself.
    public static func cgroupLimitBytes() -> Int? {
        let memberships = read("/proc/self/cgroup") ?? ""
        var candidates: [String] = []
        for line in memberships.split(separator: "\n") {
            // "0::/path" for v2; "4:memory:/path" for v1's memory controller.
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let path = parts[2] == "/" ? "" : String(parts[2])
            if parts[0] == "0" && parts[1].isEmpty {
                candidates.append("/sys/fs/cgroup\(path)/memory.max")
            } else if parts[1].split(separator: ",").contains("memory") {
                candidates.append("/sys/fs/cgroup/memory\(path)/memory.limit_in_bytes")
            }
        }
        candidates += ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]
        for file in candidates {
            guard let text = read(file) else { continue }
            let value = text.split(separator: "\n").first.map(String.init) ?? ""
            if value == "max" { return nil }
            // v1 reports "no limit" as the largest page-aligned Int64; anything past physical
            // memory is no limit either.
            if let bytes = Int(value) { return bytes < physicalBytes() ? bytes : nil }
        }
        return nil
    }

    /// The default budget for requests in flight: ¾ of the cgroup's limit when there is one,
    /// else ½ of physical memory.
    public static func defaultBudgetBytes() -> Int {
        if let limit = cgroupLimitBytes() { return limit / 4 * 3 }
        return physicalBytes() / 2
    }

    /// A small text file's contents (the kernel's files report a size of 0, so read until EOF).
    private static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
