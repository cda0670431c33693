# Convenience wrapper; every target is a tasks.py command (which needs only Python >= 3.11).
PYTHON ?= python3

.PHONY: book test bench notebooks pdf clean
book:
	$(PYTHON) tasks.py book
test:
	$(PYTHON) tasks.py test
bench:
	$(PYTHON) tasks.py bench
notebooks:
	$(PYTHON) tasks.py notebooks
pdf:
	$(PYTHON) tasks.py pdf
clean:
	rm -rf _build
