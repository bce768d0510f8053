"""Serving a model for less (chapter 09): the same model, cheaper to run.

  kv_cache      incremental decoding: each layer's keys and values kept, not recomputed
  quantize      weights in 8 and 4 bits: per tensor, per output channel, in groups
  distill       a small student trained on a teacher's softened probabilities
  prune         magnitude masks (unstructured, 2:4) and whole attention heads removed
  speculative   a draft model proposes, the target model accepts or resamples
  experts       mixture of experts in numbers: parameters against active parameters

Every shortcut is checked against the exact computation it replaces, on the chapter-06 GPT
(course_lib.lm.gpt and its shipped checkpoint).
"""
