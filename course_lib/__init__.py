"""course_lib: the helper library of "Large Models from First Principles".

Read it as part of the course. It is built in wings, from the bottom up; a module
imports only from its own wing and the wings below it (tests/test_layout.py checks).

  machinery/   how the course runs: chapters (their order and ids), authoring,
               exercise and diagnosis (the checks), quiz, record, workspace,
               slides, env, viz, classroom (nbgrader, hub links)          every chapter
  nets/        neural networks from scratch: forward, autograd, graph, gradcheck,
               backprop, optim, schedules, quadratic, gradient_noise,
               early_stopping, train, toy_data, digits                      03-05
  lm/          language models: text, bigram, gpt, sampling, tinygpt,
               checkpoint, tokens, bpe_libraries       06, 07, and all that builds on it
  scale/       scale and cost: milestones, trends, sizing, decoder, cost,
               hardware, measure, scaling, sweep, efficiency, data_parallel,
               outlook                                                01, 02, 08, 12
  serving/     serving a model for less: kv_cache, quantize, distill, prune,
               speculative, experts                                            09
  adapt/       from a language model to an assistant: instructions, finetune,
               lora, against_peft, preferences, side_by_side                  10
  interpret/   interpretability: attribution, faithfulness, probes, lens,
               patching, grokking                                              11
  exercises/   on top: each chapter's checks and quiz, and progress()  every chapter

The two things every chapter uses are here: ``setup()`` (the environment cell) and
``progress()`` (what you have done so far).
"""
from course_lib.exercises import progress
from course_lib.machinery.env import setup

__all__ = ["setup", "progress"]
