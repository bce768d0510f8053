"""Our LoRA against Hugging Face peft, the library people fine-tune with (Mangrulkar et al. 2022).

peft wraps the chosen linear layers of any torch module, not only its own transformers: a
``LoraConfig`` names them (``target_modules``, matched against the end of each module's name)
and ``get_peft_model`` adds, to each, ``lora_A`` (a Linear in → r) and ``lora_B`` (r → out),
scaled by ``lora_alpha / r`` — the same A, B and α / r as ours. Copy our adapters' numbers
into its layers and both models must compute the same logits.
"""
from __future__ import annotations

import copy

import torch
import torch.nn as nn

from course_lib.adapt.lora import TARGETS, LoRALinear


def peft_twin(adapted_model: nn.Module, base_model: nn.Module) -> nn.Module:
    """peft's LoRA on a copy of base_model, with the adapter weights of adapted_model (course_lib's LoRA)."""
    from peft import LoraConfig, get_peft_model

    ours = {name: m for name, m in adapted_model.named_modules() if isinstance(m, LoRALinear)}
    if not ours:
        raise ValueError("the adapted model has no LoRALinear layer: make it with course_lib.adapt.lora.adapted")
    first = next(iter(ours.values()))
    config = LoraConfig(r=first.rank, lora_alpha=first.alpha, lora_dropout=0.0,
                        target_modules=sorted({t.rsplit(".", 1)[1] for t in TARGETS}))
    twin = get_peft_model(copy.deepcopy(base_model), config)
    layers = {name: m for name, m in twin.base_model.model.named_modules() if hasattr(m, "lora_A")}
    if set(layers) != set(ours):
        raise ValueError(f"peft wrapped {sorted(layers)}, ours {sorted(ours)}: not the same layers")
    with torch.no_grad():
        for name, layer in ours.items():
            layers[name].lora_A["default"].weight.copy_(layer.A)
            layers[name].lora_B["default"].weight.copy_(layer.B)
    return twin.eval()
