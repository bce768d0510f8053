"""Adapting a language model (chapter 10): from a model that continues text to one that answers.

The task and its exact-match score (instructions), supervised fine-tuning on the answers only
(finetune), low-rank adapters and their merge (lora), checked against Hugging Face peft
(against_peft), preferences and direct preference optimization (preferences), and a widget that
asks several models the same question (side_by_side). Imports the machinery, nets and lm.
"""
