"""The course's machinery: how the course runs, not what it teaches.

Chapters are authored in ``solutions/`` and turned into student notebooks (authoring),
checked as the learner works (exercise, quiz, record), copied into the learner's own
workspace (workspace), shown as lecture decks (slides), and started the same way on every
machine (env, viz). Nothing here imports a subject module: every wing may import this one.
"""
