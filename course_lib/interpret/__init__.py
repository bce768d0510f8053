"""Interpretability (chapter 11): what a trained network computes, and how to test the answer.

Attributions and their evaluation (attribution, faithfulness), readable models and probes
(probes), the tiny GPT's residual stream and attention (lens), causal interventions
(patching), and a network that generalises long after it memorised (grokking).
Imports the machinery, nets and lm.
"""
