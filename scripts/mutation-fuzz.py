#!/usr/bin/env python3
"""Hostile-input search through the whole command line: mutated copies of the fixtures' models, each given to
`rescompile MODEL -o PLAN`, `rescompile run MODEL` and `rescompile check MODEL`, looking for what the
command-line contract (DESIGN.md §8) forbids: a crash (a signal, a Swift runtime trap), a hang (no answer
within the timeout), or a failure without an `error:` line. A refusal with an `error:` line is the expected
answer to most mutations and is not reported.

Two kinds of mutation, chosen at random per case: edits of the decoded protobuf (attribute values set to 0,
-1, huge or non-finite; inputs renamed to other values, to nothing or to undefined names; initializer shapes,
element types and raw bytes changed or cut; op types swapped; nodes deleted, duplicated or shuffled; input
dimensions made zero, huge or symbolic; attributes dropped; opsets changed; outputs renamed; value_info and
output types declared at random; the same node edits
inside a model-local function's body, and its signature, name or opset changed; the same inside a Loop body or
an If branch, the body's inputs, outputs and initializers, and a Loop's trip count and condition) and byte-level
damage of the serialized file (bytes replaced, deleted or inserted). `ResONNXTests/ModelMutator.swift` fuzzes
the importer alone inside `swift test`; this script also runs what the importer accepts, through the
optimizer, code generation and the runtime.

A development tool, not a test: it needs onnx (the venv of benchmarks/README.md). Every finding is kept as
`OUT/finding_N.onnx` and printed with the command and the end of its stderr.

    /work/tools/venv/bin/python scripts/mutation-fuzz.py --seconds 600 --seed 1 --rescompile .build/release/rescompile
"""

import argparse
import copy
import glob
import os
import random
import subprocess
import time
from types import SimpleNamespace

import onnx

OP_TYPES = ["Conv", "Add", "Relu", "MatMul", "Gemm", "Concat", "Reshape", "Transpose", "Softmax",
            "LayerNormalization", "BatchNormalization", "MaxPool", "Slice", "Gather", "LSTM", "GRU", "Resize", "Pad",
            "Split", "Squeeze", "Unsqueeze", "Expand", "Where", "Einsum", "ConvTranspose", "DepthToSpace", "TopK",
            "Sigmoid"]


def edit_attribute(rng, graph, model):
    node = rng.choice(graph.node)
    for attribute in node.attribute:
        if attribute.ints:
            attribute.ints[rng.randrange(len(attribute.ints))] = rng.choice([0, -1, 2**31 - 1, -2**31, 7, 1 << 40])
        elif attribute.type == onnx.AttributeProto.INT:
            attribute.i = rng.choice([0, -1, 2**62, -5, 3, 100000])
        elif attribute.type == onnx.AttributeProto.FLOAT:
            attribute.f = rng.choice([float("nan"), float("inf"), -1e30, 0.0])


def rename_input(rng, graph, model):
    node = rng.choice(graph.node)
    if node.input:
        names = [t.name for t in graph.initializer] + [i.name for i in graph.input] + ["", "undefined"]
        names += [output for other in graph.node for output in other.output]
        node.input[rng.randrange(len(node.input))] = rng.choice(names)


def reshape_initializer(rng, graph, model):
    tensor = rng.choice(graph.initializer)
    if tensor.dims:
        tensor.dims[rng.randrange(len(tensor.dims))] = rng.choice([0, 1, 2, -1, 3, 1 << 33])


def cut_initializer(rng, graph, model):
    tensor = rng.choice(graph.initializer)
    if tensor.raw_data:
        tensor.raw_data = tensor.raw_data[: rng.randrange(len(tensor.raw_data) + 1)]


def retype_initializer(rng, graph, model):
    rng.choice(graph.initializer).data_type = rng.choice([0, 1, 2, 3, 6, 7, 9, 10, 11, 16, 99])


def swap_op(rng, graph, model):
    rng.choice(graph.node).op_type = rng.choice(OP_TYPES)


def delete_node(rng, graph, model):
    del graph.node[rng.randrange(len(graph.node))]


def duplicate_node(rng, graph, model):
    graph.node.append(copy.deepcopy(rng.choice(graph.node)))


def shuffle_nodes(rng, graph, model):
    nodes = [copy.deepcopy(node) for node in graph.node]  # a repeated field takes no item assignment
    rng.shuffle(nodes)
    del graph.node[:]
    graph.node.extend(nodes)


