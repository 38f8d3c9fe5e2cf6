"""Small Flax NNX models of the residual families, for `model-sweep.py --only jax` (exported by jax2onnx).

Each is a few blocks wide and deep: enough to carry the patterns jax2onnx writes (channels-last tensors with a
Transpose around every Conv, LayerNorm and attention spelled out in primitive ops, Gemm heads) into the
checks, at sizes that export and check in seconds. `CASES` maps a name to (constructor taking `nnx.Rngs`,
input shape).
"""

import jax.numpy as jnp
from flax import nnx


class Basic(nnx.Module):
    """ResNet v1 basic block; a strided 1x1 projection when the shape changes."""

    def __init__(self, cin, cout, stride, rngs):
        self.c1 = nnx.Conv(cin, cout, (3, 3), strides=stride, padding="SAME", rngs=rngs)
        self.b1 = nnx.BatchNorm(cout, rngs=rngs, use_running_average=True)
        self.c2 = nnx.Conv(cout, cout, (3, 3), padding="SAME", rngs=rngs)
        self.b2 = nnx.BatchNorm(cout, rngs=rngs, use_running_average=True)
        self.proj = None if (cin == cout and stride == 1) else nnx.Conv(cin, cout, (1, 1), strides=stride, rngs=rngs)

    def __call__(self, x):
        y = self.b2(self.c2(nnx.relu(self.b1(self.c1(x)))))
        return nnx.relu((x if self.proj is None else self.proj(x)) + y)


class ResNet(nnx.Module):
    """ResNet v1: 7x7/2 stem, BatchNorm, 3x3/2 max pool, three basic blocks (one strided), mean-pool head."""

    def __init__(self, rngs):
        self.stem = nnx.Conv(3, 32, (7, 7), strides=2, padding="SAME", rngs=rngs)
        self.bn = nnx.BatchNorm(32, rngs=rngs, use_running_average=True)
        self.blocks = nnx.List([Basic(32, 32, 1, rngs), Basic(32, 64, 2, rngs), Basic(64, 64, 1, rngs)])
        self.head = nnx.Linear(64, 10, rngs=rngs)

    def __call__(self, x):
        x = nnx.relu(self.bn(self.stem(x)))
        x = nnx.max_pool(x, window_shape=(3, 3), strides=(2, 2), padding="SAME")
        for block in self.blocks:
            x = block(x)
        return self.head(jnp.mean(x, axis=(1, 2)))


class PreAct(nnx.Module):
    """ResNet v2 (pre-activation) block: BN-ReLU-conv twice, then the identity Add."""

    def __init__(self, c, rngs):
        self.b1 = nnx.BatchNorm(c, rngs=rngs, use_running_average=True)
        self.c1 = nnx.Conv(c, c, (3, 3), padding="SAME", rngs=rngs)
        self.b2 = nnx.BatchNorm(c, rngs=rngs, use_running_average=True)
        self.c2 = nnx.Conv(c, c, (3, 3), padding="SAME", rngs=rngs)

    def __call__(self, x):
        return x + self.c2(nnx.relu(self.b2(self.c1(nnx.relu(self.b1(x))))))


class ResNetV2(nnx.Module):
    """Pre-activation stack with the final BatchNorm and ReLU before the head."""

    def __init__(self, rngs):
        self.stem = nnx.Conv(3, 32, (3, 3), padding="SAME", rngs=rngs)
        self.blocks = nnx.List([PreAct(32, rngs) for _ in range(2)])
        self.bn = nnx.BatchNorm(32, rngs=rngs, use_running_average=True)
        self.head = nnx.Linear(32, 10, rngs=rngs)

    def __call__(self, x):
        x = self.stem(x)
        for block in self.blocks:
            x = block(x)
        return self.head(jnp.mean(nnx.relu(self.bn(x)), axis=(1, 2)))


