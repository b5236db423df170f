# The two Quick start commands are `make book` and `make test`; each does its own set-up.
.PHONY: book test outputs setup clean serve lab

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

# Open the chapters in JupyterLab from .venv, on 127.0.0.1 only; it prints the URL (with its
# token) to open, and saves the notebooks you run in place. Ctrl-C twice stops it.
lab: setup
	@echo "lab: JupyterLab at book/, from .venv, on 127.0.0.1 (Ctrl-C twice to stop)"
	@.venv/bin/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/book \
		$$([ "$$(id -u)" = 0 ] && echo --allow-root)

clean:
	rm -rf _build