def edit_input_dimension(rng, graph, model):
    dims = rng.choice(graph.input).type.tensor_type.shape.dim
    if dims:
        dim = dims[rng.randrange(len(dims))]
        choice = rng.randrange(3)
        if choice == 0:
            dim.dim_value = rng.choice([0, 1, 3, 1 << 31, 1 << 40])
        elif choice == 1:
            dim.dim_param = "N"
        else:
            dim.Clear()


def drop_attribute(rng, graph, model):
    node = rng.choice(graph.node)
    if node.attribute:
        del node.attribute[rng.randrange(len(node.attribute))]


def change_opset(rng, graph, model):
    model.opset_import[0].version = rng.choice([1, 6, 9, 11, 13, 18, 21, 23, 30])


def add_input(rng, graph, model):
    node = rng.choice(graph.node)
    node.input.append(rng.choice(["", node.output[0] if node.output else "undefined"]))


def rename_output(rng, graph, model):
    if graph.output:
        graph.output[0].name = rng.choice([node.output[0] for node in graph.node if node.output] or ["undefined"])


def annotate_value(rng, graph, model):
    """A value_info for a node's result or a graph output's declared type, of a random element type and shape
    (either may contradict what the node computes: an annotation that does is ignored and listed, an output's
    is an error; one that refines must not make a later step read past a buffer)."""
    results = [name for node in graph.node for name in node.output if name]
    if not results:
        return
    dims = [rng.choice([0, 1, 2, 3, 7, 64, 1 << 31, -1, None, "N"]) for _ in range(rng.randrange(0, 5))]
    element = rng.choice([onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.INT64, 0, 99])
    info = onnx.helper.make_tensor_value_info(rng.choice(results), element, dims)
    if rng.randrange(4) == 0 and graph.output:
        graph.output[rng.randrange(len(graph.output))].type.CopyFrom(info.type)
    else:
        graph.value_info.append(info)


def function_body(function):
    """A model-local function as the node edits see a graph: its nodes, no initializers, and its formal inputs
    as the names an input may be renamed to."""
    return SimpleNamespace(node=function.node, initializer=[],
                           input=[SimpleNamespace(name=name) for name in function.input])


def edit_function_body(rng, graph, model):
    """One node edit inside a function's body: the importer expands calls into their bodies
    (export_modules_as_functions' models), so a broken body must be refused there, not later."""
    body = function_body(rng.choice(model.functions))
    if body.node:
        edit = rng.choice([edit for edit, needs in NODE_EDITS if needs == "node"])
        edit(rng, body, model)


def edit_function_signature(rng, graph, model):
    """A function's formal input or output dropped, its name or domain changed (its calls then name nothing),
    or its opset import moved."""
    function = rng.choice(model.functions)
    choice = rng.randrange(4)
    if choice < 2:
        formals = function.input if choice == 0 else function.output
        if formals:
            del formals[rng.randrange(len(formals))]
    elif choice == 2:
        function.name, function.domain = rng.choice([(function.name + "_renamed", function.domain),
                                                     (function.name, ""), (function.name, "undefined.domain")])
    elif function.opset_import:
        function.opset_import[0].version = rng.choice([1, 9, 13, 21, 30])


def subgraphs(graph):
    """Every graph-valued attribute's graph under `graph`'s nodes, at any depth (Loop bodies, If branches)."""
    found = []
    for node in graph.node:
        for attribute in node.attribute:
            inner = ([attribute.g] if attribute.HasField("g") else []) + list(attribute.graphs)
            for sub in inner:
                found += [sub] + subgraphs(sub)
    return found


def edit_subgraph(rng, graph, model):
    """One node edit inside a Loop body or an If branch, or the body's declared inputs or outputs cut or its
    trip count, condition or initializers changed: the importer unrolls bodies, so a broken one must be
    refused there, with the loop's name, not crash a copy of it."""
    body = rng.choice(subgraphs(graph))
    choice = rng.randrange(4)
    if choice == 0 and body.node:
        edit = rng.choice([edit for edit, needs in NODE_EDITS if needs == "node"])
        edit(rng, body, model)
    elif choice == 1:
        formals = body.input if rng.randrange(2) == 0 else body.output
        if formals:
            del formals[rng.randrange(len(formals))]
    elif choice == 2 and body.initializer:
        tensor = rng.choice(body.initializer)
        tensor.ClearField("raw_data")
        tensor.ClearField("int64_data")
        tensor.ClearField("int32_data")
        tensor.data_type = onnx.TensorProto.INT64
        tensor.int64_data.append(rng.choice([0, 1, -1, 2**62, 1 << 20]))
    else:
        loops = [node for node in graph.node if node.op_type == "Loop"]
        if loops and graph.initializer:
            loop = rng.choice(loops)
            trip = rng.choice(graph.initializer)
            loop.input[rng.randrange(min(2, len(loop.input)))] = rng.choice([trip.name, "", "undefined"])


