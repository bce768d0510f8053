"""course_lib: the helper library of "Large Models from First Principles".

One short module per idea of the course; read them as part of it. The two things
every chapter uses are here: ``setup()`` (the environment cell) and ``progress()``.
"""
from course_lib.env import setup
from course_lib.record import progress

__all__ = ["setup", "progress"]
