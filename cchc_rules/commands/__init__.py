"""The `cchc` subcommands, one module each.

Every module has `register(subparsers)`, which adds its parser and sets
`handler` to a function `(args) -> exit code`. Modules import the engine
inside their handler, so `cchc --help` stays fast.
"""
