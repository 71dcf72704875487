// GrowingBuffer.swift — a growable run of plain values (BitwiseCopyable) in memory managed by hand,
// for the parser's tape, number pool, text and container stack, and the writer's bracket stack. Not a
// general collection.
//
// Why not [Element]: every append to a Swift array checks that its buffer is uniquely referenced
// (a runtime call) and may retain it; the parser appends about once per input token, and on a
// small request that bookkeeping cost more than the parsing. Here an append is a capacity check
// and a store.
//
// Ownership is explicit: a GrowingBuffer is a pointer, and copies of it share the memory. The
// parser frees its stack when it is done, and its tape when parsing fails; a finished tape is
// handed to the JSONDocument, which frees it in its deinit. The writer frees its stack in deinit.

struct GrowingBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    /// The elements appended so far, in place.
    var elements: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    var last: Element? { count > 0 ? base[count - 1] : nil }

    subscript(k: Int) -> Element {
        get { base[k] }
        nonmutating set { base[k] = newValue }
    }

    @inline(__always) mutating func append(_ x: Element) {
        if count == capacity { grow(toHold: count + 1) }
        base[count] = x
        count += 1
    }

    mutating func append(contentsOf xs: UnsafeBufferPointer<Element>) {
        guard let source = xs.baseAddress else { return }
        if count + xs.count > capacity { grow(toHold: count + xs.count) }
        (base + count).initialize(from: source, count: xs.count)
        count += xs.count
    }

    @discardableResult
    mutating func removeLast() -> Element {
        count -= 1
        return base[count]
    }

    /// Drops the elements from index `newCount` on.
    mutating func truncate(to newCount: Int) { count = newCount }

    /// Frees the memory; this buffer and every copy of it are unusable afterwards.
    func deallocate() { base.deallocate() }

    /// At least doubles the capacity (amortized O(1) appends), moving the elements over.
    @inline(never) private mutating func grow(toHold needed: Int) {
        let newCapacity = max(needed, 2 * capacity)
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
