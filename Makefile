# The two Quick start commands are `make book` and `make test`; each does its own set-up.
.PHONY: book test outputs setup clean

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

clean:
	rm -rf _build