class Inverted(nnx.Module):
    """MobileNetV2 inverted residual block: 1x1 expansion x4, 3x3 depthwise, linear 1x1 projection."""

    def __init__(self, c, rngs):
        self.e = nnx.Conv(c, 4 * c, (1, 1), rngs=rngs)
        self.eb = nnx.BatchNorm(4 * c, rngs=rngs, use_running_average=True)
        self.d = nnx.Conv(4 * c, 4 * c, (3, 3), padding="SAME", feature_group_count=4 * c, rngs=rngs)
        self.db = nnx.BatchNorm(4 * c, rngs=rngs, use_running_average=True)
        self.p = nnx.Conv(4 * c, c, (1, 1), rngs=rngs)
        self.pb = nnx.BatchNorm(c, rngs=rngs, use_running_average=True)

    def __call__(self, x):
        y = jnp.clip(self.eb(self.e(x)), 0, 6)
        y = jnp.clip(self.db(self.d(y)), 0, 6)
        return x + self.pb(self.p(y))


class MobileNet(nnx.Module):
    """Two inverted residual blocks behind a strided stem."""

    def __init__(self, rngs):
        self.stem = nnx.Conv(3, 16, (3, 3), strides=2, padding="SAME", rngs=rngs)
        self.blocks = nnx.List([Inverted(16, rngs) for _ in range(2)])
        self.head = nnx.Linear(16, 10, rngs=rngs)

    def __call__(self, x):
        x = self.stem(x)
        for block in self.blocks:
            x = block(x)
        return self.head(jnp.mean(x, axis=(1, 2)))


class Dense(nnx.Module):
    """A dense block: each BN-ReLU-conv layer's 8 channels concatenated onto its input."""

    def __init__(self, rngs):
        self.stem = nnx.Conv(3, 16, (3, 3), padding="SAME", rngs=rngs)
        self.layers = nnx.List([nnx.Conv(16 + 8 * i, 8, (3, 3), padding="SAME", rngs=rngs) for i in range(3)])
        self.bns = nnx.List([nnx.BatchNorm(16 + 8 * i, rngs=rngs, use_running_average=True) for i in range(3)])
        self.head = nnx.Linear(40, 10, rngs=rngs)

    def __call__(self, x):
        x = self.stem(x)
        for conv, bn in zip(self.layers, self.bns):
            x = jnp.concatenate([x, conv(nnx.relu(bn(x)))], axis=-1)
        return self.head(jnp.mean(x, axis=(1, 2)))


class Encoder(nnx.Module):
    """One transformer encoder layer (4 heads, width 64, GELU feed-forward), pre- or post-LN."""

    def __init__(self, pre, rngs):
        self.pre = pre
        self.att = nnx.MultiHeadAttention(num_heads=4, in_features=64, decode=False, rngs=rngs)
        self.n1 = nnx.LayerNorm(64, rngs=rngs)
        self.n2 = nnx.LayerNorm(64, rngs=rngs)
        self.f1 = nnx.Linear(64, 128, rngs=rngs)
        self.f2 = nnx.Linear(128, 64, rngs=rngs)

    def ff(self, x):
        return self.f2(nnx.gelu(self.f1(x)))

    def __call__(self, x):
        if self.pre:
            x = x + self.att(self.n1(x))
            return x + self.ff(self.n2(x))
        x = self.n1(x + self.att(x))
        return self.n2(x + self.ff(x))


class Highway(nnx.Module):
    """A highway layer: T * relu(H x) + (1 - T) * x with a sigmoid gate T."""

    def __init__(self, rngs):
        self.h = nnx.Linear(64, 64, rngs=rngs)
        self.t = nnx.Linear(64, 64, rngs=rngs)

    def __call__(self, x):
        t = nnx.sigmoid(self.t(x))
        return t * nnx.relu(self.h(x)) + (1 - t) * x

CASES = {
    "resnet": (lambda r: ResNet(r), (1, 64, 64, 3)),
    "resnetv2": (lambda r: ResNetV2(r), (1, 32, 32, 3)),
    "mobilenet": (lambda r: MobileNet(r), (1, 64, 64, 3)),
    "densenet": (lambda r: Dense(r), (1, 32, 32, 3)),
    "encoder-preln": (lambda r: Encoder(True, r), (1, 16, 64)),
    "encoder-postln": (lambda r: Encoder(False, r), (1, 16, 64)),
    "highway": (lambda r: Highway(r), (4, 64)),
}
