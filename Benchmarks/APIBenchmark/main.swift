// APIBenchmark: the service's own cost per request, in-process (no sockets): the time
// BackpropService.respond takes for the bench's small (2-2-2) and large (784-128-10, batch 64)
// /step bodies, and the peak resident memory while answering the large one.
//   swift build -c release --product APIBenchmark && .build/release/APIBenchmark [small.json] [large.json]
// Defaults to ../shared/bench/peer/{small,large}.json. No Foundation: ContinuousClock and Glibc.

import BackpropAPI
import Glibc
import MicroHTTP

func readFile(_ path: String) -> [UInt8] {
    guard let f = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n == 0 { break }
        out.append(contentsOf: buffer[..<n])
    }
    return out
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// Peak resident set (VmHWM) in KiB, from /proc/self/status.
func peakResidentKiB() -> Int {
    let text = String(decoding: readFile("/proc/self/status"), as: UTF8.self)
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
    }
    return 0
}

let args = CommandLine.arguments
let small = readFile(args.count > 1 ? args[1] : "../shared/bench/peer/small.json")
let large = readFile(args.count > 2 ? args[2] : "../shared/bench/peer/large.json")
let service = BackpropService()

func measure(_ name: String, _ body: [UInt8], iterations: Int) {
    let request = HTTPRequest(method: "POST", path: "/step", body: body)
    var responseBytes = 0
    var best = Double.infinity
    for _ in 0..<5 {
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<iterations {
            let r = service.respond(to: request)
            precondition(r.status == 200, "status \(r.status): \(String(decoding: r.body, as: UTF8.self))")
            responseBytes = r.body.count
        }
        best = min(best, seconds(clock.now - start) / Double(iterations))
    }
    print("\(name): \(body.count) B in, \(responseBytes) B out, \(String(best * 1e6)) µs per request (best of 5 × \(iterations))")
}

measure("small /step", small, iterations: 20_000)
let idle = peakResidentKiB()
measure("large /step", large, iterations: 20)
let peak = peakResidentKiB()
let response = service.respond(to: HTTPRequest(method: "POST", path: "/step", body: large)).body.count
let ratio = Double((peak - idle) * 1024) / Double(large.count + response)
print("large /step peak resident above idle: \((peak - idle) / 1024) MiB = \(String(ratio)) × (request + response bytes)")
