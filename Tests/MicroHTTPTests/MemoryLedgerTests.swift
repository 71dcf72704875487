// The memory budget's rules, without a server: what is granted, who waits and in which order,
// and that a request never waits where it could keep everyone waiting forever.
@testable import MicroHTTP
import Testing

@Suite struct MemoryLedgerTests {
    typealias Ledger = MemoryLedger<String>

    @Test func grantsWhatFitsAndQueuesTheRest() {
        var ledger = Ledger(budget: 100)
        #expect(ledger.request(60, holding: 0, priority: .body, waiter: "a", mayWait: true) == .granted)
        #expect(ledger.request(50, holding: 0, priority: .body, waiter: "b", mayWait: true) == .waiting)
        // Fits, but "b" waits ahead of it: first come, first served.
        #expect(ledger.request(10, holding: 0, priority: .body, waiter: "c", mayWait: true) == .waiting)
        #expect(ledger.reserved == 60)
        #expect(ledger.waitingCount == 2)
        #expect(ledger.release(60) == ["b", "c"])
        #expect(ledger.reserved == 60)
        #expect(ledger.waitingCount == 0)
    }

    @Test func grantsStopAtTheFirstWaiterThatDoesNotFit() {
        var ledger = Ledger(budget: 100)
        _ = ledger.request(90, holding: 0, priority: .body, waiter: "big", mayWait: true)
        #expect(ledger.request(80, holding: 0, priority: .body, waiter: "b", mayWait: true) == .waiting)
        #expect(ledger.request(5, holding: 0, priority: .body, waiter: "c", mayWait: true) == .waiting)
        // 10 free: "c" would fit, but "b" is first; passing it could starve "b" for ever.
        #expect(ledger.release(0) == [])
        #expect(ledger.release(40) == [])  // 50 free, "b" wants 80
        #expect(ledger.release(50) == ["b", "c"])
    }

    @Test func refusesWhatCanNeverFitOrMayNotWait() {
        var ledger = Ledger(budget: 100)
        #expect(ledger.request(101, holding: 0, priority: .body, waiter: "huge", mayWait: true) == .refused)
        _ = ledger.request(100, holding: 0, priority: .body, waiter: "all", mayWait: true)
        #expect(ledger.request(1, holding: 0, priority: .body, waiter: "x", mayWait: false) == .refused)
        #expect(ledger.waitingCount == 0)
    }

    @Test func computationsHoldingTheirBodyGoFirst() {
        var ledger = Ledger(budget: 100)
        _ = ledger.request(40, holding: 0, priority: .body, waiter: "reader", mayWait: true)
        _ = ledger.request(30, holding: 0, priority: .body, waiter: "other", mayWait: true)
        #expect(ledger.request(40, holding: 0, priority: .body, waiter: "body", mayWait: true) == .waiting)
        // "reader" read its body and now needs 40 more to compute: it goes ahead of "body".
        #expect(ledger.request(40, holding: 40, priority: .computation, waiter: "compute", mayWait: true) == .waiting)
        #expect(ledger.release(30) == ["compute"])  // "other" finished: 60 free, "body" would fit too
        #expect(ledger.reserved == 80)
        #expect(ledger.release(80) == ["body"])
    }

    /// The deadlock the rule prevents: everyone holds part of the budget and waits for more.
    @Test func aWaiterNeverHoldsWhatOthersNeedToProceed() {
        var ledger = Ledger(budget: 100)
        for name in ["a", "b", "c"] {
            #expect(ledger.request(30, holding: 0, priority: .body, waiter: name, mayWait: true) == .granted)
        }
        // "a" and "b" read their bodies (30 each) and want 30 more each. If both waited, holding
        // 60 between them, and "c" too, 90 would be held and 10 free: no one could ever proceed.
        #expect(ledger.request(30, holding: 30, priority: .computation, waiter: "a+", mayWait: true) == .waiting)
        // Held by waiters 30 + 30, largest wish 30: 90 ≤ 100, may wait.
        #expect(ledger.request(30, holding: 30, priority: .computation, waiter: "b+", mayWait: true) == .waiting)
        // 30 + 30 + 30 held, wish 30: 120 > 100, refused (its 503 frees its 30).
        #expect(ledger.request(30, holding: 30, priority: .computation, waiter: "c+", mayWait: true) == .refused)
        #expect(ledger.release(30) == ["a+"])  // "c" gave back its 30
        #expect(ledger.release(60) == ["b+"])  // "a" finished
    }

    @Test func removedWaitersLeaveAndThoseBehindAreGranted() {
        var ledger = Ledger(budget: 100)
        _ = ledger.request(70, holding: 0, priority: .body, waiter: "running", mayWait: true)
        _ = ledger.request(50, holding: 0, priority: .body, waiter: "gone", mayWait: true)
        _ = ledger.request(20, holding: 0, priority: .body, waiter: "next", mayWait: true)
        let (removed, granted) = ledger.remove { $0 == "gone" }
        #expect(removed == ["gone"])
        #expect(granted == ["next"])
        #expect(ledger.reserved == 90)
        #expect(ledger.remove { _ in true }.removed == [])
    }
}
