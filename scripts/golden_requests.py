#!/usr/bin/env python3
"""Writes Tests/Golden/requests.json: the requests whose answers are recorded as golden files.

    python3 scripts/golden_requests.py            # rewrites Tests/Golden/requests.json

The set: every curl example of README.md (its body, verbatim), and a grid over the routes that
covers each activation, loss, reduction, single sample and batch, biases or none, /explain for
every weight of a small network, /init's schemes, and the common errors. GoldenTests (Swift)
sends each one to the service in-process and compares status, content type and body byte for
byte with Tests/Golden/answers.json, recorded before a refactor (BACKPROP_RECORD_GOLDEN=1).
Standard library only; deterministic (no randomness, sorted output).
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from readme_examples import examples  # noqa: E402

ROOT = os.path.dirname(HERE)
ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"]


def readme_requests():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    out = []
    for line, command, _, _ in examples(text):
        path = re.search(r"localhost:8080(/[^\s'\"|]*)", command).group(1)
        body = re.search(r"-d '(.*?)'", command, re.S)
        out.append({"name": f"readme {path} (README.md:{line})", "method": "POST" if body else "GET",
                    "path": path, "body": body.group(1) if body else ""})
    return out


def network(hidden_act, out_act, biases, outputs=2):
    hidden = {"weights": [[0.15, -0.2, 0.05], [0.25, 0.3, -0.1]], "activation": hidden_act}
    output = {"weights": [[0.4, -0.45], [0.5, 0.55], [-0.3, 0.2]][:outputs], "activation": out_act}
    if biases:
        hidden["biases"] = [0.35, -0.35]
        output["biases"] = [0.6, -0.6, 0.1][:outputs]
    return {"layers": [hidden, output]}


def grid():
    out = []
    single_x, single_t = [0.05, 0.1, -0.7], [0.01, 0.99]
    batch_x = [[0.05, 0.1, -0.7], [1.0, -2.0, 0.5], [0.0, 0.3, 0.9]]
    batch_t = [[0.01, 0.99], [1.0, 0.0], [0.5, 0.5]]
    for act in ACTIVATIONS:
        for loss in ["half_sse", "mse", "cross_entropy"]:
            if loss == "cross_entropy" and act not in ("sigmoid", "softmax"):
                continue
            for biases in (False, True):
                for batch in (False, True):
                    for reduction in (["mean", "sum"] if batch else [None]):
                        body = {"network": network("tanh" if act == "softmax" else act, act, biases), "loss": loss}
                        if batch:
                            body.update(inputs=batch_x, targets=batch_t)
                        else:
                            body.update(input=single_x, target=single_t)
                        if reduction:
                            body["reduction"] = reduction
                        tag = f"{act} {loss} {'biases' if biases else 'no biases'} {'batch ' + reduction if batch else 'single'}"
                        for route in ("forward", "gradients"):
                            out.append({"name": f"grid /{route} {tag}", "method": "POST", "path": "/" + route, "body": json.dumps(body)})
                        step = dict(body, learningRate=0.3, steps=3)
                        out.append({"name": f"grid /step {tag}", "method": "POST", "path": "/step", "body": json.dumps(step)})
                        step_frozen = dict(step, updateBiases=False, details=False)
                        out.append({"name": f"grid /step frozen {tag}", "method": "POST", "path": "/step", "body": json.dumps(step_frozen)})
                        for l, j, i in [(0, 1, 2), (1, 0, 1)]:
                            ex = dict(body, weight={"layer": l, "unit": j, "input": i}, learningRate=0.5)
                            out.append({"name": f"grid /explain {l}{j}{i} {tag}", "method": "POST", "path": "/explain", "body": json.dumps(ex)})
    # /forward without a target, three layers deep.
    deep = {"layers": [{"weights": [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]], "biases": [0.1, 0.2, 0.3], "activation": "relu"},
                       {"weights": [[0.7, -0.8, 0.9], [1.0, 1.1, -1.2]], "activation": "leaky_relu"},
                       {"weights": [[0.2, 0.3]], "activation": "linear"}]}
    out.append({"name": "grid /forward deep no target", "method": "POST", "path": "/forward",
                "body": json.dumps({"network": deep, "inputs": [[1, 2], [-3, 0.5]]})})
    for l, j, i in [(0, 2, 1), (1, 1, 2), (2, 0, 0)]:
        out.append({"name": f"grid /explain deep {l}{j}{i}", "method": "POST", "path": "/explain",
                    "body": json.dumps({"network": deep, "inputs": [[1, 2], [-3, 0.5]], "targets": [[0.5], [-1]],
                                        "weight": {"layer": l, "unit": j, "input": i}})})
    # /init.
    for scheme in (None, "xavier", "he", "uniform"):
        for biases in (None, False):
            body = {"sizes": [3, 4, 2], "seed": 7, "activations": ["relu", "softmax"]}
            if scheme:
                body["scheme"] = scheme
            if biases is not None:
                body["biases"] = biases
            out.append({"name": f"grid /init {scheme} {biases}", "method": "POST", "path": "/init", "body": json.dumps(body)})
    out.append({"name": "grid /init one activation", "method": "POST", "path": "/init",
                "body": json.dumps({"sizes": [2, 3, 3, 1], "activation": "tanh"})})
    # Errors, each pointing at a field.
    textbook = {"layers": [{"weights": [[0.15, 0.2], [0.25, 0.3]]}, {"weights": [[0.4, 0.45], [0.5, 0.55]]}]}
    errors = {
        "unknown activation": {"network": {"layers": [{"weights": [[1, 2]], "activation": "swish"}]}, "input": [1, 2]},
        "unknown loss": {"network": textbook, "input": [1, 2], "target": [0, 1], "loss": "hinge"},
        "unknown reduction": {"network": textbook, "inputs": [[1, 2]], "targets": [[0, 1]], "reduction": "max"},
        "ragged weights": {"network": {"layers": [{"weights": [[1, 2], [3]]}]}, "input": [1, 2]},
        "wrong input width": {"network": textbook, "input": [1, 2, 3]},
        "wrong target width": {"network": textbook, "input": [1, 2], "target": [1]},
        "batch row count": {"network": textbook, "inputs": [[1, 2], [3, 4]], "targets": [[0, 1]]},
        "cross entropy after tanh": {"network": {"layers": [{"weights": [[1, 2]], "activation": "tanh"}]}, "input": [1, 2], "target": [1], "loss": "cross_entropy"},
        "softmax targets not summing to 1": {"network": {"layers": [{"weights": [[1, 2], [3, 4]], "activation": "softmax"}]}, "input": [1, 2], "target": [0.5, 0.6], "loss": "cross_entropy"},
        "string weight": {"network": {"layers": [{"weights": [[1, "2"]]}]}, "input": [1, 2]},
        "missing network": {"input": [1, 2]},
        "input and inputs": {"network": textbook, "input": [1, 2], "inputs": [[1, 2]]},
        "overflow": {"network": {"layers": [{"weights": [[1e308, 1e308]], "activation": "linear"}]}, "input": [10, 10]},
        "bias count": {"network": {"layers": [{"weights": [[1, 2]], "biases": [1, 2]}]}, "input": [1, 2]},
        "empty layers": {"network": {"layers": []}, "input": [1, 2]},
    }
    for name, body in errors.items():
        route = "/gradients" if "target" in body or "targets" in body else "/forward"
        out.append({"name": f"error {route} {name}", "method": "POST", "path": route, "body": json.dumps(body)})
    step_errors = {
        "negative learning rate": {"learningRate": -1},
        "zero steps": {"steps": 0},
        "fractional steps": {"steps": 1.5},
        "overflowing step": {"learningRate": 1e300},
    }
    for name, extra in step_errors.items():
        body = dict({"network": textbook, "input": [0.05, 0.1], "target": [0.01, 0.99]}, **extra)
        out.append({"name": f"error /step {name}", "method": "POST", "path": "/step", "body": json.dumps(body)})
    explain_errors = {
        "layer out of range": {"layer": 2, "unit": 0, "input": 0},
        "unit and input out of range": {"layer": 1, "unit": 5, "input": -1},
        "missing input": {"layer": 0, "unit": 0},
    }
    for name, weight in explain_errors.items():
        body = {"network": textbook, "input": [0.05, 0.1], "target": [0.01, 0.99], "weight": weight}
        out.append({"name": f"error /explain {name}", "method": "POST", "path": "/explain", "body": json.dumps(body)})
    init_errors = {"too few sizes": {"sizes": [2]}, "zero size": {"sizes": [2, 0, 1]}, "unknown scheme": {"sizes": [2, 2], "scheme": "lecun"},
                   "activations count": {"sizes": [2, 2, 2], "activations": ["tanh"]}, "negative seed": {"sizes": [2, 2], "seed": -1}}
    for name, body in init_errors.items():
        out.append({"name": f"error /init {name}", "method": "POST", "path": "/init", "body": json.dumps(body)})
    for name, body in {"malformed": '{"network": {"layers": [}', "empty": "", "array": "[1, 2]"}.items():
        out.append({"name": f"error /forward {name}", "method": "POST", "path": "/forward", "body": body})
    out.append({"name": "error unknown path", "method": "GET", "path": "/nope", "body": ""})
    out.append({"name": "error wrong method", "method": "GET", "path": "/step", "body": ""})
    out.append({"name": "get /healthz", "method": "GET", "path": "/healthz", "body": ""})
    return out


def main():
    requests = readme_requests() + grid()
    names = [r["name"] for r in requests]
    assert len(names) == len(set(names)), "request names must be unique"
    path = os.path.join(ROOT, "Tests", "Golden", "requests.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(requests, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{len(requests)} requests written to {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
