"""Pure content layer: lesson, quiz, course and glossary files -> frozen plain data.

Nothing here imports Flask or touches the database. Parsers take a path (only for error
messages) and the file text, and return data or raise ContentError with precise problems.
"""
