#!/usr/bin/env python3
"""Writes Fuzz/corpus/: the fuzz target's seeds. Each file is one route letter (s f g e i: /step
/forward /gradients /explain /init) followed by a request body: the README's examples, the bench's
small body, and the hostile cases the issue lists. Re-run after changing the API; commit the files."""
import json, os, sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "Fuzz", "corpus")
os.makedirs(out, exist_ok=True)

textbook = {"layers": [{"weights": [[0.15, 0.2], [0.25, 0.3]]}, {"weights": [[0.4, 0.45], [0.5, 0.55]]}]}
biased = {"layers": [
    {"weights": [[0.1, 0.2], [0.3, 0.4]], "biases": [0.25, 0.25], "activation": "sigmoid"},
    {"weights": [[0.5, 0.6], [0.7, 0.8]], "activation": "sigmoid"}]}
xor = {"layers": [
    {"weights": [[0.5, -0.4], [0.3, 0.8]], "biases": [0.1, -0.1], "activation": "tanh"},
    {"weights": [[0.7, -0.6]], "biases": [0.0], "activation": "sigmoid"}]}
softmax = {"layers": [
    {"weights": [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], "biases": [0, 0, 0], "activation": "relu"},
    {"weights": [[0.5, 0.6, 0.1], [0.7, -0.8, 0.2]], "activation": "softmax"}]}

def j(o): return json.dumps(o, separators=(",", ":")).encode()

