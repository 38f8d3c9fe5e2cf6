#!/usr/bin/env python3
"""Real-model sweep: export models the way users get them, then `rescompile check` each against onnxruntime.

Families (each skipped when its package is not installed): torchvision and timm classifiers, torchvision's 3-D video
ResNets and Video Swin, tiny random HuggingFace models (no download: built from a config; text, vision and audio),
Keras applications, onnxruntime's three quantized forms of torchvision classifiers and a transformer encoder
(`quantized`: QDQ, QOperator and dynamic), and residual Keras LSTM, GRU and SimpleRNN stacks (Loops) through tf2onnx, PaddlePaddle's vision models, transformer encoders and residual LSTM and GRU
stacks through paddle2onnx (`paddle`: a second exporter with its own op patterns, such as Linear as MatMul + Add and
Identity nodes left in the graph), small Flax NNX models of the residual families through jax2onnx (`jax`:
`flax_models.py`; channels-last tensors with a Transpose around every Conv, and value_info that sometimes
contradicts the ops), and residual stacks of PyTorch LSTMs, GRUs and RNNs (`recurrent`: two layers with a skip
around each, batch 1, the sizes the 2026-12-01 13:20 session timed). Every model gets random weights (BatchNorm
statistics randomized, so folding mistakes show; parameters initialized to a constant, zero heads and 1e-5 layer
scales, made random, so no check compares zeros), is exported with the PyTorch TorchScript exporter (`--dynamo` adds
the torch.export one), run once by onnxruntime to store the reference output next to it, and checked at -O2 and -O0
(and -O2 on 2 threads). It prints one line per model and level, and a summary of failures and of the operators
rescompile refused.

This is a development tool, not a test: it needs torch (and optionally timm, transformers, tensorflow + tf2onnx)
and minutes of CPU; `--only paddle` needs only paddlepaddle, paddle2onnx and onnxruntime (a venv of its own:
paddle2onnx pins its onnx); `--only jax` needs jax2onnx (which brings jax and flax) and onnxruntime. The
product never needs Python.

    /work/tools/venv/bin/python scripts/model-sweep.py --out /tmp/sweep                 # every family
    /work/tools/venv/bin/python scripts/model-sweep.py --out /tmp/sweep --only timm --dynamo
    /work/tools/venv/bin/python scripts/model-sweep.py --out /tmp/sweep224 --only torchvision --size 224
    /work/tools/venv/bin/python scripts/model-sweep.py --out /tmp/rnn --only recurrent keras-rnn
    /work/tools/paddle-venv/bin/python scripts/model-sweep.py --out /tmp/paddle --only paddle
    /work/tools/jax-venv/bin/python scripts/model-sweep.py --out /tmp/jax --only jax
    /work/tools/venv/bin/python scripts/model-sweep.py --out /tmp/sweep --rescompile .build/release/rescompile
"""

import argparse
import os
import re
import subprocess
import sys

import numpy as np

TORCHVISION = {  # name: (constructor arguments, image size)
    "resnet34": ({}, 96), "resnext50_32x4d": ({}, 96), "wide_resnet50_2": ({}, 64), "regnet_y_400mf": ({}, 96),
    "efficientnet_b0": ({}, 96), "convnext_tiny": ({}, 64), "mobilenet_v3_small": ({}, 96),
    "shufflenet_v2_x1_0": ({}, 96), "squeezenet1_1": ({}, 96), "mnasnet1_0": ({}, 96), "densenet121": ({}, 64),
    "googlenet": ({"aux_logits": False, "init_weights": True}, 96), "swin_t": ({}, 64), "maxvit_t": ({}, 224),
}
SEGMENTATION = ["deeplabv3_resnet50", "fcn_resnet50", "lraspp_mobilenet_v3_large"]  # torchvision, Resize heads
# Transformers and MLPs whose position embeddings or token counts fix the input size: exported at their own.
TIMM_FIXED_SIZE = ["levit_128s", "volo_d1_224", "mixer_s16_224", "resmlp_12_224", "crossvit_tiny_240"]
TIMM = TIMM_FIXED_SIZE + ["poolformer_s12", "resnetv2_50x1_bit", "cspdarknet53", "res2net50_14w_8s", "resnest14d", "dla34", "tresnet_m", "nf_resnet26",
        "nfnet_l0", "rexnet_100", "ghostnet_100", "dpn68", "seresnext26d_32x4d", "repvgg_a0", "hrnet_w18_small",
        "dm_nfnet_f0", "tf_efficientnet_b0", "tf_mobilenetv3_small_100", "tf_mixnet_s", "tf_efficientnetv2_b0"]
