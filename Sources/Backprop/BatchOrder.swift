// The contract's mini-batch schedule: which samples global step t trains on, derived from the
// step alone so that a run split over many calls sees the same batches as one long call, and a
// client can reproduce every batch (api-contract.md, "v2 additions", mini-batches).
// Not the training loop: it asks for a step's batch and gathers those rows.

/// Which samples each global step uses: N samples in batches of B, reshuffled every epoch.
///
///     batches per epoch  K = ⌈N / B⌉
///     step t:  epoch e = ⌊t / K⌋,  batch k = t mod K,  samples order_e[k·B ..< min((k+1)·B, N)]
///     order_e = 0, 1, …, N−1                     without shuffle
///             = Fisher–Yates on [0, …, N−1]     with shuffle, SplitMix64 seeded with seed + e (mod 2⁶⁴):
///               for i = N−1 down to 1:  j = next() mod (i + 1),  swap entries i and j
///
/// The last batch of an epoch has N − (K−1)·B samples when B does not divide N. The shuffle
/// keeps the modulo bias of next() mod (i + 1) (below (i + 1)/2⁶⁴, 10⁻¹³ for N = 10⁶) rather than
/// rejection sampling: the contract fixes the algorithm so that a client in any language
/// reproduces it with one line per swap.
public struct BatchOrder: Sendable {
    /// N.
    public let samples: Int
    /// B.
    public let batchSize: Int
    public let shuffle: Bool
    public let seed: UInt64

    /// The epoch whose order is cached, and that order: computed once per epoch, not per step.
    private var cachedEpoch = -1
    private var cachedOrder: [Int] = []
    private var cachedOrderIsIdentity = false

    /// A schedule over `samples` ≥ 1 samples in batches of `batchSize` ≥ 1 (more than N is N).
    public init(samples: Int, batchSize: Int, shuffle: Bool, seed: UInt64) {
        precondition(samples >= 1 && batchSize >= 1, "unchecked batch schedule: \(samples) samples, batches of \(batchSize)")
        self.samples = samples
        self.batchSize = Swift.min(batchSize, samples)
        self.shuffle = shuffle
        self.seed = seed
    }

    /// K = ⌈N / B⌉.
    public var batchesPerEpoch: Int { (samples + batchSize - 1) / batchSize }

    /// order_e: the sample indices of epoch e in the order its batches take them.
    public static func order(samples n: Int, shuffle: Bool, seed: UInt64, epoch e: Int) -> [Int] {
        precondition(n >= 0 && e >= 0)
        var order = Array(0..<n)
        guard shuffle, n > 1 else { return order }
        var random = SplitMix64(seed: seed &+ UInt64(e))
        order.withUnsafeMutableBufferPointer { order in
            for i in stride(from: n - 1, through: 1, by: -1) {
                let j = Int(random.next() % UInt64(i + 1))
                order.swapAt(i, j)
            }
        }
        return order
    }

    /// The samples of global step t ≥ 0, in order.
    public mutating func batch(step t: Int) -> Batch {
        precondition(t >= 0, "steps count from 0")
        let k = batchesPerEpoch
        let (e, b) = t.quotientAndRemainder(dividingBy: k)
        if e != cachedEpoch {
            cachedOrder = Self.order(samples: samples, shuffle: shuffle, seed: seed, epoch: e)
            cachedOrderIsIdentity = cachedOrder.indices.elementsEqual(cachedOrder)
            cachedEpoch = e
        }
        let range = b * batchSize ..< Swift.min((b + 1) * batchSize, samples)
        return Batch(epoch: e, index: b, samples: cachedOrder[range], isWholeSetInOrder: cachedOrderIsIdentity && range.count == samples)
    }
}

/// The samples one step trains on.
public struct Batch: Sendable, Equatable {
    /// e.
    public let epoch: Int
    /// k, the batch's place in its epoch.
    public let index: Int
    /// Indices into the training set, in the order the batch's rows take.
    public let samples: ArraySlice<Int>
    /// True when the batch is every sample in its original order (a full batch, or one epoch
    /// whose shuffle happened to change nothing): its rows are the training set's matrix itself.
    public let isWholeSetInOrder: Bool
}

extension Matrix {
    /// The rows of a batch, in its order: row r of the result is row `batch.samples[r]` of self.
    ///
    /// A batch of every sample in order returns self, sharing its storage (no copy): a full batch
    /// computes exactly what it did before mini-batches existed.
    public func rows(of batch: Batch) -> Matrix {
        if batch.isWholeSetInOrder { return self }
        return gatheringRows(batch.samples)
    }

    /// Rows `indices` of self, in that order, copied into a new matrix (written once, never
    /// zeroed first: a batch of 784-wide rows is hundreds of kilobytes).
    public func gatheringRows(_ indices: some Collection<Int>) -> Matrix {
        let cols = cols, rows = rows, count = indices.count
        precondition(indices.allSatisfy { $0 >= 0 && $0 < rows }, "a row index outside 0..<\(rows)")
        let gathered = [Double](unsafeUninitializedCapacity: count * cols) { target, initialized in
            storage.withUnsafeBufferPointer { source in
                guard let from = source.baseAddress, let to = target.baseAddress else { return }  // no elements at all
                for (r, s) in indices.enumerated() {
                    (to + r * cols).initialize(from: from + s * cols, count: cols)
                }
            }
            initialized = count * cols
        }
        return Matrix(rows: count, cols: cols, storage: gathered)
    }
}
