"""Mixture of experts in numbers: the parameters a model holds against those a token uses.

A mixture-of-experts layer replaces the one MLP of a block by n_experts MLPs and a router
that sends each token to its top_k of them (Shazeer et al. 2017; Fedus, Zoph & Shazeer 2022
route to one, Mixtral to two). The parameters grow with n_experts; the compute per token
with top_k only. Memory pays for all of them: every expert must be held, since the next
token may need any.
"""
from __future__ import annotations

from course_lib.scale import sizing
from course_lib.scale.decoder import DecoderConfig

# Jiang et al. 2024, Mixtral of Experts (arXiv:2401.04088), Table 1: Mistral 7B's shape with
# eight experts in every block, two per token.
MIXTRAL = DecoderConfig(vocab_size=32000, n_layer=32, n_head=32, n_kv_head=8, n_embd=4096, d_ff=14336)
MIXTRAL_EXPERTS, MIXTRAL_TOP_K = 8, 2


def mixture_params(config: DecoderConfig, n_experts: int, top_k: int) -> dict[str, int]:
    """{"total": parameters held, "active": parameters one token uses} of a decoder
    (course_lib.scale.decoder.DecoderConfig) whose every MLP is n_experts experts, top_k per token."""
    n_experts, top_k = sizing.count("n_experts", n_experts), sizing.count("top_k", top_k)
    if top_k > n_experts:
        raise ValueError(f"top_k={top_k} cannot exceed n_experts={n_experts}")
    dense = sizing.decoder_params(config)  # counts one MLP per block
    expert = sizing.mlp_params(config.n_embd, config.d_ff, bias=False, gated=True)
    router = config.n_embd * n_experts  # one score per expert: a linear layer without bias
    return {"total": dense + config.n_layer * ((n_experts - 1) * expert + router),
            "active": dense + config.n_layer * ((top_k - 1) * expert + router)}
