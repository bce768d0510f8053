"""Language models (chapter 06 and everything that builds on it): text to tokens to a GPT.

The corpus and its character tokenizer (text), the bigram baseline (bigram), a GPT small
enough to read (gpt), sampling (sampling), and the chapter's trained model with its safe
checkpoint (tinygpt, checkpoint, tinygpt.pt). Imports the machinery and nets.
"""
