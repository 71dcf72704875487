// The worked example printed in api-contract.md, reproduced bit for bit: the numbers a reader of
// the contract sees must be the numbers the core computes.

import Testing
@testable import Backprop

@Suite("The api-contract.md example")
struct ContractExampleTests {
    @Test func forwardMatchesThePrintedNumbers() throws {
        let p = try makeProblem([TestLayer(weights: [[0.1, 0.2], [0.3, 0.4]], biases: [0.25, 0.25], activation: .sigmoid), TestLayer(weights: [[0.5, 0.6], [0.7, 0.8]], activation: .sigmoid)],
                            inputs: [[0.5, 0.9]], targets: [[0.0, 1.0]])
        let result = try p.forward()
        #expect(result.layers[0].weightedSums.storage == [0.48000000000000004, 0.76])
        #expect(result.layers[0].outputs.storage == [0.617747874769249, 0.6813537337890256])
        #expect(result.layers[1].weightedSums.storage == [0.7176861776580399, 0.9775064993696947])
        #expect(result.output.storage == [0.6720972942665231, 0.7266131712281468])
        #expect(result.loss == 0.26322756555315596)
    }
}
