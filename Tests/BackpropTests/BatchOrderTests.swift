// The mini-batch schedule re-derived from the contract's words ("v2 additions", mini-batches):
// SplitMix64 and Fisher–Yates written out here, not taken from the core, then every step's
// samples compared over several epochs, with uneven last batches and epoch boundaries.

import Testing
@testable import Backprop

/// SplitMix64 as the contract (and Steele, Lea and Flood) define it, independent of the core's.
private struct ContractSplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// order_e from the contract: 0…N−1, or Fisher–Yates driven by SplitMix64 seeded with seed + e.
private func contractOrder(n: Int, shuffle: Bool, seed: UInt64, epoch e: Int) -> [Int] {
    var order = Array(0..<n)
    if !shuffle { return order }
    var random = ContractSplitMix64(state: seed &+ UInt64(e))
    var i = n - 1
    while i >= 1 {
        let j = Int(random.next() % UInt64(i + 1))
        order.swapAt(i, j)
        i -= 1
    }
    return order
}

@Suite("Mini-batch order")
struct BatchOrderTests {
    /// The test's generator is the published one: SplitMix64 from 0 starts 0xE220A8397B1DCDAF,
    /// 0x6E789E6AA1B965F4 (Vigna's reference splitmix64.c), and the core's agrees with it.
    @Test func splitMixKnownAnswers() {
        var contract = ContractSplitMix64(state: 0)
        #expect(contract.next() == 0xE220_A839_7B1D_CDAF)
        #expect(contract.next() == 0x6E78_9E6A_A1B9_65F4)
        var core = SplitMix64(seed: 0)
        #expect(core.next() == 0xE220_A839_7B1D_CDAF)
    }

    /// Every step t of three and a half epochs uses order_e[k·B ..< min((k+1)·B, N)], with
    /// e = ⌊t/K⌋, k = t mod K, K = ⌈N/B⌉: batch sizes B, …, B, N − (K−1)·B.
    @Test(arguments: [(10, 3, true, UInt64(0)), (10, 3, false, 0), (7, 7, true, 42), (7, 7, false, 1),
                      (1, 1, true, 5), (64, 5, true, 0xFFFF_FFFF_FFFF_FFFE), (13, 4, true, 2024), (5, 9, true, 3)])
    func everyStepTakesTheContractsSamples(_ n: Int, _ b: Int, _ shuffle: Bool, _ seed: UInt64) {
        var schedule = BatchOrder(samples: n, batchSize: b, shuffle: shuffle, seed: seed)
        let k = (n + min(b, n) - 1) / min(b, n)
        #expect(schedule.batchesPerEpoch == k)
        for t in 0..<(k * 3 + k / 2 + 1) {
            let e = t / k, index = t % k
            let order = contractOrder(n: n, shuffle: shuffle, seed: seed, epoch: e)
            let expected = Array(order[(index * b) ..< min((index + 1) * b, n)])
            let batch = schedule.batch(step: t)
            #expect(Array(batch.samples) == expected, "step \(t)")
            #expect(batch.epoch == e && batch.index == index)
            #expect(batch.samples.count == (index < k - 1 ? b : n - (k - 1) * b), "step \(t): the last batch holds the rest")
        }
    }

    /// Each epoch is a permutation of all samples, and (for N = 20) epochs are shuffled apart:
    /// seed + e differs per epoch, and seeds wrap modulo 2⁶⁴.
    @Test func epochsArePermutationsSeededApart() {
        let n = 20
        var schedule = BatchOrder(samples: n, batchSize: 6, shuffle: true, seed: .max)
        var epochs: [[Int]] = []
        for e in 0..<3 {
            let samples = (0..<4).flatMap { schedule.batch(step: e * 4 + $0).samples }
            #expect(samples.sorted() == Array(0..<n))
            epochs.append(samples)
        }
        #expect(epochs[0] != epochs[1] && epochs[1] != epochs[2])
        // seed = 2⁶⁴ − 1: epoch 1 is seeded with 0.
        #expect(epochs[1] == contractOrder(n: n, shuffle: true, seed: 0, epoch: 0))
        #expect(BatchOrder.order(samples: n, shuffle: true, seed: .max, epoch: 1) == BatchOrder.order(samples: n, shuffle: true, seed: 0, epoch: 0))
    }

    /// Steps can be asked for in any order (a later call starts at its state's step): the batch
    /// of step t does not depend on what was asked before.
    @Test func batchesDependOnTheStepAlone() {
        var a = BatchOrder(samples: 11, batchSize: 4, shuffle: true, seed: 9)
        var b = BatchOrder(samples: 11, batchSize: 4, shuffle: true, seed: 9)
        let steps = [7, 0, 8, 2, 2, 13, 1]
        for t in steps {
            let fresh = b.batch(step: t)
            b = BatchOrder(samples: 11, batchSize: 4, shuffle: true, seed: 9)
            #expect(a.batch(step: t) == fresh)
        }
    }

    /// Gathered rows are the sample rows in the batch's order; a batch of every sample in order is
    /// the matrix itself (its storage, not a copy), so a full batch computes what it always did.
    @Test func rowsOfABatch() {
        let m = Matrix(rows: 5, cols: 3, storage: (0..<15).map(Double.init))
        var shuffled = BatchOrder(samples: 5, batchSize: 2, shuffle: true, seed: 1)
        for t in 0..<6 {
            let batch = shuffled.batch(step: t)
            let rows = m.rows(of: batch)
            #expect(rows.rows == batch.samples.count && rows.cols == 3)
            #expect(rows.rowArrays == batch.samples.map { Array(m.row($0)) })
            #expect(!batch.isWholeSetInOrder)
        }
        var full = BatchOrder(samples: 5, batchSize: 5, shuffle: false, seed: 0)
        let batch = full.batch(step: 3)
        #expect(batch.isWholeSetInOrder)
        let same = m.rows(of: batch)
        #expect(same == m)
        let shared = m.storage.withUnsafeBufferPointer { a in same.storage.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress } }
        #expect(shared)
        // A contiguous batch of a larger set is gathered, and a shuffled full batch is permuted.
        var halves = BatchOrder(samples: 5, batchSize: 3, shuffle: false, seed: 0)
        #expect(m.rows(of: halves.batch(step: 1)).rowArrays == [[9, 10, 11], [12, 13, 14]])
        var permuted = BatchOrder(samples: 5, batchSize: 5, shuffle: true, seed: 0)
        let p = permuted.batch(step: 0)
        #expect(p.isWholeSetInOrder == (Array(p.samples) == [0, 1, 2, 3, 4]))
        #expect(m.rows(of: p).rowArrays == p.samples.map { Array(m.row($0)) })
    }
}
