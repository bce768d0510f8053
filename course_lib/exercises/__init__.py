"""Exercise checks and quiz of each chapter: one module per chapter (ch01, ch02, ...)."""