HUGGINGFACE = {  # name: the example input's kind (see `huggingface_example`)
    "bert": "text", "distilbert": "text", "gpt2": "text", "roberta": "text", "t5": "text", "bart_encoder": "text",
    "deberta": "text", "vit": "image", "swin": "image", "convnext": "image", "resnet": "image", "dinov2": "image",
    "beit": "image", "clip_vision": "image", "mobilevit": "image64", "segformer": "image64", "wav2vec2": "audio",
}
VIDEO = ["r3d_18", "mc3_18", "r2plus1d_18", "swin3d_t"]  # torchvision video classifiers, 8 frames of 56x56
KERAS = ["ResNet50", "ResNet50V2", "MobileNetV2", "EfficientNetB0", "DenseNet121", "Xception", "MobileNet", "InceptionV3",
         "NASNetMobile", "MobileNetV3Small"]
PADDLE_VISION = {  # paddle.vision.models name: image size
    "resnet18": 64, "resnet50": 64, "resnext50_32x4d": 64, "wide_resnet50_2": 64, "mobilenet_v1": 96,
    "mobilenet_v2": 96, "mobilenet_v3_small": 96, "mobilenet_v3_large": 96, "densenet121": 64,
    "shufflenet_v2_x1_0": 96, "squeezenet1_1": 96,
    "googlenet": 224,  # its auxiliary heads fix its size
    "inception_v3": 96,
}
QUANTIZED = {  # torchvision classifiers and a transformer encoder, each through onnxruntime's quantizer
    "resnet18": 64, "resnet50": 64, "mobilenet_v2": 64, "densenet121": 64, "regnet_x_400mf": 64,
}
KERAS_RECURRENT = ["LSTM", "GRU", "SimpleRNN", "BidirectionalLSTM"]  # tf2onnx writes each as a Loop
RECURRENT = [("lstm", 256, 32), ("lstm", 128, 64), ("gru", 256, 32), ("gru", 128, 64), ("rnn", 256, 32),
             ("rnn", 128, 64)]  # cell, units, steps


def residual_recurrent(torch, cell, units, layers=2):
    """`layers` recurrent layers of `units` (LSTM, GRU or plain RNN), each with a skip connection around it."""
    class Residual(torch.nn.Module):
        def __init__(self):
            super().__init__()
            make = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]
            self.layers = torch.nn.ModuleList([make(units, units) for _ in range(layers)])

        def forward(self, x):
            for layer in self.layers:
                y, _ = layer(x)
                x = x + y
            return x
    return Residual()


def randomize_batchnorm(model):
    import torch
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm) and module.running_mean is not None:
                module.running_mean.uniform_(-0.3, 0.3)
                module.running_var.uniform_(0.5, 2.0)


def randomize_constant_parameters(model):
    """Random values for parameters initialized to one constant: zero classifier heads (MLP-Mixer, ResMLP and
    gMLP output exactly 0 otherwise, so a check compares zeros), layer-scale gammas of 1e-5 (the residual
    branches they scale would barely show), LayerNorm weights and zero biases."""
    import math
    import torch
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.numel() > 1 and float(parameter.std()) > 0:
                continue
            if parameter.dim() >= 2:
                fan_in = parameter[0].numel()
                parameter.copy_(torch.randn(parameter.shape, generator=generator) / math.sqrt(fan_in))
            elif float(parameter.flatten()[0]) == 0:
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.1)
            else:
                parameter.copy_(torch.rand(parameter.shape, generator=generator) * 0.8 + 0.4)


