# The README's two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MODEL := models/steer.tar.gz
GENERATED := bot/domain/saq.generated.yml data/nlu/answers.generated.yml bot/domain/commands.generated.yml \
	data/nlu/commands.generated.yml data/rules/route.generated.yml
BANK := $(wildcard data/questions/*.yml data/commands/*.yml) bot/domain/core.yml
TRAINING := config.yml $(filter-out $(GENERATED),$(wildcard bot/domain/*.yml data/nlu/*.yml data/rules/*.yml))

.PHONY: run test unit lint install train generate benchmark clean

run: $(MODEL)
	$(BIN)/steer run

test: $(MODEL)
	$(BIN)/ruff check .
	$(BIN)/pytest

# The quick check while working (under a minute on 2 cores): ruff and every test that needs no trained
# model, no running stack and no long run. `make test` still runs them all.
unit: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/pytest -q -m "not stack and not slow"

lint: $(INSTALLED)
	$(BIN)/ruff check .

install: $(INSTALLED)
generate: $(GENERATED)
train: $(MODEL)

$(INSTALLED): pyproject.toml debian-packages.txt
	scripts/install-debian-packages
	@PY=$$(scripts/find-python3.10) && { [ -x $(BIN)/python ] || "$$PY" -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade "pip==24.0"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip check
	touch $@

# The Rasa slots, form, ask-actions and answer examples come from the question bank; the commands'
# intents, examples and routing rules from the command registry.
$(GENERATED) &: $(INSTALLED) $(BANK) $(wildcard bot/rasa_files.py)
	$(BIN)/steer build-rasa

# Rasa retrains only when its inputs change (and keeps its own cache in .rasa/).
$(MODEL): $(INSTALLED) $(GENERATED) $(TRAINING)
	RASA_TELEMETRY_ENABLED=false $(BIN)/rasa train --config config.yml --domain bot/domain --data data/nlu data/rules \
		--out models --fixed-model-name steer
	touch $@

benchmark: $(MODEL)
	$(BIN)/python -m benchmarks.turn_latency
	$(BIN)/python -m benchmarks.voice

clean:
	rm -rf models .rasa $(GENERATED)
