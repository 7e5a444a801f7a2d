"""The command line: the parser, one module per command group, and error -> exit code.

`main.run` is the entry point. Only this package prints to the user and turns a
VoicePrepError into one line on stderr and exit code 2.
"""
