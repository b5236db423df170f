# The two Quick start commands are `make book` and `make test`; each does its own set-up.
.PHONY: book test outputs setup clean serve

book: setup
	@.venv/bin/python .ci/tasks.py book

test:
	@bash .ci/setup.sh --browser
	@.venv/bin/python .ci/tasks.py test

# Re-execute every chapter in place and store outputs that strict nbval accepts.
outputs: setup
	@.venv/bin/python .ci/tasks.py outputs

setup:
	@bash .ci/setup.sh

# Serve the built book on 127.0.0.1: from file:// the exercises' Python can't start.
serve:
	@.venv/bin/python .ci/serve.py

clean:
	rm -rf _build