def save_case(folder, feeds, model_path):
    """Runs onnxruntime on `feeds` and stores inputs and outputs as test_data_set_0."""
    import onnxruntime as ort
    from onnx import numpy_helper
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    outputs = session.run(None, feeds)
    data = os.path.join(folder, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    for index, (name, value) in enumerate(feeds.items()):
        with open(os.path.join(data, f"input_{index}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(value, name).SerializeToString())
    for index, value in enumerate(outputs):
        with open(os.path.join(data, f"output_{index}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(value, session.get_outputs()[index].name).SerializeToString())


def export_torch(module, example, folder, input_name, dynamo):
    import torch
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    options = {"input_names": [input_name], "output_names": ["output"], "dynamo": dynamo,
               "opset_version": 18 if dynamo else 17}
    if dynamo:
        options["external_data"] = False
    torch.onnx.export(module, (example,), path, **options)
    save_case(folder, {input_name: example.numpy()}, path)


def single_output(model, pick):
    """Wraps `model` so the export has one tensor output: `pick` chooses it from the model's output."""
    import torch

    class Wrapper(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return pick(self.inner(x))

    return Wrapper(model).eval()


def last_hidden(output):
    """A HuggingFace model's last hidden state (or its first output)."""
    return output.last_hidden_state if hasattr(output, "last_hidden_state") else output[0]


def huggingface_model(name):
    import transformers as t
    text = dict(vocab_size=100, max_position_embeddings=70)
    small = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64)
    models = {
        "bert": lambda: t.BertModel(t.BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                                 intermediate_size=64, **text)),
        "distilbert": lambda: t.DistilBertModel(t.DistilBertConfig(dim=32, n_layers=2, n_heads=4, hidden_dim=64,
                                                                   **text)),
        "gpt2": lambda: t.GPT2Model(t.GPT2Config(vocab_size=100, n_embd=32, n_layer=2, n_head=4, n_positions=64)),
        "roberta": lambda: t.RobertaModel(t.RobertaConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                                          intermediate_size=64, **text)),
        "t5": lambda: t.T5EncoderModel(t.T5Config(vocab_size=100, d_model=32, d_kv=8, d_ff=64, num_layers=2,
                                                  num_heads=4)),
        "vit": lambda: t.ViTModel(t.ViTConfig(image_size=32, patch_size=8, hidden_size=32, num_hidden_layers=2,
                                              num_attention_heads=4, intermediate_size=64)),
        "swin": lambda: t.SwinModel(t.SwinConfig(image_size=32, patch_size=2, embed_dim=16, depths=[2, 2],
                                                 num_heads=[2, 4], window_size=4)),
        "convnext": lambda: t.ConvNextModel(t.ConvNextConfig(hidden_sizes=[16, 32], depths=[1, 1], num_stages=2,
                                                             image_size=32)),
        "resnet": lambda: t.ResNetModel(t.ResNetConfig(embedding_size=16, hidden_sizes=[16, 32], depths=[1, 1],
                                                       layer_type="bottleneck")),
        "bart_encoder": lambda: t.BartModel(t.BartConfig(
            vocab_size=100, d_model=32, encoder_layers=2, decoder_layers=1, encoder_attention_heads=4,
            decoder_attention_heads=4, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=64)).encoder,
        "deberta": lambda: t.DebertaV2Model(t.DebertaV2Config(**small, vocab_size=100, max_position_embeddings=64)),
        # Interpolates its position embeddings to the input with a bicubic Resize whose size is Pow(N, 0.5).
        "dinov2": lambda: t.Dinov2Model(t.Dinov2Config(**small, image_size=32, patch_size=8)),
        "beit": lambda: t.BeitModel(t.BeitConfig(**small, image_size=32, patch_size=8, use_relative_position_bias=True)),
        "clip_vision": lambda: t.CLIPVisionModel(t.CLIPVisionConfig(**small, image_size=32, patch_size=8)),
        "mobilevit": lambda: t.MobileViTModel(t.MobileViTConfig(
            image_size=64, hidden_sizes=[32, 48, 64], neck_hidden_sizes=[8, 16, 24, 32, 40, 48, 64])),
        "segformer": lambda: t.SegformerModel(t.SegformerConfig(
            hidden_sizes=[16, 32, 48, 64], depths=[1, 1, 1, 1], num_attention_heads=[1, 2, 2, 4],
            decoder_hidden_size=32)),
        "wav2vec2": lambda: t.Wav2Vec2Model(t.Wav2Vec2Config(
            **small, conv_dim=(16, 16, 16), conv_stride=(5, 2, 2), conv_kernel=(10, 3, 3),
            num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=4)),
    }
    return models[name]()


def huggingface_example(torch, kind):
    """The example input of a HuggingFace model and its name: token ids, an image or a waveform."""
    if kind == "text":
        return torch.randint(0, 100, (1, 16)), "input_ids"
    if kind == "audio":
        return torch.randn(1, 1600), "input_values"
    size = 64 if kind == "image64" else 32
    return torch.randn(1, 3, size, size), "pixel_values"


def timm_case(timm, torch, name):
    """A timm classifier and its input: 64x64, or the model's own size when it fixes one."""
    model = timm.create_model(name, pretrained=False, num_classes=10)
    size = model.pretrained_cfg.get("input_size", (3, 224, 224))[1] if name in TIMM_FIXED_SIZE else 64
    return model, torch.randn(1, 3, size, size), "input"


def export_family(family, out, dynamo, size=None):
    """Yields (label, folder) for every model of `family` that exported; prints export failures. `size`, when
    given, replaces the torchvision classifiers' small image sizes (224: what users run; the mobile networks
    trail onnxruntime more there than at 96)."""
    if family == "paddle":
        yield from export_paddle(out)
        return
    if family == "jax":
        yield from export_jax(out)
        return
    import torch
    torch.manual_seed(0)
    exporters = [False, True] if dynamo else [False]
    if family == "torchvision":
        import torchvision
        for name, (arguments, own_size) in TORCHVISION.items():
            side = size or own_size
            for use_dynamo in exporters:
                yield from attempt(f"tv-{name}", out, use_dynamo, lambda: (
                    getattr(torchvision.models, name)(**arguments), torch.randn(1, 3, side, side), "input"))
        for name in SEGMENTATION:
            yield from attempt(f"tv-{name}", out, False, lambda: (
                single_output(getattr(torchvision.models.segmentation, name)(
                    weights=None, weights_backbone=None, num_classes=5), lambda output: output["out"]), torch.randn(1, 3, 96, 96), "input"))
    elif family == "timm":
        import timm
        for name in TIMM:
            for use_dynamo in exporters:
                yield from attempt(f"timm-{name}", out, use_dynamo, lambda: timm_case(timm, torch, name))
    elif family == "video":
        import torchvision
        for name in VIDEO:
            yield from attempt(f"video-{name}", out, False, lambda: (
                getattr(torchvision.models.video, name)(), torch.randn(1, 3, 8, 56, 56), "input"))
    elif family == "huggingface":
        for name, kind in HUGGINGFACE.items():
            for use_dynamo in exporters:
                yield from attempt(f"hf-{name}", out, use_dynamo, lambda: (
                    single_output(huggingface_model(name), last_hidden), *huggingface_example(torch, kind)))
    elif family == "keras":
        yield from export_keras(out)
    elif family == "keras-rnn":
        yield from export_keras_recurrent(out)
    elif family == "quantized":
        yield from export_quantized(out)
    elif family == "recurrent":
        for cell, units, steps in RECURRENT:
            yield from attempt(f"rnn-{cell}{units}x{steps}", out, False, lambda: (
                residual_recurrent(torch, cell, units), torch.randn(steps, 1, units), "input"))


def export_quantized(out):
    """Each model exported as float, then quantized by onnxruntime the three ways its users do: static QDQ
    (the default format), static QOperator (QLinearConv and the com.microsoft QLinear ops) and dynamic
    (DynamicQuantizeLinear with ConvInteger/MatMulInteger). Static ones calibrate on four random images and
    use `reduce_range` (7-bit weights), dynamic ones uint8 weights: onnxruntime's guidance for AVX2 machines
    without VNNI, whose u8s8 kernels otherwise saturate pairs of products and so are no reference."""
    import torch
    import torchvision
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic,
                                          quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Images(CalibrationDataReader):
        def __init__(self, name, shape):
            rng = np.random.default_rng(1)
            self.feeds = iter([{name: rng.standard_normal(shape).astype(np.float32)} for _ in range(4)])

        def get_next(self):
            return next(self.feeds, None)

    models = [(f"q-{name}", lambda name=name, side=side: (
        getattr(torchvision.models, name)(), torch.randn(1, 3, side, side), "input"))
        for name, side in QUANTIZED.items()]
    models.append(("q-encoder", lambda: (torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(
        64, 4, 128, batch_first=True, norm_first=True), 2), torch.randn(1, 12, 64), "input")))
    for label, make in models:
        for _, float_folder in attempt(label + "-float", out, False, make):
            source = os.path.join(float_folder, "model.onnx")
            prepared = os.path.join(float_folder, "prepared.onnx")
            x = onnx_input(source)
            for kind in (["qdq", "qoperator"] if "encoder" not in label else []) + ["dynamic"]:
                folder = os.path.join(out, f"{label}-{kind}")
                os.makedirs(folder, exist_ok=True)
                path = os.path.join(folder, "model.onnx")
                try:
                    if kind == "dynamic":
                        quantize_dynamic(source, path, weight_type=QuantType.QUInt8)
                    else:
                        quant_pre_process(source, prepared)
                        quantize_static(prepared, path, Images("input", x.shape), reduce_range=True,
                                        quant_format=QuantFormat.QDQ if kind == "qdq" else QuantFormat.QOperator)
                    save_case(folder, {"input": x}, path)
                    yield f"{label}-{kind}", folder
                except Exception as error:  # a quantizer limitation, not rescompile's
                    print(f"quantization failed  {label}-{kind}: {type(error).__name__}: {str(error)[:160]}",
                          flush=True)


def onnx_input(model_path):
    """The input the float model's reference case stored (test_data_set_0/input_0.pb)."""
    import onnx
    from onnx import numpy_helper
    folder = os.path.dirname(model_path)
    return numpy_helper.to_array(onnx.load_tensor(os.path.join(folder, "test_data_set_0", "input_0.pb")))


def attempt(label, out, dynamo, make):
    folder = os.path.join(out, label + ("-dynamo" if dynamo else ""))
    try:
        module, example, input_name = make()
        module.eval()
        randomize_batchnorm(module)
        randomize_constant_parameters(module)
        export_torch(module, example, folder, input_name, dynamo)
        yield label + ("-dynamo" if dynamo else ""), folder
    except Exception as error:  # an exporter limitation, not rescompile's
        print(f"export failed  {label}: {type(error).__name__}: {str(error)[:160]}", flush=True)


def export_keras(out):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    import tf2onnx
    import onnx
    for name in KERAS:
        folder = os.path.join(out, "keras-" + name)
        try:
            model = getattr(tf.keras.applications, name)(weights=None, input_shape=(96, 96, 3),
                                                         classifier_activation=None)
            spec = (tf.TensorSpec((1, 96, 96, 3), tf.float32, name="input"),)
            proto, _ = tf2onnx.convert.from_keras(model, input_signature=spec, opset=17)
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, "model.onnx")
            onnx.save(proto, path)
            x = np.random.default_rng(0).standard_normal((1, 96, 96, 3)).astype(np.float32)
            save_case(folder, {proto.graph.input[0].name: x}, path)
            yield "keras-" + name, folder
        except Exception as error:
            print(f"export failed  keras-{name}: {type(error).__name__}: {str(error)[:160]}", flush=True)


def export_keras_recurrent(out):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    import tf2onnx
    import onnx
    for name in KERAS_RECURRENT:
        for opset in (13, 17):
            label = f"keras-{name}-opset{opset}"
            folder = os.path.join(out, label)
            try:
                model = keras_residual_recurrent(tf, name)
                spec = (tf.TensorSpec((1, 12, 32), tf.float32, name="input"),)
                proto, _ = tf2onnx.convert.from_keras(model, input_signature=spec, opset=opset)
                os.makedirs(folder, exist_ok=True)
                path = os.path.join(folder, "model.onnx")
                onnx.save(proto, path)
                x = np.random.default_rng(0).standard_normal((1, 12, 32)).astype(np.float32)
                save_case(folder, {proto.graph.input[0].name: x}, path)
                yield label, folder
            except Exception as error:
                print(f"export failed  {label}: {type(error).__name__}: {str(error)[:160]}", flush=True)


def keras_residual_recurrent(tf, name, units=32, steps=12):
    """Two recurrent layers of `units` with a skip around each, then a third that returns its last state: the
    Keras form of the residual LSTM/GRU family. tf2onnx writes every layer as a TensorFlow while_loop (ONNX
    Loop), which rescompile unrolls."""
    layers = tf.keras.layers

    def layer(return_sequences):
        if name == "BidirectionalLSTM":
            return layers.Bidirectional(layers.LSTM(units // 2, return_sequences=return_sequences))
        return getattr(layers, name)(units, return_sequences=return_sequences)

    tf.random.set_seed(0)
    x = inputs = tf.keras.Input((steps, units), batch_size=1)
    for _ in range(2):
        x = layers.Add()([x, layer(True)(x)])
    return tf.keras.Model(inputs, layer(False)(x))


def paddle_residual_encoder(paddle, pre_norm):
    """Two transformer encoder layers (4 heads, width 64, GELU feed-forward), pre- or post-LN, on 16 tokens."""
    layer = paddle.nn.TransformerEncoderLayer(64, 4, 128, dropout=0.0, activation="gelu", normalize_before=pre_norm)
    return paddle.nn.TransformerEncoder(layer, 2, norm=paddle.nn.LayerNorm(64) if pre_norm else None)


def paddle_residual_recurrent(paddle, cell, units):
    """Two recurrent layers (`paddle.nn.LSTM` or `GRU`) of `units`, batch first, each with a skip around it."""
    class Residual(paddle.nn.Layer):
        def __init__(self):
            super().__init__()
            make = {"lstm": paddle.nn.LSTM, "gru": paddle.nn.GRU}[cell]
            self.layers = paddle.nn.LayerList([make(units, units) for _ in range(2)])

        def forward(self, x):
            for layer in self.layers:
                y, _ = layer(x)
                x = x + y
            return x
    return Residual()


def randomize_paddle(paddle, model):
    """Random BatchNorm statistics and affine parameters (a fresh model's are 0 and 1, which a folding mistake
    would survive)."""
    rng = np.random.default_rng(2)
    for layer in model.sublayers():
        if isinstance(layer, paddle.nn.layer.norm._BatchNormBase):
            count = layer._mean.shape[0]
            layer._mean.set_value(rng.uniform(-0.3, 0.3, count).astype(np.float32))
            layer._variance.set_value(rng.uniform(0.5, 2.0, count).astype(np.float32))
            layer.weight.set_value(rng.uniform(0.5, 1.5, count).astype(np.float32))
            layer.bias.set_value(rng.uniform(-0.2, 0.2, count).astype(np.float32))


def export_paddle(out):
    """PaddlePaddle models through `paddle.onnx.export` (paddle2onnx), opset 17, batch 1."""
    import paddle
    from paddle.vision import models
    paddle.set_device("cpu")
    paddle.seed(0)
    cases = [(f"paddle-{name}", lambda name=name, side=side: (
        getattr(models, name)(num_classes=10), [1, 3, side, side])) for name, side in PADDLE_VISION.items()]
    cases += [(f"paddle-encoder-{'pre' if pre else 'post'}ln", lambda pre=pre: (
        paddle_residual_encoder(paddle, pre), [1, 16, 64])) for pre in (False, True)]
    cases += [(f"paddle-{cell}64x16", lambda cell=cell: (
        paddle_residual_recurrent(paddle, cell, 64), [1, 16, 64])) for cell in ("lstm", "gru")]
    for label, make in cases:
        folder = os.path.join(out, label)
        try:
            model, shape = make()
            model.eval()
            randomize_paddle(paddle, model)
            os.makedirs(folder, exist_ok=True)
            spec = [paddle.static.InputSpec(shape=shape, dtype="float32", name="input")]
            paddle.onnx.export(model, os.path.join(folder, "model"), input_spec=spec, opset_version=17)
            path = os.path.join(folder, "model.onnx")
            if not os.path.exists(path):
                raise RuntimeError("paddle2onnx wrote no model")
            x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
            save_case(folder, {"input": x}, path)
            yield label, folder
        except Exception as error:  # an exporter limitation, not rescompile's
            print(f"export failed  {label}: {type(error).__name__}: {str(error)[:160]}", flush=True)


def randomize_flax_batchnorm(nnx, jnp, model):
    """Random BatchNorm statistics and affine parameters, as `randomize_batchnorm` does for torch."""
    rng = np.random.default_rng(2)
    for _, module in nnx.iter_graph(model):
        if isinstance(module, nnx.BatchNorm):
            count = module.mean.value.shape[0]
            for variable, low, high in ((module.mean, -0.3, 0.3), (module.var, 0.5, 2.0), (module.scale, 0.5, 1.5),
                                        (module.bias, -0.2, 0.2)):
                variable.value = jnp.asarray(rng.uniform(low, high, count), jnp.float32)


def export_jax(out):
    """`flax_models.CASES` through jax2onnx (its default opset), batch as each case's shape says."""
    import jax.numpy as jnp
    import onnx
    from flax import nnx
    from jax2onnx import to_onnx
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import flax_models
    for name, (make, shape) in flax_models.CASES.items():
        label = "jax-" + name
        folder = os.path.join(out, label)
        try:
            model = make(nnx.Rngs(0))
            randomize_flax_batchnorm(nnx, jnp, model)
            model.eval()
            proto = to_onnx(model, [shape])
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, "model.onnx")
            onnx.save(proto, path)
            x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
            save_case(folder, {proto.graph.input[0].name: x}, path)
            yield label, folder
        except Exception as error:  # an exporter limitation, not rescompile's
            print(f"export failed  {label}: {type(error).__name__}: {str(error)[:160]}", flush=True)


def check(rescompile, folder, arguments):
    result = subprocess.run([rescompile, "check", os.path.join(folder, "model.onnx")] + arguments,
                            capture_output=True, text=True, timeout=900)
    text = result.stdout + result.stderr
    summary = next((line.strip() for line in text.splitlines() if "error:" in line or "PASS" in line
                    or "FAIL" in line), text.strip()[-160:])
    return result.returncode, summary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="folder for the exported models")
    families = ["torchvision", "video", "timm", "huggingface", "keras", "keras-rnn", "recurrent", "quantized", "paddle",
                "jax"]
    parser.add_argument("--only", nargs="+", choices=families, default=families)
    parser.add_argument("--dynamo", action="store_true", help="also export with the torch.export-based exporter")
    parser.add_argument("--size", type=int, help="image size of the torchvision classifiers (default: each one's own, "
                                                 "64-224; 224 to time them as users run them)")
    parser.add_argument("--rescompile", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release",
                                                             "rescompile"))
    args = parser.parse_args()
    failures, refused = [], {}
    for family in args.only:
        try:
            models = list(export_family(family, args.out, args.dynamo, args.size))
        except ImportError as error:
            print(f"skipping {family}: {error}", flush=True)
            continue
        for label, folder in models:
            for level in (["-O2"], ["-O0"], ["-O2", "--threads", "2"]):
                status, summary = check(args.rescompile, folder, level)
                print(f"{label:40s} {' '.join(level):16s} {'ok  ' if status == 0 else 'FAIL'} {summary[:150]}",
                      flush=True)
                if status != 0:
                    failures.append((label, " ".join(level), summary))
                    for op in re.findall(r"(\w+) \[opset \d+\]", summary):
                        refused.setdefault(op, set()).add(label)
    print(f"\n{len(failures)} failing checks")
    for op, labels in sorted(refused.items()):
        print(f"  refused operator {op}: {', '.join(sorted(labels))}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