# Each edit needs nodes, initializers or inputs of the graph, or the model's functions or subgraphs, to act on;
# `applicable` says which.
NODE_EDITS = [(edit_attribute, "node"), (rename_input, "node"), (swap_op, "node"), (delete_node, "node"),
              (duplicate_node, "node"), (shuffle_nodes, "node"), (drop_attribute, "node"), (add_input, "node")]
EDITS = NODE_EDITS + [
    (reshape_initializer, "initializer"), (cut_initializer, "initializer"), (retype_initializer, "initializer"),
    (edit_input_dimension, "input"), (change_opset, None), (rename_output, None), (annotate_value, "node"),
    (edit_function_body, "functions"), (edit_function_signature, "functions"), (edit_subgraph, "subgraphs")]


def applicable(model, needs):
    if needs == "functions":
        return len(model.functions) > 0
    if needs == "subgraphs":
        return len(subgraphs(model.graph)) > 0
    return needs is None or len(getattr(model.graph, needs)) > 0


def mutate_proto(rng, model):
    graph = model.graph
    for _ in range(rng.randrange(1, 4)):
        edit, needs = rng.choice(EDITS)
        if applicable(model, needs):
            edit(rng, graph, model)
    return model.SerializeToString()


def damage_bytes(rng, data):
    data = bytearray(data)
    for _ in range(rng.randrange(1, 8)):
        if not data:
            break
        at = rng.randrange(len(data))
        choice = rng.randrange(3)
        if choice == 0:
            data[at] = rng.randrange(256)
        elif choice == 1:
            del data[at:at + rng.randrange(1, 64)]
        else:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
    return bytes(data)


def violation(result):
    """What the command-line contract forbids in one finished command, or None."""
    if result.returncode < 0 or result.returncode >= 128:
        return f"signal or trap (exit {result.returncode})"
    if "Fatal error" in result.stderr or "Segmentation fault" in result.stderr:
        return "Swift runtime trap"
    if result.returncode != 0 and not any(line.startswith("error:") for line in result.stderr.splitlines()):
        return f"exit {result.returncode} without an error: line"
    return None


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rescompile", default=".build/release/rescompile", help="the executable under test")
    parser.add_argument("--models", default="fixtures/models/*/model.onnx", help="glob of the models to mutate")
    parser.add_argument("--out", default="/tmp/mutation-fuzz", help="scratch folder; findings are kept here")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=600, help="stop starting new cases after this long")
    parser.add_argument("--timeout", type=float, default=60, help="seconds a command may take before it counts as a hang")
    return parser.parse_args()


def main():
    args = parse_arguments()
    models = sorted(glob.glob(args.models))
    if not models:
        raise SystemExit(f"error: no models match {args.models}")
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    deadline = time.time() + args.seconds
    case_path, plan_path = os.path.join(args.out, "case.onnx"), os.path.join(args.out, "case.plan")
    cases = findings = 0
    while time.time() < deadline:
        source = rng.choice(models)
        try:
            model = onnx.load(source)
            data = mutate_proto(rng, model) if rng.random() < 0.7 else damage_bytes(rng, model.SerializeToString())
        except Exception:  # the mutation itself made something protobuf cannot serialize
            continue
        with open(case_path, "wb") as file:
            file.write(data)
        cases += 1
        for command in ([args.rescompile, case_path, "-o", plan_path], [args.rescompile, "run", case_path],
                        [args.rescompile, "check", case_path]):
            if os.path.exists(plan_path):
                os.remove(plan_path)
            try:
                result = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout)
                problem, tail = violation(result), result.stderr[-300:]
            except subprocess.TimeoutExpired:
                problem, tail = f"no answer within {args.timeout:g} s", ""
            if problem:
                findings += 1
                kept = os.path.join(args.out, f"finding_{findings}.onnx")
                with open(kept, "wb") as file:
                    file.write(data)
                name = os.path.basename(os.path.dirname(source))
                step = "compile" if command[1] == case_path else command[1]
                print(f"{problem}: {step} on a mutation of {name}, kept as {kept}; "
                      f"stderr ends: {tail.strip()!r}", flush=True)
                break
    print(f"{cases} cases, {findings} findings")


if __name__ == "__main__":
    main()