seeds = {
    # The README's examples, verbatim in meaning.
    "readme_forward": b"f" + j({"network": biased, "input": [0.5, 0.9], "target": [0.0, 1.0]}),
    "readme_gradients": b"g" + j({"network": textbook, "input": [0.05, 0.1], "target": [0.01, 0.99]}),
    "readme_step": b"s" + j({"network": textbook, "input": [0.05, 0.1], "target": [0.01, 0.99], "learningRate": 0.5, "details": False}),
    "readme_xor": b"s" + j({"network": xor, "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]], "learningRate": 0.5, "steps": 20, "details": False}),
    "readme_explain": b"e" + j({"network": textbook, "input": [0.05, 0.1], "target": [0.01, 0.99], "weight": {"layer": 0, "unit": 0, "input": 0}}),
    "readme_init": b"i" + j({"sizes": [2, 2, 1], "activations": ["tanh", "sigmoid"], "seed": 42}),
    "init_schemes": b"i" + j({"sizes": [3, 4, 2], "activation": "relu", "scheme": "he", "seed": 7}),
    "softmax_ce_batch": b"g" + j({"network": softmax, "inputs": [[1, 2], [-1, 0.5]], "targets": [[1, 0], [0, 1]], "loss": "cross_entropy", "reduction": "sum"}),
    "explain_softmax": b"e" + j({"network": softmax, "input": [1, 2], "target": [0, 1], "loss": "cross_entropy", "weight": {"layer": 1, "unit": 1, "input": 2}, "learningRate": 0.1}),
    "step_mse_leaky": b"s" + j({"network": {"layers": [{"weights": [[1, -1]], "activation": "leaky_relu"}, {"weights": [[2]], "activation": "linear"}]}, "input": [1, 3], "target": [0.5], "loss": "mse", "steps": 3, "updateBiases": False}),
    # Error cases: each should be a 4xx problem, never a 5xx.
    "shape_mismatch": b"f" + j({"network": {"layers": [{"weights": [[0.1, 0.2], [0.3, 0.4]]}, {"weights": [[0.5, 0.6, 0.7]]}]}, "input": [1, 2]}),
    "malformed": b'f{"network": {"layers": [}',
    "truncated": b"s" + j({"network": textbook, "input": [0.05, 0.1], "target": [0.01, 0.99]})[:-7],
    "empty": b"s",
    "not_object": b"s[1,2,3]",
    "duplicate_keys": b's{"network":{"layers":[{"weights":[[1]]}]},"input":[1],"input":[2],"target":[0]}',
    "deep_nesting": b"f" + b"[" * 40 + b"]" * 40,
    "deep_weights": b'f{"network":{"layers":[{"weights":' + b"[" * 30 + b"1" + b"]" * 30 + b'}]},"input":[1]}',
    "huge_numbers": b's{"network":{"layers":[{"weights":[[1e308,-1e308]],"biases":[1e308]}]},"input":[1e308,5e-324],"target":[-0],"learningRate":1e308}',
    "overflow_literal": b'f{"network":{"layers":[{"weights":[[1e999]]}]},"input":[1]}',
    "long_number": b'f{"network":{"layers":[{"weights":[[0.' + b"1" * 5000 + b']]}]},"input":[1]}',
    "huge_steps": b"s" + j({"network": textbook, "input": [0.05, 0.1], "target": [0.01, 0.99], "steps": 9007199254740993}),
    "fraction_steps": b"s" + j({"network": textbook, "input": [0.05, 0.1], "target": [0.01, 0.99], "steps": 1.5}),
    "huge_array": b'f{"network":{"layers":[{"weights":[[' + b",".join([b"0.5"] * 2000) + b']]}]},"input":[' + b",".join([b"1"] * 2000) + b"]}",
    "invalid_utf8": b'f{"network":{"layers":[{"weights":[[1]],"activation":"sig\xff\xfemoid"}]},"input":[1]}',
    "escaped_names": b'f{"network":{"layers":[{"weights":[[1]],"activation":"\\u0073igmoid"}]},"input":[1],"\\ud800":1}',
    "unknown_activation": b"f" + j({"network": {"layers": [{"weights": [[1]], "activation": "swish"}]}, "input": [1]}),
    "ce_out_of_domain": b"g" + j({"network": {"layers": [{"weights": [[1]]}]}, "input": [1], "target": [2], "loss": "cross_entropy"}),
    "explain_out_of_range": b"e" + j({"network": textbook, "input": [0.05, 0.1], "target": [0.01, 0.99], "weight": {"layer": 5, "unit": -1, "input": 1e20}}),
    "ragged_batch": b"s" + j({"network": textbook, "inputs": [[1, 2], [3]], "targets": [[1, 0]]}),
    "explain_bias": b"e" + j({"network": biased, "input": [0.5, 0.9], "target": [0.0, 1.0], "bias": {"layer": 0, "unit": 1}, "learningRate": 0.5}),
    "explain_bias_without_biases": b"e" + j({"network": textbook, "input": [0.05, 0.1], "target": [0.01, 0.99], "bias": {"layer": 0, "unit": 0}}),
    "misspelled_fields": b"s" + j({"network": {"layers": [{"weights": [[1, 2]], "bias": [1], "activations": "relu"}]}, "input": [1, 2], "target": [0], "learning_rate": 0.1, "epoch": 3}),
    "bom_body": b"f\xef\xbb\xbf" + j({"network": textbook, "input": [0.05, 0.1]}),
    "form_body": b"s" + b"learningRate=0.5&steps=10",
    # /step's training options (issue 14): every optimizer, mini-batches, state, regularization, validation.
    "adam_minibatch": b"s" + j({"network": xor, "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]], "optimizer": "adam",
                                "batchSize": 3, "seed": 5, "steps": 7, "lossEvery": 2, "regularization": {"l2": 0.01, "l1": 0.001},
                                "validation": {"inputs": [[0.5, 0.5]], "targets": [[1]]}}),
    "sgd_momentum_state": b"s" + j({"network": {"layers": [{"weights": [[1, 2]], "biases": [0]}]}, "input": [1, 1], "target": [0.5],
                                    "optimizer": {"name": "sgd", "momentum": 0.9, "nesterov": True, "state": {"step": 3, "layers": [{"weights": {"momentumBuffer": [[0.1, 0.2]]}, "biases": {"momentumBuffer": [0.3]}}]}},
                                    "epochs": 2, "updateBiases": False}),
    "rmsprop_centered": b"s" + j({"network": textbook, "input": [0.05, 0.1], "target": [0.01, 0.99], "optimizer": {"name": "rmsprop", "momentum": 0.5, "centered": True}, "steps": 3}),
    "adamw_bad_state": b"s" + j({"network": textbook, "input": [0.05, 0.1], "target": [0.01, 0.99], "optimizer": {"name": "adamw", "betas": [0.9, 1.5], "state": {"step": -1, "layers": [{"weights": {"expAvg": [[1]]}}]}}}),
    "adagrad_epochs": b"s" + j({"network": textbook, "inputs": [[0.05, 0.1], [1, 0]], "targets": [[0.01, 0.99], [1, 0]], "optimizer": {"name": "adagrad", "lrDecay": 0.1}, "epochs": 3, "batchSize": 1, "shuffle": False}),
    "zero_regularization": b"s" + j({"network": textbook, "input": [0.05, 0.1], "target": [0.01, 0.99], "regularization": {"l2": 0}, "details": False}),
    "gradients_regularized": b"g" + j({"network": biased, "input": [0.5, 0.9], "target": [0.0, 1.0], "regularization": {"l2": 1e300, "l1": 1}}),
    "explain_regularized": b"e" + j({"network": biased, "input": [0.5, 0.9], "target": [0.0, 1.0], "regularization": {"l1": 0.5}, "weight": {"layer": 1, "unit": 0, "input": 1}}),
    "empty_layers": b"f" + j({"network": {"layers": []}, "input": []}),
    "init_huge": b"i" + j({"sizes": [100000, 100000], "seed": -1}),
    "nulls": b"s" + j({"network": None, "input": None, "target": [None], "learningRate": None}),
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
# The bench body, when ../shared/bench sits beside the repository (as scripts/bench.sh expects).
small = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "bench", "peer", "small.json")
if os.path.exists(small):
    with open(small, "rb") as f, open(os.path.join(out, "bench_small"), "wb") as g:
        g.write(b"s" + f.read())
print(f"{len(os.listdir(out))} seeds in {out}")
