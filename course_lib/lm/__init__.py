"""Language models (chapters 06, 07 and everything that builds on it): text to tokens to a GPT.

The corpus and its character tokenizer (text), the bigram baseline (bigram), a GPT small
enough to read (gpt), sampling (sampling), and the chapter's trained model with its safe
checkpoint (tinygpt, checkpoint, tinygpt.pt); sub-word tokens by byte-pair encoding (tokens),
checked against tiktoken and Hugging Face tokenizers (bpe_libraries). Imports the machinery and nets.
"""
