// JSONBenchmark — throughput of JSONCodec on the service's shape of data: one array of 100k random
// float64s (16–17 significant digits each), parsed and written N times. Release builds only:
//   swift build -c release --product JSONBenchmark && .build/release/JSONBenchmark [count] [rounds]
//   .build/release/JSONBenchmark verify [batches]    (correctness sweep, 300k checks per batch)
// Self-contained (no Foundation): times with ContinuousClock and reports best-of-rounds MB/s of
// JSON text, because on a shared machine the minimum is the only stable statistic.
import Glibc
import JSONCodec

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let arguments = CommandLine.arguments
if arguments.count > 1 && arguments[1] == "verify" {
    verify(batches: arguments.count > 2 ? Int(arguments[2]) ?? 100 : 100)
    exit(0)
}
let count = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 30 : 30

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// Best-of-`rounds` time of `body`, in seconds (the minimum is the least noisy estimate).
func best(_ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    var fastest = Double.infinity
    for _ in 0..<rounds {
        let t = clock.measure(body)
        fastest = min(fastest, seconds(t))
    }
    return fastest
}

func report(_ name: String, bytes: Int, seconds s: Double) {
    let mbs = Double(bytes) / s / 1e6
    print("\(name): \(bytes) bytes in \((s * 1e3 * 100).rounded() / 100) ms = \(Int(mbs.rounded())) MB/s")
}

var g = SplitMix64(state: 42)
let workloads: [(String, [Double])] = [
    ("weights in [-1, 1)", (0..<count).map { _ in Double.random(in: -1..<1, using: &g) }),
    ("random bit patterns", (0..<count).map { _ in
        var x = Double(bitPattern: g.next())
        while !x.isFinite { x = Double(bitPattern: g.next()) }
        return x
    }),
]

var sink = 0
for (name, xs) in workloads {
    var encoded: [UInt8] = []
    let writeTime = best {
        var w = JSONWriter(reservingCapacity: count * 25)
        w.numbers(xs)
        encoded = w.takeBytes()
    }
    let readTime = best {
        if case .numbers(let back)? = try? JSONReader.parse(encoded) { sink &+= back.count }
    }
    // The service's own path: the tape, then the array read off it (no JSONValue tree).
    let documentReadTime = best {
        if let back = (try? JSONReader.parseDocument(encoded))?.root.doubles { sink &+= back.count }
    }
    // Same numbers written one at a time through number(), the path a generic encoder takes.
    let scalarWriteTime = best {
        var w = JSONWriter(reservingCapacity: count * 25)
        w.beginArray()
        for x in xs { w.number(x) }
        w.endArray()
        sink &+= w.takeBytes().count
    }
    guard case .numbers(let back)? = try? JSONReader.parse(encoded),
          back.elementsEqual(xs, by: { $0.bitPattern == $1.bitPattern }) else {
        fatalError("round trip failed")
    }
    print("\(count) doubles, \(name), \(encoded.count) bytes of JSON (best of \(rounds)):")
    report("  read  JSONReader.parse", bytes: encoded.count, seconds: readTime)
    report("  read  parseDocument + doubles", bytes: encoded.count, seconds: documentReadTime)
    report("  write JSONWriter.numbers", bytes: encoded.count, seconds: writeTime)
    report("  write JSONWriter.number ×n", bytes: encoded.count, seconds: scalarWriteTime)
}
if sink == 42 { print("") }

/// Per batch: 100k random doubles written and compared with `Double.description`, read back
/// bit-identical, and 100k random decimal strings (1–22 digits, exponents −345…310) read and
/// compared with glibc strtod. Cycles through random bit patterns, [−1, 1) and random exponents.
func verify(batches: Int) {
    var g = SplitMix64(state: UInt64(time(nil)))
    var bad = 0, checked = 0
    for b in 0..<batches {
        let xs: [Double] = (0..<100_000).map { _ in
            switch b % 3 {
            case 0:
                var x = Double(bitPattern: g.next())
                while !x.isFinite { x = Double(bitPattern: g.next()) }
                return x
            case 1: return Double.random(in: -1..<1, using: &g)
            default: return Double(bitPattern: g.next() & 0x800F_FFFF_FFFF_FFFF | UInt64.random(in: 0...2046, using: &g) << 52)
            }
        }
        var w = JSONWriter(reservingCapacity: 2_600_000)
        w.numbers(xs)
        let parts = String(decoding: w.bytes.dropFirst().dropLast(), as: UTF8.self).split(separator: ",")
        for (x, s) in zip(xs, parts) where s != x.description {
            bad += 1
            if bad < 10 { print("writer: \(s) but description \(x.description)") }
        }
        guard case .numbers(let back)? = try? JSONReader.parse(w.bytes) else { fatalError("not read back") }
        for (x, y) in zip(xs, back) where x.bitPattern != y.bitPattern {
            bad += 1
            if bad < 10 { print("round trip: \(x) came back as \(y)") }
        }
        for _ in 0..<100_000 {
            let n = Int.random(in: 1...22, using: &g)
            var s = String(Int.random(in: 1...9, using: &g))
            for _ in 1..<n { s += String(Int.random(in: 0...9, using: &g)) }
            s += "e" + String(Int.random(in: -345...310, using: &g))
            let expected = s.withCString { strtod($0, nil) }
            switch try? JSONReader.parse(Array(s.utf8)) {
            case .number(let x)? where x.bitPattern == expected.bitPattern: break
            case nil where expected.isInfinite: break
            default:
                bad += 1
                if bad < 10 { print("reader: \(s)") }
            }
        }
        checked += 300_000
    }
    print("verify: \(checked) checks, \(bad) failures")
}
