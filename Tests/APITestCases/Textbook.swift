// The textbook 2-2-2 sigmoid network of backprop.md, written out by hand in scalar form: an
// independent reference that the service's answers are compared with (never the code's own output).

import Foundation

/// The 2-2-2 sigmoid network with optional biases, one sample, E = ½Σ(t − y)².
public struct TextbookNetwork: Sendable {
    /// hidden[j][i] = w_ji into hidden unit j; output[j][i] = w into output unit j (w31 = output[0][0]).
    public var hidden: [[Double]]
    public var output: [[Double]]
    public var hiddenBiases: [Double]?
    public var outputBiases: [Double]?

    public init(hidden: [[Double]], output: [[Double]], hiddenBiases: [Double]? = nil, outputBiases: [Double]? = nil) {
        self.hidden = hidden
        self.output = output
        self.hiddenBiases = hiddenBiases
        self.outputBiases = outputBiases
    }

    static func sigma(_ a: Double) -> Double { 1 / (1 + exp(-a)) }

    /// Every quantity of one forward and backward pass, by the formulas of backprop.md.
    public struct Pass: Sendable {
        public var a1: [Double], z: [Double], a2: [Double], y: [Double]
        public var loss: Double
        public var deltaY: [Double], deltaH: [Double]
        public var gradHidden: [[Double]], gradOutput: [[Double]]
        public var gradHiddenBiases: [Double], gradOutputBiases: [Double]
    }

    public func pass(x: [Double], t: [Double]) -> Pass {
        let bh = hiddenBiases ?? [0, 0], bo = outputBiases ?? [0, 0]
        // a1(1) = w11 x1 + w12 x2 (+ b),  z1 = σ(a1(1))
        let a1 = [hidden[0][0] * x[0] + hidden[0][1] * x[1] + bh[0], hidden[1][0] * x[0] + hidden[1][1] * x[1] + bh[1]]
        let z = a1.map(Self.sigma)
        // a1(2) = w31 z1 + w32 z2 (+ b),  y1 = σ(a1(2))
        let a2 = [output[0][0] * z[0] + output[0][1] * z[1] + bo[0], output[1][0] * z[0] + output[1][1] * z[1] + bo[1]]
        let y = a2.map(Self.sigma)
        let loss = 0.5 * (t[0] - y[0]) * (t[0] - y[0]) + 0.5 * (t[1] - y[1]) * (t[1] - y[1])
        // δy = (y − t) · y(1 − y)
        let dy = [(y[0] - t[0]) * (y[0] * (1 - y[0])), (y[1] - t[1]) * (y[1] * (1 - y[1]))]
        // δh1 = (δy1·w31 + δy2·w41) · z1(1 − z1)
        let dh = [(dy[0] * output[0][0] + dy[1] * output[1][0]) * (z[0] * (1 - z[0])),
                  (dy[0] * output[0][1] + dy[1] * output[1][1]) * (z[1] * (1 - z[1]))]
        // ∂E/∂w11 = δh1 · x1,  ∂E/∂w31 = δy1 · z1
        let gh = [[dh[0] * x[0], dh[0] * x[1]], [dh[1] * x[0], dh[1] * x[1]]]
        let go = [[dy[0] * z[0], dy[0] * z[1]], [dy[1] * z[0], dy[1] * z[1]]]
        return Pass(a1: a1, z: z, a2: a2, y: y, loss: loss, deltaY: dy, deltaH: dh,
                    gradHidden: gh, gradOutput: go, gradHiddenBiases: dh, gradOutputBiases: dy)
    }

    /// w ← w − η ∂E/∂w for every weight (and bias), all from the same pass.
    public func stepped(x: [Double], t: [Double], eta: Double) -> TextbookNetwork {
        let p = pass(x: x, t: t)
        func sub(_ w: [[Double]], _ g: [[Double]]) -> [[Double]] {
            zip(w, g).map { zip($0, $1).map { $0 - eta * $1 } }
        }
        return TextbookNetwork(
            hidden: sub(hidden, p.gradHidden), output: sub(output, p.gradOutput),
            hiddenBiases: hiddenBiases.map { zip($0, p.gradHiddenBiases).map { $0 - eta * $1 } },
            outputBiases: outputBiases.map { zip($0, p.gradOutputBiases).map { $0 - eta * $1 } })
    }

    /// The request's `network` object.
    public var json: [String: Any] {
        var l0: [String: Any] = ["weights": hidden, "activation": "sigmoid"]
        var l1: [String: Any] = ["weights": output, "activation": "sigmoid"]
        if let hiddenBiases { l0["biases"] = hiddenBiases }
        if let outputBiases { l1["biases"] = outputBiases }
        return ["layers": [l0, l1]]
    }

    /// The network of a response's `network` object.
    public init?(json: Any?) {
        guard let n = json as? [String: Any], let layers = n["layers"] as? [[String: Any]], layers.count == 2,
              let h = layers[0]["weights"] as? [[Double]], let o = layers[1]["weights"] as? [[Double]] else { return nil }
        self.init(hidden: h, output: o, hiddenBiases: layers[0]["biases"] as? [Double], outputBiases: layers[1]["biases"] as? [Double])
    }
}

/// |a − b| ≤ rel · max(|a|, |b|), with a floor of 1e-300 so that two exact zeros compare equal.
public func isClose(_ a: Double, _ b: Double, rel: Double) -> Bool {
    abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-300
}

public func isClose(_ a: [Double], _ b: [Double], rel: Double) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { isClose($0, $1, rel: rel) }
}

public func isClose(_ a: [[Double]], _ b: [[Double]], rel: Double) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { isClose($0, $1, rel: rel) }
}
