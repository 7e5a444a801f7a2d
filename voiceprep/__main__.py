from voiceprep.cli.main import run

run()
