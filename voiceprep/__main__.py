from voiceprep.cli import run

run()
